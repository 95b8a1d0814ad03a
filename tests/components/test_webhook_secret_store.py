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
