"""The terminal tree and the Markdown report of one plan."""

import pytest

from tenancy.plan.document import plan_document
from tenancy.plan.render import plan_markdown, plan_text
from tenancy.plan.render_values import clean, line_changes


@pytest.fixture(scope="module")
def document(dev_plan):
    return plan_document(dev_plan)


def tree_of(text: str, tenant: str) -> str:
    start = text.index(f"\n{tenant}\n")
    return text[start : text.index("\n\n", start + 1)]


def test_each_tenant_gets_a_tree(document):
    text = plan_text(document)
    for tenant in document["tenants"]:
        assert f"\n{tenant}\n├── repository" in text


@pytest.mark.parametrize(
    "line",
    [
        "namespace    wf-acme-alpha-pipeline",
        # Who gets access and where each run's outputs land: what a reviewer approves.
        "admins       lead@acme.org",
        "readers      viewer@acme.org",
        # isPublic: every signed-in user, not "without login" (the Argo Server has no anonymous access).
        "public       yes (every signed-in user may look, as readers do)",
        "outputs      s3://alpha-artifacts-dev/workflows/<workflow-name>/ (each run's report, timeline, trace, results and logs, in the Argo UI)",
        "buckets      alpha-artifacts-dev (artifacts, us-west-2, kept on delete)",
        "IAM user     argo-tenants-dev-alpha",
        "Vault paths  kv/argo/apps/alpha/github",
        "webhook      https://events.dev.argo.example.org/github/alpha (push, active)",
        # Which pushes run here, how the runner runs, and what the namespace enforces.
        "runs         pushes to develop (other refs run nothing)",
        "runner       local executor, 1 CPU, 2Gi memory (requests = limits)",
        "             /argo-tenants/work (work dir)",
        "guardrails   Pod Security baseline (enforced; restricted warned and audited)",
        "             quota 16 CPU, 64Gi memory, 50 pods (ResourceQuota)",
        "             per container at most 4 CPU, 16Gi memory (LimitRange)",
        "             no ingress; egress DNS and TCP 443 (NetworkPolicy)",
    ],
)
def test_tree_shows_key_properties(document, line):
    assert line in tree_of(plan_text(document), "alpha")


def test_tenant_without_bucket_shows_the_fallback(document):
    assert "(the environment's fallback bucket, not managed here)" in tree_of(plan_text(document), "beta")


def test_a_tenant_that_is_not_public_is_seen_by_the_people_listed_only(document):
    assert "public       no (only the people listed)" in tree_of(plan_text(document), "beta")


def test_paused_tenant_says_so(document):
    assert "(PAUSED: inactive)" in tree_of(plan_text(document), "gamma")


def test_shared_objects_are_shown_once(document):
    assert plan_text(document).count("argo-events/argo-tenants-sensor") == 1


def test_verbose_lists_every_custom_resource_by_its_real_name(document):
    tree = tree_of(plan_text(document, verbose=True), "alpha")
    assert "UserPolicy alpha-s3" in tree and "Bucket alpha-artifacts-dev" in tree
    assert "RoleBinding wf-acme-alpha-pipeline/tenant-reader" in tree and "SecretV2 kv/argo/apps/alpha/github" in tree
    assert "alpha-credentials-s3" not in tree  # the Pulumi name, not the object's


def test_text_is_not_a_json_dump(document):
    assert '"inputs"' not in plan_text(document)


def test_markdown_has_a_section_per_tenant(document):
    text = plan_markdown(document)
    assert [name for name in document["tenants"] if f"<summary><b>{name}</b>" in text] == document["tenants"]


def test_control_characters_are_escaped():
    assert clean("a\x1b[31mb\nc") == "a\\u001b[31mb\\nc"


def test_policy_change_shows_only_its_distinctive_lines():
    before = 'path "a" {\n  read\n}\n\npath "b" {\n  read\n}\n'
    after = 'path "a" {\n  read\n}\n'
    assert line_changes(before, after) == ['- path "b" {']


def test_the_registrations_a_stack_skips_are_listed_with_why(document):
    # delta asks for prod only: the dev plan says so, in both views.
    assert "not deployed by this stack: 1 registration\n  delta  (only environments prod)" in plan_text(document)
    assert "Not deployed by this stack: `delta` (only environments prod)." in plan_markdown(document)


def test_a_shard_stack_names_the_shard_of_what_it_skips():
    reason = {"reason": "shard", "shard": "b"}
    document = {"project": "p", "stack": "dev-a", "tenants": [], "resources": [], "outputs": {"skipped": {"x": reason}}}
    assert "  x  (shard b)" in plan_text(document)

