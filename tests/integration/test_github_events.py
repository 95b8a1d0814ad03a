"""GitHub deliveries (recorded push and ping payloads, with headers) through the plan's EventSource and Sensor."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from tests.integration.events import (
    RECORDED,
    Rejected,
    arguments,
    expected_arguments,
    for_repository,
    load_payload,
    receive,
    routing_problems,
    runs,
    sign,
    submitted,
)
from tests.integration.plan import PROJECT_DIR, STACK, TENANTS_DIR, VAULT_SECRET, Plan, build_plan
from tests.integration.vault_checks import eso_secret_value, fake_value

pytestmark = pytest.mark.integration

OCTOKIT_EXAMPLES = "@octokit/webhooks-examples@7.6.1"


def github_secrets(plan):
    """What GitHub signs with for each registration: the webhook secret the program also writes to Vault."""
    paths = {r["tenant"]: (r["inputs"]["mount"], r["inputs"]["name"]) for r in plan.of_type(VAULT_SECRET) if "TenantWebhook" in r["urn"]}
    return lambda tenant: fake_value(*paths[tenant], "secret")


def tracked(tenant: str, stack: str = STACK) -> dict:
    """What a registration of tests/integration/tenants runs in `stack`, as its file and the stack file say
    (docs/onboarding.md): its refs for the environment, else the stack's `tracks` over its defaultBranch."""
    spec = yaml.safe_load((TENANTS_DIR / f"{tenant}.yaml").read_text())["spec"]
    written = (spec.get("refs") or {}).get(stack)
    if written is not None:
        return {"branch": written.get("branch"), "tags": written.get("tags", False)}
    tracks = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]["argo-tenants:tracks"]
    branch = spec.get("defaultBranch", "main") if tracks in ("branch", "branch-and-tags") else None
    return {"branch": branch, "tags": tracks in ("tags", "branch-and-tags")}


@pytest.fixture
def route(vault, openbao, token_review):
    """routing_problems(plan) with the plan applied to OpenBao: the EventSource's secrets come through ESO."""

    def run(plan, github_secret=None):
        vault(plan)
        secrets = eso_secret_value(openbao, token_review, plan)
        return routing_problems(plan, github_secret or github_secrets(plan), secrets, tracked)

    return run


def deliver(plan, openbao, token_review, tenant, name, secret_tenant=None):
    summary = plan.tenant_summary(tenant)
    headers, body = load_payload(name)
    body = for_repository(body, *summary["repository"].split("/"))
    delivery = sign(github_secrets(plan)(secret_tenant or tenant), headers, body, summary["webhookUrl"])
    return body, submitted(plan, receive(plan, delivery, eso_secret_value(openbao, token_review, plan)))


def test_every_recorded_delivery_does_what_the_docs_say(plan, route):
    assert route(plan) == []


def test_a_push_to_the_tracked_branch_runs_the_registration_template_at_the_pushed_commit(plan, vault, openbao, token_review):
    vault(plan)
    body, [workflow] = deliver(plan, openbao, token_review, "alpha", "push-branch")
    assert workflow["metadata"]["namespace"] == "wf-acme-alpha-pipeline"
    assert workflow["metadata"]["generateName"] == "alpha-"
    assert workflow["spec"]["workflowTemplateRef"] == {"name": "nextflow-repo-runner"}
    assert arguments(workflow) == {
        "git_revision": "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
        "git_ref": "refs/heads/develop",
        "git_ref_name": "develop",
    }


def test_a_push_to_another_branch_starts_nothing(plan, vault, openbao, token_review):
    vault(plan)
    # beta-2 tracks main; the recording pushes develop. alpha tracks develop; push-new-branch creates feature/qc.
    assert deliver(plan, openbao, token_review, "beta-2", "push-branch")[1] == []
    assert deliver(plan, openbao, token_review, "alpha", "push-new-branch")[1] == []


def test_a_tag_push_runs_at_the_tagged_commit(plan, vault, openbao, token_review):
    vault(plan)
    body, [lightweight] = deliver(plan, openbao, token_review, "gamma", "push-tag-lightweight")
    assert arguments(lightweight) == {"git_revision": body["head_commit"]["id"], "git_ref": "refs/tags/v1.2.0", "git_ref_name": "v1.2.0"}
    # An annotated tag's `after` is the tag object; the run gets the commit, on which a status can be set.
    body, [annotated] = deliver(plan, openbao, token_review, "beta", "push-tag-annotated")
    assert arguments(annotated) == {"git_revision": body["head_commit"]["id"], "git_ref": "refs/tags/v1.3.0", "git_ref_name": "v1.3.0"}
    assert body["after"] != body["head_commit"]["id"]


# --- the promotion path: each environment runs only the refs it tracks ---------------------------


@pytest.fixture(scope="module")
def stack_plans() -> dict[str, Plan]:
    return {stack: Plan(build_plan(stack=stack)) for stack in ("dev", "prod")}


def environments_that_run(plans: dict[str, Plan], tenant: str, payload: str) -> list[str]:
    """The stacks whose Sensor submits a Workflow for one recorded delivery from the tenant's repository
    (the EventSource's signature check is the routing tests' business: here a stand-in secret)."""
    ran = []
    for stack, plan in plans.items():
        if tenant not in plan.tenants:
            continue
        summary = plan.tenant_summary(tenant)
        headers, body = load_payload(payload)
        body = for_repository(body, *summary["repository"].split("/"))
        delivery = sign("stand-in", headers, body, summary["webhookUrl"])
        if submitted(plan, receive(plan, delivery, lambda *_: "stand-in")):
            ran.append(stack)
    return ran


def test_a_push_to_the_dev_branch_runs_in_dev_only(stack_plans):
    # alpha tracks develop, the branch the recording pushes; prod tracks tags.
    assert environments_that_run(stack_plans, "alpha", "push-branch") == ["dev"]


def test_a_tag_runs_in_prod_only(stack_plans):
    assert environments_that_run(stack_plans, "alpha", "push-tag-lightweight") == ["prod"]
    assert environments_that_run(stack_plans, "alpha", "push-tag-annotated") == ["prod"]


def test_a_registration_that_asks_dev_for_tags_runs_them_in_both(stack_plans):
    assert environments_that_run(stack_plans, "beta", "push-tag-annotated") == ["dev", "prod"]


def test_every_recorded_delivery_in_prod_does_what_the_docs_say(stack_plans):
    plan = stack_plans["prod"]
    problems = routing_problems(plan, lambda _: "stand-in", lambda *_: "stand-in", lambda tenant: tracked(tenant, "prod"))
    assert problems == []


def test_deletions_and_pings_submit_nothing(plan, vault, openbao, token_review):
    vault(plan)
    for name in ("delete-branch", "delete-tag", "ping"):
        assert deliver(plan, openbao, token_review, "alpha", name)[1] == [], name


def test_a_delivery_signed_with_another_registrations_secret_is_rejected(plan, vault, openbao, token_review):
    vault(plan)
    with pytest.raises(Rejected, match="beta: payload signature check failed"):
        deliver(plan, openbao, token_review, "beta", "push-branch", secret_tenant="beta-2")


# --- each property, broken on purpose, is caught ---------------------------------------------


def test_a_sensor_without_the_deletion_filter_is_caught(broken, route):
    for dependency in (d for sensor in broken.manifests("Sensor") for d in sensor["spec"]["dependencies"]):
        dependency["filters"]["data"] = [f for f in dependency["filters"]["data"] if f["path"] not in ("body.deleted", "body.head_commit.id")]
    problems = route(broken)
    # A deleted tag matches the tag pattern of every registration that runs tags here; it has no commit to run.
    assert problems == [f"{tenant} delete-tag: key body.head_commit.id does not exist in the event payload" for tenant in ("beta", "gamma")]


def test_a_sensor_without_the_ref_filter_is_caught(broken, route):
    for dependency in (d for sensor in broken.manifests("Sensor") for d in sensor["spec"]["dependencies"]):
        dependency["filters"]["data"] = [f for f in dependency["filters"]["data"] if f["path"] != "body.ref"]
    problems = route(broken)
    assert any(p.startswith("alpha push-new-branch: submitted [{'git_revision'") for p in problems)
    assert any(p.startswith("beta push-branch: submitted") for p in problems)


def test_a_wrong_data_key_is_caught(broken, route):
    trigger = broken.trigger("alpha")
    trigger["argoWorkflow"]["parameters"][0]["src"]["dataKey"] = "body.head_commit.sha"
    problems = route(broken)
    assert "alpha push-branch: key body.head_commit.sha does not exist in the event payload" in problems


def test_the_revision_taken_from_after_is_caught_on_an_annotated_tag(broken, route):
    trigger = broken.trigger("beta")
    trigger["argoWorkflow"]["parameters"][0]["src"]["dataKey"] = "body.after"
    problems = route(broken)
    assert [p.split(":")[0] for p in problems] == ["beta push-tag-annotated"]


def test_a_ref_name_template_that_keeps_the_prefix_is_caught(broken, route):
    trigger = broken.trigger("beta")
    trigger["argoWorkflow"]["parameters"][2]["src"]["dataTemplate"] = "{{ .Input.body.ref }}"
    problems = route(broken)
    assert problems and all(p.startswith("beta push-") for p in problems)


def test_an_event_source_checking_with_another_registrations_secret_is_caught(broken, route):
    broken.object("EventSource", "argo-events", "github-alpha")["spec"]["github"]["alpha"]["webhookSecret"]["name"] = "argo-tenants-webhook-beta"
    assert route(broken) == [f"alpha {name}: alpha: payload signature check failed" for name in RECORDED]


# --- optional: every push and ping example GitHub documents (npm @octokit/webhooks-examples) ---


@pytest.fixture(scope="session")
def octokit_examples(tmp_path_factory):
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: the @octokit/webhooks-examples check is optional")
    directory = tmp_path_factory.mktemp("octokit")
    packed = subprocess.run([npm, "pack", "--silent", OCTOKIT_EXAMPLES], cwd=directory, capture_output=True, text=True, timeout=120)
    if packed.returncode != 0:
        pytest.skip(f"npm pack {OCTOKIT_EXAMPLES} failed (registry unreachable?): {packed.stderr.strip()[-300:]}")
    shutil.unpack_archive(directory / packed.stdout.strip().splitlines()[-1], directory)
    index = json.loads((directory / "package" / "api.github.com" / "index.json").read_text())
    return {event["name"]: event["examples"] for event in index if event["name"] in ("push", "ping")}


def test_every_octokit_push_and_ping_example_is_routed_as_documented(plan, vault, openbao, token_review, octokit_examples):
    vault(plan)
    secret_of = eso_secret_value(openbao, token_review, plan)
    summary = plan.tenant_summary("alpha")
    headers = {"Content-Type": "application/json", "User-Agent": "GitHub-Hookshot/octokit", "X-GitHub-Delivery": "octokit"}
    seen = 0
    for event, examples in octokit_examples.items():
        for body in examples:
            delivery = sign(github_secrets(plan)("alpha"), {**headers, "X-GitHub-Event": event}, body, summary["webhookUrl"])
            workflows = submitted(plan, receive(plan, delivery, secret_of))
            seen += 1
            if event == "push" and runs(body, tracked("alpha")):
                assert [arguments(w) for w in workflows] == [expected_arguments(body)]
            else:
                assert workflows == [], (event, body.get("ref"))
    assert seen >= 5
