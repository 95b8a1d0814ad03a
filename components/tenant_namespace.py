"""The tenant namespace with its service accounts, Roles and RoleBindings."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import rbac
from tenancy.model import naming
from tenancy.model.tenant import Tenant


@dataclass(frozen=True)
class TenantNamespaceArgs:
    tenant: Tenant


class TenantNamespace(pulumi.ComponentResource):
    """Children: Namespace `wf-<owner>-<repo>`; ServiceAccounts `wf-runner` (workflow pods) and
    `eso-vault` (ESO's Vault login); Role/RoleBinding pairs for the runner, the Argo Events sensor,
    and the registration's admin and read users."""

    def __init__(self, name: str, args: TenantNamespaceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantNamespace", name, None, opts)
        tenant = args.tenant
        child = pulumi.ResourceOptions(parent=self)
        namespace = kubernetes_object(f"{name}-namespace", rbac.namespace(tenant), child)
        self.name = namespace.metadata.apply(lambda metadata: metadata["name"])
        for account in (naming.RUNNER_SERVICE_ACCOUNT, naming.ESO_SERVICE_ACCOUNT):
            kubernetes_object(f"{name}-sa-{account}", rbac.service_account(tenant, account), child, namespace=self.name)
        for role, binding in rbac.tenant_rbac(tenant):
            role_name = role["metadata"]["name"]
            kubernetes_object(f"{name}-role-{role_name}", role, child, namespace=self.name)
            kubernetes_object(f"{name}-rolebinding-{role_name}", binding, child, namespace=self.name)
        self.register_outputs({"name": self.name})
