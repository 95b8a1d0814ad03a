import pytest

from tenancy.manifests import rbac
from tenancy.model import naming
from tests.support.policy_checks import rbac_allows
from tests.support.expr_rules import ExprError, decode_literal, eval_rule
from tests.support.program import registration, tenant_of

# Claims as argo-server hands them to a rule (server/auth/types.Claims as JSON).
CLAIMS = {"iss": "https://dex.example.org", "sub": "CgNhYmM", "email_verified": True, "groups": ["lab"], "name": "A. User"}

TENANT = tenant_of(registration("alpha", adminUsers=["lead@acme.org"], readUsers=["viewer@acme.org"]))


def pairs(tenant):
    return {role["metadata"]["name"]: (role, binding) for role, binding in rbac.tenant_rbac(tenant)}


def secret_rules(role):
    return [rule for rule in role["rules"] if "secrets" in rule["resources"]]


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


def test_admins_manage_workflows_but_not_templates_and_read_only_the_artifact_secret():
    role, binding = pairs(TENANT)["tenant-admin"]
    assert {"create", "delete", "update", "patch"} <= verbs(role, "argoproj.io", "workflows")
    assert verbs(role, "argoproj.io", "workflowtemplates") == {"get", "list", "watch"}
    assert "delete" in verbs(role, "", "pods")  # retry deletes the failed pods
    assert secret_rules(role) == [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["s3-credentials-alpha"], "verbs": ["get"]}]
    assert verbs(role, "", "configmaps") == set()
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "tenant-admin", "namespace": "wf-acme-alpha"}]


def test_readers_only_read_and_open_artifacts():
    role, binding = pairs(TENANT)["tenant-reader"]
    for rule in role["rules"]:
        assert set(rule["verbs"]) <= {"get", "list", "watch"}
    assert verbs(role, "", "pods/log") == {"get", "list", "watch"}
    assert secret_rules(role) == [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["s3-credentials-alpha"], "verbs": ["get"]}]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "tenant-reader", "namespace": "wf-acme-alpha"}]


def test_no_user_roles_without_users():
    assert set(pairs(tenant_of(registration("beta")))) == {"wf-runner", "argo-events-submit"}
    assert rbac.sso_service_accounts(tenant_of(registration("beta"))) == []


def test_a_public_registration_has_readers_without_read_users():
    tenant = tenant_of(registration("beta", isPublic=True))
    [account] = rbac.sso_service_accounts(tenant)
    assert account["metadata"]["name"] == "tenant-reader"
    assert account["metadata"]["annotations"]["workflows.argoproj.io/rbac-rule"] == "true"
    assert set(pairs(tenant)) == {"wf-runner", "argo-events-submit", "tenant-reader"}


def test_sso_accounts_carry_rule_and_precedence():
    accounts = {a["metadata"]["name"]: a["metadata"]["annotations"] for a in rbac.sso_service_accounts(TENANT)}
    assert accounts["tenant-admin"]["workflows.argoproj.io/rbac-rule"] == "email in ['lead@acme.org']"
    assert accounts["tenant-reader"]["workflows.argoproj.io/rbac-rule"] == "email in ['viewer@acme.org']"
    # The admin account outranks the reader one, and both outrank a login account of precedence 0.
    assert (accounts["tenant-admin"]["workflows.argoproj.io/rbac-rule-precedence"], accounts["tenant-reader"]["workflows.argoproj.io/rbac-rule-precedence"]) == ("2", "1")
    assert accounts["tenant-admin"]["repo-registration/name"] == "alpha"


def test_each_sso_account_has_its_token_secret_found_by_name():
    name = naming.service_account_token_secret_name("tenant-reader")
    secret = rbac.token_secret(account="tenant-reader", name=name, namespace=TENANT.namespace, labels={}, annotations={})
    assert secret["type"] == "kubernetes.io/service-account-token"
    assert secret["metadata"]["name"] == "tenant-reader.service-account-token"
    assert secret["metadata"]["annotations"]["kubernetes.io/service-account.name"] == "tenant-reader"
    assert "data" not in secret and "stringData" not in secret  # Kubernetes writes the token


NASTY = [
    "o'brien@acme.org",
    "'||true||'@acme.org",
    "'==''||true||''=='@acme.org",
    "x'] or true or ['@acme.org",
    "back\\slash@acme.org",
    "line\nbreak@acme.org",
    "\u2028@acme.org",
    "caf\u00e9@acme.org",
    "\U0001f600@acme.org",
    "nul\x00@acme.org",
]


@pytest.mark.parametrize("email", NASTY)
def test_an_email_is_one_literal_that_matches_itself_and_nobody_else(email):
    literal = rbac.expr_string(email)
    assert decode_literal(literal) == email
    assert all(" " <= char <= "~" for char in literal)  # nothing raw reaches the lexer
    rule = rbac.email_rule([email, "lead@acme.org"])
    assert eval_rule(rule, CLAIMS | {"email": email}) is True
    assert eval_rule(rule, CLAIMS | {"email": "lead@acme.org"}) is True
    assert eval_rule(rule, CLAIMS | {"email": "someone@acme.org"}) is False


def test_a_registration_email_that_tries_to_break_out_stays_a_string():
    # The tenant file's email format allows quotes and pipes: unescaped, this would read '' || true || '...'.
    tenant = tenant_of(registration("alpha", adminUsers=["'||true||'@acme.org"]))
    [admin] = [a for a in rbac.sso_service_accounts(tenant) if a["metadata"]["name"] == "tenant-admin"]
    rule = admin["metadata"]["annotations"]["workflows.argoproj.io/rbac-rule"]
    assert rule == "email in ['\\'||true||\\'@acme.org']"
    assert eval_rule(rule, CLAIMS | {"email": "stranger@acme.org"}) is False


def test_rules_compare_emails_exactly():
    rule = rbac.email_rule(["Lead@acme.org"])
    assert eval_rule(rule, CLAIMS | {"email": "lead@acme.org"}) is False


def test_a_user_without_an_email_claim_matches_no_email_rule():
    # argo-server compiles the rule against the claims: an absent claim is an error, which it treats as no match.
    with pytest.raises(ExprError, match="unknown name email"):
        eval_rule(rbac.email_rule(["lead@acme.org"]), {"sub": "123", "groups": []})
    assert eval_rule(rbac.EVERYONE, {"sub": "123"}) is True


def test_another_tenants_users_get_nothing_here():
    other = tenant_of(registration("beta", adminUsers=["boss@other.org"]))
    rules = [a["metadata"]["annotations"]["workflows.argoproj.io/rbac-rule"] for a in rbac.sso_service_accounts(TENANT)]
    assert not any(eval_rule(rule, CLAIMS | {"email": "boss@other.org"}) for rule in rules)
    assert all(binding["metadata"]["namespace"] == "wf-acme-beta" for _, binding in rbac.tenant_rbac(other))


def test_namespace_records_public_flag_and_labels():
    ns = rbac.namespace(tenant_of(registration("alpha", isPublic=True)))
    labels = ns["metadata"]["labels"]
    assert ns["metadata"]["name"] == "wf-acme-alpha"
    assert labels["calypr.io/public"] == "true"
    assert labels["source"] == "repo-registration" and labels["tenant"] == "research"
    assert labels["calypr.io/workflow-tenant"] == "true"


K8S_EXECUTOR = tenant_of(registration("alpha", nextflow={"executor": "k8s"}))
OTHER_K8S_EXECUTOR = tenant_of(registration("beta", nextflow={"executor": "k8s"}))


def test_with_the_local_executor_the_runner_may_start_no_pods():
    runner = {"kind": "ServiceAccount", "name": "wf-runner", "namespace": "wf-acme-alpha"}
    assert "nextflow-executor" not in pairs(TENANT)
    assert not rbac_allows(rbac.tenant_rbac(TENANT), runner, "create", "", "pods", "wf-acme-alpha")
    assert "nextflow-task" not in rbac.service_account_names(TENANT)


def test_with_the_k8s_executor_the_runner_starts_follows_and_deletes_pods_in_its_namespace_only():
    everything = [*rbac.tenant_rbac(K8S_EXECUTOR), *rbac.tenant_rbac(OTHER_K8S_EXECUTOR)]
    runner = {"kind": "ServiceAccount", "name": "wf-runner", "namespace": "wf-acme-alpha"}
    for verb in ("create", "get", "list", "watch", "delete"):
        assert rbac_allows(everything, runner, verb, "", "pods", "wf-acme-alpha"), verb
        # Another tenant's namespace, which grants the same Role to its own runner only.
        assert not rbac_allows(everything, runner, verb, "", "pods", "wf-acme-beta"), verb
    # Nextflow's K8sClient follows a task through pods/<name>/status and reads pods/<name>/log.
    for subresource in ("pods/status", "pods/log"):
        assert rbac_allows(everything, runner, "get", "", subresource, "wf-acme-alpha"), subresource
        assert not rbac_allows(everything, runner, "get", "", subresource, "wf-acme-beta"), subresource
    for verb, resource, group in (
        ("update", "pods", ""), ("patch", "pods", ""), ("create", "pods/exec", ""), ("get", "secrets", ""),
        ("patch", "pods/status", ""), ("create", "pods/eviction", ""),
        ("create", "jobs", "batch"), ("create", "configmaps", ""), ("create", "persistentvolumeclaims", ""),
        ("create", "workflows", "argoproj.io"),
    ):
        assert not rbac_allows(everything, runner, verb, group, resource, "wf-acme-alpha"), (verb, resource)


def test_nextflow_task_pods_run_as_an_account_with_no_rights():
    task = {"kind": "ServiceAccount", "name": "nextflow-task", "namespace": "wf-acme-alpha"}
    assert "nextflow-task" in rbac.service_account_names(K8S_EXECUTOR)
    bound = [s for _, binding in rbac.tenant_rbac(K8S_EXECUTOR) for s in binding["subjects"]]
    assert task not in bound


def test_the_namespace_enforces_pod_security():
    labels = rbac.namespace(TENANT)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["pod-security.kubernetes.io/warn"] == labels["pod-security.kubernetes.io/audit"] == "restricted"
