"""How Argo Workflows finds a workflow's artifact repository, and whom argo-server lets do what, applied to a plan.

The controller (workflow/artifactrepositories, `Resolve`) looks a workflow's `artifactRepositoryRef`
up in the workflow's own namespace first, then in the controller's namespace; a ConfigMap key is read
literally (`artifactRepositories.my-project` is one key, not a path). Without a ref it takes the
namespace's `artifact-repositories` ConfigMap and the key its
`workflows.argoproj.io/default-artifact-repository` annotation names. Nothing found is the error a
workflow fails with: "failed to find any artifact repository".
"""

from __future__ import annotations

import yaml

from tenancy.manifests.argo_workflows import DEFAULT_REPOSITORY_ANNOTATION
from tenancy.manifests.rbac import (
    RBAC_PRECEDENCE_ANNOTATION,
    RBAC_RULE_ANNOTATION,
    TOKEN_SECRET_ACCOUNT_ANNOTATION,
    TOKEN_SECRET_TYPE,
)
from tenancy.model import naming
from tests.integration.plan import Plan, manifest_id
from tests.support.expr_rules import ExprError, eval_rule

NOT_FOUND = "failed to find any artifact repository"


def resolve_artifact_repository(plan: Plan, workflow: dict, namespace: str, controller_namespace: str) -> tuple[str, dict]:
    """(where it was found, the ArtifactRepository) for `workflow` submitted in `namespace`; LookupError otherwise."""
    ref = workflow["spec"].get("artifactRepositoryRef")
    if ref is None:
        refs = [(namespace, naming.ARTIFACT_REPOSITORIES_CONFIGMAP, None), (controller_namespace, naming.ARTIFACT_REPOSITORIES_CONFIGMAP, None)]
    else:
        name = ref.get("configMap") or naming.ARTIFACT_REPOSITORIES_CONFIGMAP
        refs = [(namespace, name, ref.get("key")), (controller_namespace, name, ref.get("key"))]
    for where, name, key in refs:
        configmap = plan.manifest("ConfigMap", where, name)
        if configmap is None:
            continue
        key = key or configmap["metadata"].get("annotations", {}).get(DEFAULT_REPOSITORY_ANNOTATION)
        if key is None or key not in configmap.get("data", {}):
            continue
        return f"{manifest_id(configmap)} data.{key}", yaml.safe_load(configmap["data"][key])
    raise LookupError(f"{NOT_FOUND} for {ref or 'the namespace default'} in {namespace} or {controller_namespace}")


# --- the Argo UI: which account argo-server acts as, and what that account may do ---------------

LOGIN_PRECEDENCE = 0  # the operator's login account in argo-server's namespace (docs/operations.md)


def _precedence(account: dict) -> int:
    try:
        return int(account["metadata"].get("annotations", {}).get(RBAC_PRECEDENCE_ANNOTATION, "0"))
    except ValueError:
        return 0


def sso_account(plan: Plan, namespace: str, claims: dict) -> str | None:
    """The account argo-server (SSO RBAC, delegated to namespaces) acts as for a request in `namespace`,
    as server/auth/gatekeeper.go chooses it: the namespace's annotated accounts by precedence, highest
    first; the first rule that holds wins; a rule that errs ends the search. The namespace's account
    is used only when its precedence beats the login account's; None means the login account, which
    the platform gives nothing in tenant namespaces."""
    accounts = [a for a in plan.manifests("ServiceAccount", namespace) if RBAC_RULE_ANNOTATION in a["metadata"].get("annotations", {})]
    for account in sorted(accounts, key=_precedence, reverse=True):
        try:
            allowed = eval_rule(account["metadata"]["annotations"][RBAC_RULE_ANNOTATION], claims)
        except ExprError:
            return None
        if allowed:
            if _precedence(account) <= LOGIN_PRECEDENCE:
                return None
            if not _has_token(plan, namespace, account["metadata"]["name"]):
                return None  # argo-server fails: "failed to get service account secret"
            return account["metadata"]["name"]
    return None


def _has_token(plan: Plan, namespace: str, account: str) -> bool:
    secret = plan.manifest("Secret", namespace, naming.service_account_token_secret_name(account))
    return (
        secret is not None
        and secret.get("type") == TOKEN_SECRET_TYPE
        and secret["metadata"].get("annotations", {}).get(TOKEN_SECRET_ACCOUNT_ANNOTATION) == account
    )


def rbac_allows(plan: Plan, namespace: str, account: str, verb: str, group: str, resource: str, name: str | None = None) -> bool:
    """Kubernetes RBAC for a service account through the Roles of `namespace` bound to it; a rule with
    resourceNames grants only requests for one of those names."""
    for binding in plan.manifests("RoleBinding", namespace):
        subjects = {(s.get("namespace"), s["name"]) for s in binding.get("subjects", []) if s["kind"] == "ServiceAccount"}
        if (namespace, account) not in subjects or binding["roleRef"]["kind"] != "Role":
            continue
        role = plan.manifest("Role", namespace, binding["roleRef"]["name"]) or {}
        for rule in role.get("rules", []):
            names = rule.get("resourceNames")
            if (
                verb in rule["verbs"]
                and group in rule["apiGroups"]
                and resource in rule["resources"]
                and (not names or (name is not None and name in names))
            ):
                return True
    return False


def artifact_secret_names(plan: Plan, namespace: str) -> set[str]:
    """The Secrets argo-server's artifact server reads (as the user's account) for this namespace's workflows."""
    _, repository = resolve_artifact_repository(plan, {"spec": {}}, namespace, namespace)
    return {repository["s3"][field]["name"] for field in ("accessKeySecret", "secretKeySecret")}


# What each UI action makes argo-server do as the chosen account (server/workflow, server/artifacts):
# (verb, group, resource, name or None), all of which must be allowed.
def ui_actions(plan: Plan, namespace: str) -> dict[str, list[tuple[str, str, str, str | None]]]:
    artifacts = [("get", "", "secrets", secret) for secret in sorted(artifact_secret_names(plan, namespace))]
    return {
        "view": [("list", "argoproj.io", "workflows", None), ("get", "argoproj.io", "workflows", None)],
        "logs": [("list", "", "pods", None), ("get", "", "pods/log", None)],
        "artifacts": [("get", "argoproj.io", "workflows", None), *artifacts],
        "submit": [("get", "argoproj.io", "workflowtemplates", None), ("create", "argoproj.io", "workflows", None)],
        "resubmit": [("get", "argoproj.io", "workflows", None), ("create", "argoproj.io", "workflows", None)],
        "retry": [("update", "argoproj.io", "workflows", None), ("delete", "", "pods", None)],
        "stop": [("get", "argoproj.io", "workflows", None), ("update", "argoproj.io", "workflows", None)],
    }


READER_ACTIONS = {"view", "logs", "artifacts"}
ADMIN_ACTIONS = READER_ACTIONS | {"submit", "resubmit", "retry", "stop"}


def allowed_actions(plan: Plan, namespace: str, claims: dict) -> set[str]:
    account = sso_account(plan, namespace, claims)
    if account is None:
        return set()
    return {
        action
        for action, needs in ui_actions(plan, namespace).items()
        if all(rbac_allows(plan, namespace, account, *need) for need in needs)
    }
