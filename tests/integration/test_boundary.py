"""A tenant file reaches only its own, proven on real servers: OpenBao refuses every registration's
Vault role the platform's paths, and moto (IAM enforced) refuses every registration's key the buckets
it does not own, other environments' fallback buckets and retained buckets included.

A tenant file naming another bucket is refused before any plan exists (tests/project/test_attacks.py);
one naming the platform's GitHub token path as its externalSecretPath, or another Secret as its
githubSecretName, is accepted with a warning and planned, and those values are never used: the plan of
a tenant directory with that attacker's file is applied and probed.
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from tenancy.model import naming
from tests.integration.aws_checks import attempt, run_in_aws
from tests.integration.plan import TENANTS_DIR, VAULT_SECRET, Plan, build_plan
from tests.integration.vault_checks import fake_value

pytestmark = pytest.mark.integration

# Where the platform keeps the GitHub token CI manages webhooks with (docs/ci.md), and a neighbour.
PLATFORM_PATHS = ("platform/argo-tenants/github", "platform/argo-tenants/slack")

# Buckets a registration must never reach: the other environment's fallback bucket (prod's, seen from
# dev), one an offboarding left behind, and one of the platform's own.
NOT_OWNED = {"calypr-argo-artifacts": "us-west-2", "old-pipeline-artifacts-dev": "us-east-1", "platform-logs": "us-west-2"}


def attacker(**spec) -> dict:
    # An owner the stack has a GitHub App installation for: the file is otherwise unremarkable.
    body = {"repoUrl": "https://github.com/other-org/innocent.git", "tenant": "research", **spec}
    return {"apiVersion": "platform.calypr.io/v1alpha1", "kind": "RepoRegistration", "metadata": {"name": "mallory"}, "spec": body}


@pytest.fixture(scope="module")
def with_attacker(tmp_path_factory):
    """The integration tenants plus `mallory.yaml`, written by `write(document)`; returns the directory."""
    directory = tmp_path_factory.mktemp("tenants")
    for path in TENANTS_DIR.glob("*.yaml"):
        shutil.copy(path, directory / path.name)

    def write(document: dict):
        (directory / "mallory.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
        return directory

    return write


@pytest.mark.parametrize(
    "spec, refusal",
    [
        (
            # An owner the stack does not list, with the installation it lists for other-org: tokens for other-org/innocent.
            {"repoUrl": "https://github.com/mallory/innocent.git", "installationId": 2222},
            "spec.installationId: is 2222, the installation of owner 'other-org', but environment dev lists no installation for owner 'mallory'",
        ),
        (
            {"artifactBucket": {"bucket": "calypr-dev-argo-artifacts"}, "environments": ["prod"]},
            "which the platform owns (platformBuckets in Pulumi.yaml)",
        ),
    ],
)
def test_the_program_refuses_to_plan_an_attackers_file(with_attacker, spec, refusal):
    stack = "prod" if spec.get("environments") == ["prod"] else "dev"
    with pytest.raises(AssertionError, match="mallory.yaml") as err:
        build_plan(with_attacker(attacker(**spec)), stack)
    assert refusal in str(err.value)


def test_the_program_refuses_a_prefix_of_the_fallback_bucket_another_registration_left(with_attacker):
    # mallory once had s3://calypr-dev-argo-artifacts/mallory/; a new file of that name, from another
    # repository, would be granted the objects it left there.
    directory = with_attacker(attacker())
    retired = directory / "_retired-buckets.yaml"
    retired.write_text(yaml.safe_dump({"retiredPrefixes": [{"bucket": "calypr-dev-argo-artifacts", "registration": "mallory", "environment": "dev"}]}))
    try:
        with pytest.raises(AssertionError, match="mallory.yaml") as err:
            build_plan(directory)
    finally:
        retired.unlink()
    assert "'mallory' would be granted s3://calypr-dev-argo-artifacts/mallory/ in environment dev, kept with its objects" in str(err.value)


@pytest.fixture(scope="module")
def plan_with_attacker(with_attacker) -> Plan:
    """The attack as written, planned: its externalSecretPath and githubSecretName are read, warned about and
    never used (tenancy/loading/ignored.py), so the plan holds mallory's own paths and its own Secret."""
    return Plan(
        build_plan(
            with_attacker(
                attacker(
                    githubSecretName="argo-events-sa",
                    artifactBucket={"bucket": "innocent-artifacts", "externalSecretPath": "kv/platform/argo-tenants/github"},
                )
            )
        )
    )


def test_the_attackers_written_path_and_secret_are_never_used(plan_with_attacker):
    text = str([resource["inputs"] for resource in plan_with_attacker.resources])
    assert "platform/argo-tenants/github" not in text and "argo-events-sa" not in text
    secrets = [m for m in plan_with_attacker.manifests("ExternalSecret") if m["metadata"]["namespace"] == "argo-events"]
    assert "argo-tenants-webhook-mallory" in {m["spec"]["target"]["name"] for m in secrets}


def test_every_secret_the_plan_writes_is_under_its_registrations_prefix(plan_with_attacker):
    for resource in plan_with_attacker.of_type(VAULT_SECRET):
        assert resource["inputs"]["name"].startswith(f"argo/apps/{resource['tenant']}/"), resource["urn"]


def _platform_secrets(openbao):
    """The platform's own secrets, two versions each, written by the platform (the root token)."""
    for path in PLATFORM_PATHS:
        for version in ("v1", "v2"):
            openbao.ok("POST", f"kv/data/{path}", {"data": {"token": f"{path}#{version}"}})


def test_every_role_is_refused_the_platforms_paths(plan_with_attacker, vault, openbao, token_review):
    plan = plan_with_attacker
    assert vault(plan) == []
    _platform_secrets(openbao)
    stores = [store for store in plan.manifests("SecretStore") if "vault" in store["spec"]["provider"]]
    assert len(stores) == len(plan.tenants) + 1  # each registration's, and the webhook store
    for store in stores:
        auth = store["spec"]["provider"]["vault"]["auth"]["kubernetes"]
        account = auth["serviceAccountRef"]
        jwt = token_review.mint(store["metadata"]["namespace"], account["name"], account["audiences"])
        status, answer = openbao.request("POST", f"auth/{auth['mountPath']}/login", token=None, body={"role": auth["role"], "jwt": jwt})
        assert status == 200, answer
        token = answer["auth"]["client_token"]
        where = f"{store['metadata']['namespace']}/{store['metadata']['name']} ({auth['role']})"
        for path in PLATFORM_PATHS:
            for method, api in (
                ("GET", f"kv/data/{path}"),
                ("GET", f"kv/data/{path}?version=1"),
                ("GET", f"kv/metadata/{path}"),
                ("LIST", "kv/metadata/platform"),
                ("POST", f"kv/data/{path}"),
            ):
                status, _ = openbao.request(method, api, token=token, body={"data": {"token": "x"}} if method == "POST" else None)
                assert status == 403, f"{where}: {method} {api} answers {status}"
    # And the platform's secrets are as the platform wrote them: nothing of the plan touched them.
    for path in PLATFORM_PATHS:
        assert openbao.ok("GET", f"kv/data/{path}")["data"]["data"] == {"token": f"{path}#v2"}
        assert openbao.ok("GET", f"kv/metadata/{path}")["data"]["current_version"] == 2


def test_what_a_role_reads_is_its_own_registrations_only(plan_with_attacker, vault, openbao, token_review):
    from tests.integration.vault_checks import eso_problems

    plan = plan_with_attacker
    assert vault(plan) == []
    assert eso_problems(openbao, token_review, plan, fake_value) == []


def test_no_key_reaches_a_bucket_it_does_not_own(plan_with_attacker, settings_dev, fallback_buckets):
    plan = plan_with_attacker

    def probe(account):
        outcomes = {}
        for bucket, region in NOT_OWNED.items():
            admin = account.client("s3", account.admin, region)
            admin.put_object(Bucket=bucket, Key="mallory/seed.txt", Body=b"seed")
            admin.put_object(Bucket=bucket, Key="seed.txt", Body=b"seed")
            for tenant in plan.tenants:
                s3 = account.client("s3", account.keys[tenant], region)
                # Under the registration's own name as well: a prefix named like it grants nothing elsewhere.
                for key in ("seed.txt", f"{tenant}/seed.txt"):
                    outcomes[(tenant, bucket, key)] = (
                        attempt(lambda: s3.get_object(Bucket=bucket, Key=key)),
                        attempt(lambda: s3.put_object(Bucket=bucket, Key=key, Body=b"x")),
                        attempt(lambda: s3.delete_object(Bucket=bucket, Key=key)),
                        attempt(lambda: s3.list_objects_v2(Bucket=bucket, Prefix=key.rsplit("/", 1)[0] + "/")),
                        attempt(lambda: s3.list_objects_v2(Bucket=bucket)),
                    )
        return outcomes

    outcomes = run_in_aws(plan, settings_dev.aws_region, {**fallback_buckets, **NOT_OWNED}, probe)
    assert "mallory" in plan.tenants and len(outcomes) == len(plan.tenants) * len(NOT_OWNED) * 2
    allowed = {where: result for where, result in outcomes.items() if set(result) != {"AccessDenied"}}
    assert allowed == {}


# Names that are words, literals, numbers or builtins of the expression language of Sensor conditions.
EXPRESSION_NAMES = ("true", "false", "nil", "in", "not", "and", "or", "matches", "contains", "let", "if", "1-2", "0x1f", "1e5", "len", "all", "alpha")


def test_each_trigger_fires_on_its_own_dependency_in_the_expression_library(go_expr):
    """Each registration's `conditions` evaluated by the Go library: true exactly when its own
    dependency resolved, whatever the others did, for names that are words of the language."""
    dependencies = [naming.sensor_dependency_name(name) for name in EXPRESSION_NAMES]
    cases, expected = [], []
    for own in dependencies:
        for resolved in (True, False):
            environment = {dependency: not resolved for dependency in dependencies} | {own: resolved}
            cases.append((own, environment))
            expected.append(resolved)
    assert go_expr(cases) == expected


def test_bare_names_would_not_have_fired_on_their_own_dependency(go_expr):
    # What the prefix prevents: `true` fires on every event, `1_2` is a number, `in` does not compile.
    bare = [name.replace("-", "_") for name in ("true", "1-2", "in")]
    results = go_expr([(name, {other: False for other in bare}) for name in bare])
    assert results[0] is True and all(result is not False for result in results)
