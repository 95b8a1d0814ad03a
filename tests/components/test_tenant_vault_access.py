import pytest

from components.tenant_vault_access import TenantVaultAccess, TenantVaultAccessArgs
from tests.support.one_component import StandIn, build_alone, child_types, children, stand_in_urn
from tests.support.program import children_of, component


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


# Built alone, its arguments written out.

POLICY = 'path "secrets/data/apps/lab/s3/artifacts" {\n  capabilities = ["read"]\n}\n'


@pytest.fixture(scope="module")
def alone():
    def program():
        namespace = StandIn("namespace", "wf-lab-repo")
        TenantVaultAccess(
            "lab-vault",
            TenantVaultAccessArgs(
                policy_name="lab-policy",
                policy=POLICY,
                role_name="lab-role",
                auth_backend="k8s-test",
                audience="vault-test",
                service_account="eso",
                namespace=namespace.value,
            ),
        )

    return build_alone(program)


def test_alone_a_policy_and_a_role(alone):
    assert child_types(alone, "TenantVaultAccess", "lab-vault") == {
        "lab-vault-policy": "vault:index/policy:Policy",
        "lab-vault-role": "vault:kubernetes/authBackendRole:AuthBackendRole",
    }


def test_alone_the_policy_is_the_arguments(alone):
    policy = children(alone, "TenantVaultAccess", "lab-vault")["lab-vault-policy"]
    assert policy.inputs == {"name": "lab-policy", "policy": POLICY}


def test_alone_the_role_binds_one_service_account_in_the_namespace_it_waits_for(alone):
    role = children(alone, "TenantVaultAccess", "lab-vault")["lab-vault-role"]
    assert (role.inputs["boundServiceAccountNames"], role.inputs["boundServiceAccountNamespaces"]) == (["eso"], ["wf-lab-repo"])
    assert stand_in_urn(alone, "namespace") in role.depends_on
    assert (role.inputs["roleName"], role.inputs["backend"], role.inputs["audience"]) == ("lab-role", "k8s-test", "vault-test")


def test_alone_the_role_carries_its_policy_and_no_default_policy(alone):
    found = children(alone, "TenantVaultAccess", "lab-vault")
    role = found["lab-vault-role"]
    assert (role.inputs["tokenPolicies"], role.inputs["tokenNoDefaultPolicy"]) == (["lab-policy"], True)
    assert found["lab-vault-policy"].urn in role.depends_on
