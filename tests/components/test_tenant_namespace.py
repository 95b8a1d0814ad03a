import pytest

from components.tenant_namespace import TenantNamespace, TenantNamespaceArgs
from tests.support.one_component import build_alone, child_types, children, waiting_for
from tests.support.program import children_of, component

NS = "kubernetes:core/v1:Namespace"


def parts(plan, tenant):
    return children_of(plan, component(plan, "TenantNamespace", f"{tenant}-namespace").urn)


def test_namespace_named_after_the_repository(dev_plan):
    [ns] = [r for r in parts(dev_plan, "beta") if r.type == NS]
    assert ns.inputs["metadata"]["name"] == "wf-acme-beta-repo"
    assert ns.inputs["apiVersion"] == "v1" and ns.inputs["kind"] == "Namespace"
    assert ns.inputs["metadata"]["labels"]["calypr.io/public"] == "false"


def test_public_flag_is_recorded(dev_plan):
    [ns] = [r for r in parts(dev_plan, "alpha") if r.type == NS]
    assert ns.inputs["metadata"]["labels"]["calypr.io/public"] == "true"


def test_service_accounts_roles_and_bindings(token_plan):
    # Without the App (with it, the namespace also holds eso-github: tests/components/test_tenant_github_tokens.py).
    kinds = sorted((r.inputs["kind"], r.inputs["metadata"]["name"]) for r in parts(token_plan, "alpha") if r.type != NS)
    assert kinds == [
        ("LimitRange", "tenant-limits"), ("NetworkPolicy", "tenant-default"), ("ResourceQuota", "tenant-quota"),
        ("Role", "argo-events-submit"), ("Role", "tenant-admin"), ("Role", "tenant-reader"), ("Role", "wf-runner"),
        ("RoleBinding", "argo-events-submit"), ("RoleBinding", "tenant-admin"), ("RoleBinding", "tenant-reader"), ("RoleBinding", "wf-runner"),
        ("Secret", "tenant-admin.service-account-token"), ("Secret", "tenant-reader.service-account-token"),
        ("ServiceAccount", "eso-vault"), ("ServiceAccount", "tenant-admin"), ("ServiceAccount", "tenant-reader"), ("ServiceAccount", "wf-runner"),
    ]


def test_each_token_secret_waits_for_its_service_account(dev_plan):
    found = {(r.inputs["kind"], r.inputs["metadata"]["name"]): r for r in parts(dev_plan, "alpha") if r.type != NS}
    for account in ("tenant-admin", "tenant-reader"):
        secret = found[("Secret", f"{account}.service-account-token")]
        assert secret.inputs["type"] == "kubernetes.io/service-account-token"
        assert secret.inputs["metadata"]["annotations"]["kubernetes.io/service-account.name"] == account
        assert found[("ServiceAccount", account)].urn in secret.depends_on


def test_objects_in_the_namespace_wait_for_it(dev_plan):
    found = parts(dev_plan, "alpha")
    [ns] = [r for r in found if r.type == NS]
    for resource in found:
        if resource is not ns:
            assert ns.urn in resource.depends_on, resource.urn
            assert resource.inputs["metadata"]["namespace"] == "wf-acme-alpha-pipeline"


def test_reader_account_matches_every_signed_in_user_of_a_public_tenant(dev_plan):
    # alpha is public: its readers are everyone, whoever readUsers lists.
    [account] = [r for r in parts(dev_plan, "alpha") if r.inputs.get("kind") == "ServiceAccount" and r.inputs["metadata"]["name"] == "tenant-reader"]
    assert account.inputs["metadata"]["annotations"]["workflows.argoproj.io/rbac-rule"] == "true"
    [binding] = [r for r in parts(dev_plan, "alpha") if r.inputs.get("kind") == "RoleBinding" and r.inputs["metadata"]["name"] == "tenant-reader"]
    assert binding.inputs["subjects"] == [{"kind": "ServiceAccount", "name": "tenant-reader", "namespace": "wf-acme-alpha-pipeline"}]


# Built alone, its arguments written out.

RBAC = "rbac.authorization.k8s.io/v1"
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "wf-lab-repo", "labels": {"tenant": "lab"}}}
ACCOUNT = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "runner", "namespace": "wf-lab-repo"}}
READ = [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]
ROLE = {"apiVersion": RBAC, "kind": "Role", "metadata": {"name": "reader", "namespace": "wf-lab-repo"}, "rules": READ}
BINDING = {
    "apiVersion": RBAC,
    "kind": "RoleBinding",
    "metadata": {"name": "reader", "namespace": "wf-lab-repo"},
    "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": "reader"},
    "subjects": [{"apiGroup": RBAC, "kind": "User", "name": "lab@example.org"}],
}




@pytest.fixture(scope="module")
def alone():
    return build_alone(
        lambda: TenantNamespace(
            "lab",
            TenantNamespaceArgs(
                namespace=NAMESPACE,
                service_accounts=[ACCOUNT],
                roles=[(ROLE, BINDING)],
                token_accounts=["runner"],
                token_labels={"tenant": "lab"},
                token_annotations={"repo-registration/name": "lab"},
            ),
        )
    )


def test_alone_the_namespace_then_each_account_token_role_and_binding(alone):
    assert child_types(alone, "TenantNamespace", "lab") == {
        "lab-namespace": "kubernetes:core/v1:Namespace",
        "lab-sa-runner": "kubernetes:core/v1:ServiceAccount",
        "lab-token-runner.service-account-token": "kubernetes:core/v1:Secret",
        "lab-role-reader": f"kubernetes:{RBAC}:Role",
        "lab-rolebinding-reader": f"kubernetes:{RBAC}:RoleBinding",
    }


def test_alone_the_token_secret_waits_for_the_account_it_names(alone):
    found = children(alone, "TenantNamespace", "lab")
    token = found["lab-token-runner.service-account-token"]
    assert found["lab-sa-runner"].urn in token.depends_on
    assert token.inputs["type"] == "kubernetes.io/service-account-token"
    assert token.inputs["metadata"] == {
        "name": "runner.service-account-token",
        "namespace": "wf-lab-repo",
        "labels": {"tenant": "lab"},
        "annotations": {"repo-registration/name": "lab", "kubernetes.io/service-account.name": "runner"},
    }


def test_alone_the_manifests_are_registered_as_given(alone):
    found = children(alone, "TenantNamespace", "lab")
    assert found["lab-namespace"].inputs["metadata"] == NAMESPACE["metadata"]
    assert found["lab-role-reader"].inputs["rules"] == READ
    binding = found["lab-rolebinding-reader"].inputs
    assert (binding["roleRef"], binding["subjects"]) == (BINDING["roleRef"], BINDING["subjects"])


def test_alone_everything_in_the_namespace_waits_for_it(alone):
    found = children(alone, "TenantNamespace", "lab")
    inside = set(found) - {"lab-namespace"}
    assert waiting_for(alone, found["lab-namespace"].urn) == inside
    assert {found[name].inputs["metadata"]["namespace"] for name in inside} == {"wf-lab-repo"}
