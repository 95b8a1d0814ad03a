"""The plan's Vault side on a real OpenBao dev server, read the way External Secrets Operator reads it."""

from __future__ import annotations

import pytest

from tests.integration.plan import VAULT_POLICY, VAULT_ROLE, VAULT_SECRET
from tests.integration.vault_checks import eso_problems, role_problems

pytestmark = pytest.mark.integration


def test_every_store_reads_exactly_what_its_external_secrets_need(plan, vault, openbao, token_review):
    assert vault(plan) == []
    assert eso_problems(openbao, token_review, plan) == []


def test_kubernetes_auth_roles_are_stored_as_planned(plan, vault, openbao):
    assert vault(plan) == []
    assert role_problems(openbao, plan) == []
    assert len(plan.of_type(VAULT_ROLE)) == len(plan.tenants) + 1


def test_each_registration_token_holds_its_own_policy_only(plan, vault, openbao, token_review):
    vault(plan)
    for tenant in plan.tenants:
        namespace = plan.tenant_summary(tenant)["namespace"]
        store = plan.manifest("SecretStore", namespace, "vault-tenant")
        auth = store["spec"]["provider"]["vault"]["auth"]["kubernetes"]
        jwt = token_review.mint(namespace, auth["serviceAccountRef"]["name"], auth["serviceAccountRef"]["audiences"])
        status, answer = openbao.request("POST", f"auth/{auth['mountPath']}/login", token=None, body={"role": auth["role"], "jwt": jwt})
        assert status == 200, answer
        assert answer["auth"]["policies"] == [f"argo-tenants-dev-{tenant}"]


def test_webhook_store_reads_every_webhook_secret_and_no_s3_credentials(plan, vault, openbao, token_review):
    vault(plan)
    store = plan.manifest("SecretStore", "argo-events", "argo-tenants-webhooks")
    auth = store["spec"]["provider"]["vault"]["auth"]["kubernetes"]
    jwt = token_review.mint("argo-events", auth["serviceAccountRef"]["name"], auth["serviceAccountRef"]["audiences"])
    token = openbao.request("POST", f"auth/{auth['mountPath']}/login", token=None, body={"role": auth["role"], "jwt": jwt})[1]["auth"]["client_token"]
    secrets = plan.secret_paths()
    assert {component for _, _, component in secrets} == {"argo-tenants:index:TenantCredentials", "argo-tenants:index:TenantWebhook"}
    for mount, path, component in secrets:
        status, _ = openbao.request("GET", f"{mount}/data/{path}", token=token)
        assert status == (200 if component.endswith("TenantWebhook") else 403), f"{mount}/{path}"


# --- each property, broken on purpose, is caught ---------------------------------------------


def test_a_policy_over_the_whole_prefix_is_caught(broken, vault, openbao, token_review):
    policy = broken.resource(VAULT_POLICY, "alpha")
    policy["inputs"]["policy"] = 'path "kv/data/argo/apps/*" {\n  capabilities = ["read"]\n}\n' + policy["inputs"]["policy"]
    vault(broken)
    problems = eso_problems(openbao, token_review, broken)
    assert "SecretStore wf-acme-alpha-pipeline/vault-tenant: reads kv/argo/apps/beta/s3/artifacts (200), which none of its ExternalSecrets needs" in problems
    assert any("GET kv/data/argo/apps/alpha answers 404" in p for p in problems)


def test_a_policy_without_the_token_self_paths_is_caught(broken, vault, openbao, token_review):
    # The program before the fix: the roles drop Vault's `default` policy and nothing gave back
    # lookup-self, so ESO could never validate a store.
    for policy in broken.of_type(VAULT_POLICY):
        policy["inputs"]["policy"] = policy["inputs"]["policy"].split("# External Secrets Operator")[0]
    vault(broken)
    problems = eso_problems(openbao, token_review, broken)
    assert (
        "SecretStore wf-acme-beta/vault-tenant: ESO's token lookup-self is refused (403): the store would never become Ready"
        in problems
    )
    assert any("argo-tenants-webhooks: ESO's token revoke-self is refused" in p for p in problems)


def test_an_external_secret_with_the_wrong_key_is_caught(broken, vault, openbao, token_review):
    secret = broken.object("ExternalSecret", "wf-acme-beta", "s3-credentials-beta")
    secret["spec"]["data"][1]["remoteRef"]["property"] = "AWS_SECRET_KEY"
    vault(broken)
    assert eso_problems(openbao, token_review, broken) == [
        "ExternalSecret wf-acme-beta/s3-credentials-beta: kv/argo/apps/beta/s3/artifacts has no key AWS_SECRET_KEY "
        "(it has ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])"
    ]


@pytest.mark.parametrize(
    "key",
    [
        # ESO puts `data/` in itself: a key written as the API path reads kv/data/data/... and fails.
        "data/argo/apps/beta/s3/artifacts",
        # Another registration's credentials.
        "argo/apps/beta-2/s3/artifacts",
    ],
)
def test_a_remote_key_outside_the_stores_policy_is_caught(broken, vault, openbao, token_review, key):
    secret = broken.object("ExternalSecret", "wf-acme-beta", "s3-credentials-beta")
    for item in secret["spec"]["data"]:
        item["remoteRef"]["key"] = key
    vault(broken)
    problems = eso_problems(openbao, token_review, broken)
    assert f"ExternalSecret wf-acme-beta/s3-credentials-beta: reading kv/{key} fails (403)" in problems


def test_a_role_bound_to_every_namespace_is_caught(broken, vault, openbao, token_review):
    broken.resource(VAULT_ROLE, "gamma")["inputs"]["boundServiceAccountNamespaces"] = ["*"]
    vault(broken)
    assert eso_problems(openbao, token_review, broken) == [
        "SecretStore wf-gammalab-gamma/vault-tenant: role argo-tenants-dev-gamma also logs in the same service account in another namespace"
    ]


def test_a_role_with_the_default_policy_is_caught(broken, vault, openbao, token_review):
    broken.resource(VAULT_ROLE, "beta")["inputs"]["tokenNoDefaultPolicy"] = False
    vault(broken)
    problems = eso_problems(openbao, token_review, broken)
    assert any(p.startswith("SecretStore wf-acme-beta/vault-tenant: token carries policies ['argo-tenants-dev-beta', 'default']") for p in problems)


def test_a_secret_written_to_another_mount_is_caught(broken, vault, openbao, token_review):
    broken.resource(VAULT_SECRET, "gamma", name="argo/apps/gamma/s3/artifacts")["inputs"]["mount"] = "secret"
    vault(broken)
    problems = eso_problems(openbao, token_review, broken)
    assert "ExternalSecret wf-gammalab-gamma/s3-credentials-gamma: reading kv/argo/apps/gamma/s3/artifacts fails (404)" in problems
