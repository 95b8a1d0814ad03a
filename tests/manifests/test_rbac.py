from tenancy.manifests import rbac
from tests.support.program import make_settings, registration, tenant_of

TENANT = tenant_of(registration("alpha", adminUsers=["lead@acme.org"], readUsers=["viewer@acme.org"]))


def pairs(tenant):
    return {role["metadata"]["name"]: (role, binding) for role, binding in rbac.tenant_rbac(tenant)}


def verbs(role, group, resource):
    return {v for rule in role["rules"] if group in rule["apiGroups"] and resource in rule["resources"] for v in rule["verbs"]}


def test_everything_is_namespaced_to_the_tenant():
    for role, binding in rbac.tenant_rbac(TENANT):
        assert role["metadata"]["namespace"] == binding["metadata"]["namespace"] == "wf-acme-alpha"
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role["metadata"]["name"]}


def test_runner_only_reports_task_results():
    role, binding = pairs(TENANT)["wf-runner"]
    assert role["rules"] == [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]}]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "wf-runner", "namespace": "wf-acme-alpha"}]


def test_sensor_may_only_submit_workflows():
    # What `argo submit` and Argo Events' trigger need (tests/integration/graph_checks.py cites them).
    role, binding = pairs(TENANT)["argo-events-submit"]
    assert role["rules"] == [
        {"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["create", "list"]},
        {"apiGroups": ["argoproj.io"], "resources": ["workflowtemplates"], "verbs": ["get"]},
    ]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "argo-tenants-sensor", "namespace": "argo-events"}]


def test_admins_manage_workflows_but_not_templates_or_secrets():
    role, binding = pairs(TENANT)["tenant-admin"]
    assert {"create", "delete", "update"} <= verbs(role, "argoproj.io", "workflows")
    assert verbs(role, "argoproj.io", "workflowtemplates") == {"get", "list", "watch"}
    assert verbs(role, "", "secrets") == set() and verbs(role, "", "configmaps") == set()
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "lead@acme.org"}]


def test_readers_only_read():
    role, binding = pairs(TENANT)["tenant-reader"]
    for rule in role["rules"]:
        assert set(rule["verbs"]) <= {"get", "list", "watch"}
    assert verbs(role, "", "pods/log") == {"get", "list", "watch"}
    assert verbs(role, "", "secrets") == set()
    assert binding["subjects"][0]["name"] == "viewer@acme.org"


def test_no_user_roles_without_users():
    assert set(pairs(tenant_of(registration("beta")))) == {"wf-runner", "argo-events-submit"}


def test_oidc_username_prefix_is_applied():
    tenant = tenant_of(registration("alpha", adminUsers=["lead@acme.org"]), make_settings(userPrefix="oidc:"))
    assert pairs(tenant)["tenant-admin"][1]["subjects"][0]["name"] == "oidc:lead@acme.org"


def test_another_tenants_users_get_nothing_here():
    other = tenant_of(registration("beta", adminUsers=["boss@other.org"]))
    names = {s["name"] for _, binding in rbac.tenant_rbac(TENANT) for s in binding["subjects"]}
    assert "boss@other.org" not in names
    assert all(binding["metadata"]["namespace"] == "wf-acme-beta" for _, binding in rbac.tenant_rbac(other))


def test_namespace_records_public_flag_and_labels():
    ns = rbac.namespace(tenant_of(registration("alpha", isPublic=True)))
    labels = ns["metadata"]["labels"]
    assert ns["metadata"]["name"] == "wf-acme-alpha"
    assert labels["calypr.io/public"] == "true"
    assert labels["source"] == "repo-registration" and labels["tenant"] == "research"
    assert labels["calypr.io/workflow-tenant"] == "true"
