"""Namespaces, service accounts, Roles and RoleBindings of a tenant namespace, and the platform's own
service accounts, as Kubernetes manifests."""

from __future__ import annotations

from typing import Iterable

from tenancy.model import labels, naming
from tenancy.model.tenant import Tenant

_READ = ["get", "list", "watch"]
_WRITE = ["get", "list", "watch", "create", "update", "patch", "delete"]

# The Argo executor (emissary) reports step results through WorkflowTaskResults; that is all the
# workflow pods' service account needs. The controller, not the pod, reads the artifact repository.
RUNNER_RULES = [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]}]
# Argo Events submits with `argo submit`, which first validates the Workflow against its
# WorkflowTemplate (reading it), then lists Workflows by label to report the one it created.
SENSOR_SUBMIT_RULES = [
    {"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["create", "list"]},
    {"apiGroups": ["argoproj.io"], "resources": ["workflowtemplates"], "verbs": ["get"]},
]
# WorkflowTemplates are managed by this program, so admins read them but do not edit them.
ADMIN_RULES = [
    {"apiGroups": ["argoproj.io"], "resources": ["workflows", "cronworkflows"], "verbs": _WRITE},
    {"apiGroups": ["argoproj.io"], "resources": ["workflowtemplates"], "verbs": _READ},
    {"apiGroups": [""], "resources": ["pods"], "verbs": [*_READ, "delete"]},
    {"apiGroups": [""], "resources": ["pods/log", "events"], "verbs": _READ},
]
READER_RULES = [
    {"apiGroups": ["argoproj.io"], "resources": ["workflows", "cronworkflows", "workflowtemplates"], "verbs": _READ},
    {"apiGroups": [""], "resources": ["pods", "pods/log", "events"], "verbs": _READ},
]


def _metadata(tenant: Tenant, name: str) -> dict:
    return {
        "name": name,
        "namespace": tenant.namespace,
        "labels": labels.tenant_labels(tenant),
        "annotations": labels.tenant_annotations(tenant),
    }


def namespace(tenant: Tenant) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": tenant.namespace,
            "labels": labels.namespace_labels(tenant),
            "annotations": labels.tenant_annotations(tenant),
        },
    }


def service_account(tenant: Tenant, name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _metadata(tenant, name)}


def platform_service_account(name: str, namespace: str) -> dict:
    """A service account of the stack-level objects shared by all registrations."""
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace, "labels": labels.platform_labels()}}


def role(tenant: Tenant, name: str, rules: list[dict]) -> dict:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": _metadata(tenant, name), "rules": rules}


def role_binding(tenant: Tenant, role_name: str, subjects: list[dict]) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _metadata(tenant, role_name),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role_name},
        "subjects": subjects,
    }


def service_account_subject(name: str, namespace: str) -> dict:
    return {"kind": "ServiceAccount", "name": name, "namespace": namespace}


def user_subjects(emails: Iterable[str], user_prefix: str) -> list[dict]:
    return [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": f"{user_prefix}{email}"} for email in emails]


def tenant_rbac(tenant: Tenant) -> list[tuple[dict, dict]]:
    """(Role, RoleBinding) pairs of the namespace; user roles only where users are listed."""
    prefix = tenant.settings.user_prefix
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
    if tenant.spec.admin_users:
        pairs.append((naming.ADMIN_ROLE, ADMIN_RULES, user_subjects(tenant.spec.admin_users, prefix)))
    if tenant.spec.read_users:
        pairs.append((naming.READER_ROLE, READER_RULES, user_subjects(tenant.spec.read_users, prefix)))
    return [(role(tenant, name, rules), role_binding(tenant, name, subjects)) for name, rules, subjects in pairs]
