"""The tenant namespace with its service accounts, Roles and RoleBindings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi

from components.kubernetes_object import kubernetes_object


@dataclass(frozen=True)
class TenantNamespaceArgs:
    """Manifests from `tenancy.manifests.rbac`: the Namespace, the ServiceAccounts in it, and
    (Role, RoleBinding) pairs as `rbac.tenant_rbac` gives them."""

    namespace: dict
    service_accounts: Sequence[dict]
    roles: Sequence[tuple[dict, dict]]


class TenantNamespace(pulumi.ComponentResource):
    """Children: the Namespace (`wf-<owner>-<repo>`); in it, each ServiceAccount and each Role with its
    RoleBinding (for a registration: `wf-runner`, `eso-vault`, and the runner, sensor, admin and
    reader roles)."""

    def __init__(self, name: str, args: TenantNamespaceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantNamespace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = kubernetes_object(f"{name}-namespace", args.namespace, child)
        self.name = namespace.metadata.apply(lambda metadata: metadata["name"])
        for account in args.service_accounts:
            account_name = account["metadata"]["name"]
            kubernetes_object(f"{name}-sa-{account_name}", account, child, namespace=self.name)
        for role, binding in args.roles:
            role_name = role["metadata"]["name"]
            kubernetes_object(f"{name}-role-{role_name}", role, child, namespace=self.name)
            kubernetes_object(f"{name}-rolebinding-{role_name}", binding, child, namespace=self.name)
        self.register_outputs({"name": self.name})
