import pytest

from components.webhook_secret_store import WebhookSecretStore, WebhookSecretStoreArgs
from tenancy.manifests import rbac
from tenancy.model.settings import VaultSettings
from tests.support.one_component import build_alone, child_types, children
from tests.support.program import children_of, component


def parts(plan):
    return {r.type: r for r in children_of(plan, component(plan, "WebhookSecretStore", "webhooks").urn)}


def test_policy_covers_exactly_the_deployed_registrations(dev_plan, prod_plan):
    dev_policy = parts(dev_plan)["vault:index/policy:Policy"].inputs["policy"]
    # Three webhook paths, plus the token's own lookup/revoke that ESO needs (tenancy/vault_policy.py).
    assert dev_policy.count('path "kv/') == 3 and "apps/delta/github" not in dev_policy
    assert "apps/delta/github" in parts(prod_plan)["vault:index/policy:Policy"].inputs["policy"]
    assert "s3" not in dev_policy


def test_role_is_bound_to_the_store_service_account(dev_plan):
    role = parts(dev_plan)["vault:kubernetes/authBackendRole:AuthBackendRole"].inputs
    assert role["boundServiceAccountNames"] == ["argo-tenants-webhooks"]
    assert role["boundServiceAccountNamespaces"] == ["argo-events"]
    assert role["tokenPolicies"] == ["argo-tenants-dev-webhooks"]


def test_store_lives_in_the_argo_events_namespace(dev_plan):
    store = parts(dev_plan)["kubernetes:external-secrets.io/v1:SecretStore"].inputs
    assert store["metadata"]["namespace"] == "argo-events"
    assert store["spec"]["provider"]["vault"]["auth"]["kubernetes"]["serviceAccountRef"]["name"] == "argo-tenants-webhooks"


# Built alone, its arguments written out.

VAULT = VaultSettings(
    address="https://vault.test:8200", kv_mount="secrets", path_prefix="apps", kubernetes_auth_mount="k8s-test", token_audience="vault-test"
)
POLICY = 'path "secrets/data/apps/lab/github" {\n  capabilities = ["read"]\n}\n'


@pytest.fixture(scope="module")
def alone():
    return build_alone(
        lambda: WebhookSecretStore(
            "hooks",
            WebhookSecretStoreArgs(
                service_account=rbac.platform_service_account("hooks-account", "events"),
                store_name="hooks-store",
                vault=VAULT,
                vault_name="hooks-vault",
                policy=POLICY,
            ),
        )
    )


def test_alone_a_service_account_a_policy_a_role_and_a_store(alone):
    assert child_types(alone, "WebhookSecretStore", "hooks") == {
        "hooks-service-account": "kubernetes:core/v1:ServiceAccount",
        "hooks-policy": "vault:index/policy:Policy",
        "hooks-role": "vault:kubernetes/authBackendRole:AuthBackendRole",
        "hooks-store": "kubernetes:external-secrets.io/v1:SecretStore",
    }


def test_alone_policy_and_role_share_the_vault_name(alone):
    found = children(alone, "WebhookSecretStore", "hooks")
    assert found["hooks-policy"].inputs == {"name": "hooks-vault", "policy": POLICY}
    assert found["hooks-role"].inputs["roleName"] == "hooks-vault"


def test_alone_the_role_binds_the_service_account_where_it_lives_and_waits_for_it(alone):
    found = children(alone, "WebhookSecretStore", "hooks")
    role = found["hooks-role"]
    assert (role.inputs["boundServiceAccountNames"], role.inputs["boundServiceAccountNamespaces"]) == (["hooks-account"], ["events"])
    assert found["hooks-service-account"].urn in role.depends_on
    assert (role.inputs["backend"], role.inputs["audience"]) == ("k8s-test", "vault-test")


def test_alone_the_role_carries_its_policy_and_no_default_policy(alone):
    found = children(alone, "WebhookSecretStore", "hooks")
    role = found["hooks-role"]
    assert (role.inputs["tokenPolicies"], role.inputs["tokenNoDefaultPolicy"]) == (["hooks-vault"], True)
    assert found["hooks-policy"].urn in role.depends_on


def test_alone_the_store_logs_in_with_the_role_it_waits_for(alone):
    found = children(alone, "WebhookSecretStore", "hooks")
    store = found["hooks-store"]
    assert store.inputs["spec"]["provider"]["vault"]["auth"]["kubernetes"]["role"] == "hooks-vault"
    assert found["hooks-role"].urn in store.depends_on
    assert store.inputs["metadata"]["name"] == "hooks-store" and store.inputs["metadata"]["namespace"] == "events"
    vault = store.inputs["spec"]["provider"]["vault"]
    assert (vault["server"], vault["path"]) == ("https://vault.test:8200", "secrets")
    assert vault["auth"]["kubernetes"]["mountPath"] == "k8s-test"
    assert vault["auth"]["kubernetes"]["serviceAccountRef"] == {"name": "hooks-account", "audiences": ["vault-test"]}
