from tenancy.manifests.vault_policy import tenant_policy
from tests.support.program import children_of, component, tenant_of, registration


def parts(plan, tenant):
    return {r.type: r for r in children_of(plan, component(plan, "TenantVaultAccess", f"{tenant}-vault").urn)}


def test_policy_is_the_tenant_policy(dev_plan):
    policy = parts(dev_plan, "alpha")["vault:index/policy:Policy"]
    assert policy.inputs["name"] == "argo-tenants-dev-alpha"
    assert 'path "kv/data/argo/apps/alpha/s3/artifacts"' in policy.inputs["policy"]
    assert 'path "kv/data/argo/apps/alpha/s3/data"' in policy.inputs["policy"]
    assert "github" not in policy.inputs["policy"]


def test_role_is_bound_to_one_service_account_in_one_namespace_with_only_that_policy(dev_plan):
    role = parts(dev_plan, "alpha")["vault:kubernetes/authBackendRole:AuthBackendRole"]
    assert role.inputs["roleName"] == "argo-tenants-dev-alpha"
    assert role.inputs["backend"] == "kubernetes"
    assert role.inputs["boundServiceAccountNames"] == ["eso-vault"]
    assert role.inputs["boundServiceAccountNamespaces"] == ["wf-acme-alpha-pipeline"]
    assert role.inputs["tokenPolicies"] == ["argo-tenants-dev-alpha"]
    assert role.inputs["tokenNoDefaultPolicy"] is True
    assert role.inputs["audience"] == "vault"
