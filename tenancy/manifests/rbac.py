"""Namespaces, service accounts, Roles and RoleBindings of a tenant namespace, the Argo UI's SSO RBAC
service accounts, and the platform's own service accounts, as Kubernetes manifests."""

from __future__ import annotations

from typing import Iterable

from tenancy.manifests import sync_wait
from tenancy.manifests.guardrails import pod_security_labels
from tenancy.model import labels, naming
from tenancy.model.inputs import Input
from tenancy.model.tenant import Tenant

_READ = ["get", "list", "watch"]
_WRITE = ["get", "list", "watch", "create", "update", "patch", "delete"]

# Argo's SSO RBAC (argo-server with --auth-mode=sso and sso.rbac.enabled): argo-server evaluates each
# service account's rule against the signed-in user's claims and acts as the first account that matches,
# in order of precedence (higher first). With SSO_DELEGATE_RBAC_TO_NAMESPACE, a request for a namespace
# uses that namespace's account only when its precedence beats the user's login account in argo-server's
# namespace (docs/operations.md#the-argo-ui-sso-rbac).
RBAC_RULE_ANNOTATION = "workflows.argoproj.io/rbac-rule"
RBAC_PRECEDENCE_ANNOTATION = "workflows.argoproj.io/rbac-rule-precedence"
READER_PRECEDENCE = 1
# Above the reader's, so that an admin gets the admin account even where the reader rule matches everyone.
ADMIN_PRECEDENCE = 2
# A reader rule that matches every signed-in user (isPublic).
EVERYONE = "true"
TOKEN_SECRET_TYPE = "kubernetes.io/service-account-token"
TOKEN_SECRET_ACCOUNT_ANNOTATION = "kubernetes.io/service-account.name"

# The Argo executor (emissary) reports step results through WorkflowTaskResults; that is all the
# workflow pods' service account needs. The controller, not the pod, reads the artifact repository.
RUNNER_RULES = [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]}]
# With the k8s executor, the runner (Nextflow's head) starts each process as a pod, follows it until it
# ends, reads its log and deletes it (plugins/nf-k8s K8sClient with k8s.computeResourceType 'Pod':
# POST pods, GET pods/<name>/status and pods/<name>/log, DELETE pods/<name>): pods only, in its own
# namespace, bound to the runner alone.
NEXTFLOW_EXECUTOR_RULES = [
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "get", "list", "watch", "delete"]},
    {"apiGroups": [""], "resources": ["pods/status", "pods/log"], "verbs": ["get"]},
]
# Argo Events submits with `argo submit`, which first validates the Workflow against its
# WorkflowTemplate (reading it), then lists Workflows by label to report the one it created.
SENSOR_SUBMIT_RULES = [
    {"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["create", "list"]},
    {"apiGroups": ["argoproj.io"], "resources": ["workflowtemplates"], "verbs": ["get"]},
]
# What argo-server does as a reader's account: show workflows, templates, cron workflows, pods, their
# live logs and events. Archived logs and artifacts are read from S3 by argo-server's artifact server
# with the credential Secret the artifact repository names, read as that account (artifactRulesFor).
READER_RULES = [
    {"apiGroups": ["argoproj.io"], "resources": ["workflows", "cronworkflows", "workflowtemplates"], "verbs": _READ},
    {"apiGroups": [""], "resources": ["pods", "pods/log", "events"], "verbs": _READ},
]
# Admins also submit (create; from a template, which they read), resubmit (create), retry (update the
# workflow, delete its failed pods), stop, terminate, suspend and resume (update/patch), and delete.
# WorkflowTemplates are managed by this program, so admins read them but do not edit them.
ADMIN_RULES = [
    {"apiGroups": ["argoproj.io"], "resources": ["workflows", "cronworkflows"], "verbs": _WRITE},
    {"apiGroups": ["argoproj.io"], "resources": ["workflowtemplates"], "verbs": _READ},
    {"apiGroups": [""], "resources": ["pods"], "verbs": [*_READ, "delete"]},
    {"apiGroups": [""], "resources": ["pods/log", "events"], "verbs": _READ},
]



def namespace(tenant: Tenant) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": tenant.namespace,
            "labels": {**labels.namespace_labels(tenant), **pod_security_labels(tenant)},
            "annotations": labels.tenant_annotations(tenant),
        },
    }


def service_account_names(tenant: Tenant) -> list[str]:
    """The namespace's own accounts: the workflow pods' (wf-runner), ESO's for Vault (eso-vault), with the
    GitHub App ESO's for the App's namespace (eso-github), with the k8s executor Nextflow's task pods', and
    with spec.definitions the run's waiter (wf-sync-waiter)."""
    names = [naming.RUNNER_SERVICE_ACCOUNT, naming.ESO_SERVICE_ACCOUNT]
    if tenant.settings.github_app is not None:
        names.append(naming.GITHUB_TOKEN_SERVICE_ACCOUNT)
    if tenant.spec.nextflow.executor == "k8s":
        names.append(naming.NEXTFLOW_TASK_SERVICE_ACCOUNT)
    if tenant.definitions is not None:
        names.append(naming.SYNC_WAITER_SERVICE_ACCOUNT)
    return names


def service_account(tenant: Tenant, name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": labels.tenant_metadata(tenant, name)}


def platform_service_account(name: str, namespace: str) -> dict:
    """A service account of the stack-level objects shared by all registrations."""
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace, "labels": labels.platform_labels()}}


def expr_string(value: str) -> str:
    """`value` as a string literal of expr (github.com/expr-lang/expr), the language of Argo's rbac-rule.

    Single-quoted, with a quote or backslash escaped and every character outside printable ASCII
    written as a \\u or \\U escape, so no tenant-written character can end the literal or reach the
    lexer raw (expr's unescape reads exactly these escapes back).
    """
    out = []
    for char in value:
        if char in "'\\":
            out.append(f"\\{char}")
        elif " " <= char <= "~":
            out.append(char)
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return "'" + "".join(out) + "'"


def email_rule(emails: Iterable[str]) -> str:
    """An rbac-rule that matches a signed-in user whose `email` claim is one of `emails`, exactly."""
    return f"email in [{', '.join(expr_string(email) for email in emails)}]"


def sso_access(tenant: Tenant) -> list[tuple[str, str, int, list[dict]]]:
    """(account and Role name, rbac-rule, precedence, Role rules) of each access level that has people:
    admins where adminUsers are listed; readers where readUsers are listed, or everyone with isPublic."""
    spec = tenant.spec
    artifact_secrets = artifact_rules(tenant)
    levels = []
    if spec.admin_users:
        levels.append((naming.ADMIN_SERVICE_ACCOUNT, email_rule(spec.admin_users), ADMIN_PRECEDENCE, [*ADMIN_RULES, *artifact_secrets]))
    if spec.read_users or spec.is_public:
        rule = EVERYONE if spec.is_public else email_rule(spec.read_users)
        levels.append((naming.READER_SERVICE_ACCOUNT, rule, READER_PRECEDENCE, [*READER_RULES, *artifact_secrets]))
    return levels


def artifact_rules(tenant: Tenant) -> list[dict]:
    """`get` on exactly the Secrets the namespace's artifact repository names: argo-server's artifact
    server reads them as the user's account to fetch artifacts and archived logs from S3."""
    return [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": [tenant.artifacts.secret_name], "verbs": ["get"]}]


def sso_service_accounts(tenant: Tenant) -> list[dict]:
    """The namespace's SSO RBAC service accounts, each annotated with its rule and precedence."""
    accounts = []
    for name, rule, precedence, _ in sso_access(tenant):
        account = service_account(tenant, name)
        account["metadata"]["annotations"] = {
            **account["metadata"]["annotations"],
            RBAC_RULE_ANNOTATION: rule,
            RBAC_PRECEDENCE_ANNOTATION: str(precedence),
        }
        accounts.append(account)
    return accounts


def token_secret(*, account: Input[str], name: str, namespace: Input[str], labels: dict, annotations: dict) -> dict:
    """Secret `name`, a long-lived token of ServiceAccount `account`, filled in by Kubernetes: since
    Kubernetes 1.24 none is made by itself, and argo-server finds an SSO account's token by the Secret's
    name (naming.service_account_token_secret_name). Components pass the account's Output (the same
    name): Kubernetes deletes a token Secret whose account does not exist yet, so the Secret waits for it."""
    metadata = {
        "name": name,
        "namespace": namespace,
        "labels": labels,
        "annotations": {**annotations, TOKEN_SECRET_ACCOUNT_ANNOTATION: account},
    }
    return {"apiVersion": "v1", "kind": "Secret", "type": TOKEN_SECRET_TYPE, "metadata": metadata}


def role(tenant: Tenant, name: str, rules: list[dict]) -> dict:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": labels.tenant_metadata(tenant, name), "rules": rules}


def role_binding(tenant: Tenant, role_name: str, subjects: list[dict]) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": labels.tenant_metadata(tenant, role_name),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role_name},
        "subjects": subjects,
    }


def service_account_subject(name: str, namespace: str) -> dict:
    return {"kind": "ServiceAccount", "name": name, "namespace": namespace}


def tenant_rbac(tenant: Tenant) -> list[tuple[dict, dict]]:
    """(Role, RoleBinding) pairs of the namespace: the runner's, the Sensor's, and one per SSO access level."""
    pairs = [
        (naming.RUNNER_ROLE, RUNNER_RULES, [service_account_subject(naming.RUNNER_SERVICE_ACCOUNT, tenant.namespace)]),
        (
            naming.SENSOR_SUBMIT_ROLE,
            SENSOR_SUBMIT_RULES,
            # Only the Sensor of the stack that deploys the tenant routes its pushes: another shard's is not trusted.
            [
                service_account_subject(
                    naming.sensor_service_account_name(tenant.settings.shard_name), tenant.settings.namespaces.argo_events
                )
            ],
        ),
    ]
    if tenant.definitions is not None:
        # The first step of each push's run, which waits for Argo CD, then starts the run (sync_wait.py).
        waiter = naming.SYNC_WAITER_SERVICE_ACCOUNT
        pairs.append((waiter, sync_wait.WAITER_RULES, [service_account_subject(waiter, tenant.namespace)]))
    if tenant.spec.nextflow.executor == "k8s":
        pairs.append(
            (
                naming.NEXTFLOW_EXECUTOR_ROLE,
                NEXTFLOW_EXECUTOR_RULES,
                [service_account_subject(naming.RUNNER_SERVICE_ACCOUNT, tenant.namespace)],
            )
        )
    for name, _, _, rules in sso_access(tenant):
        pairs.append((name, rules, [service_account_subject(name, tenant.namespace)]))
    return [(role(tenant, name, rules), role_binding(tenant, name, subjects)) for name, rules, subjects in pairs]
