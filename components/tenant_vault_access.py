"""The registration's Vault policy and the Kubernetes auth role that hands it to its namespace's ESO service account."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_vault as vault

from tenancy.manifests import vault_policy
from tenancy.model import naming
from tenancy.model.tenant import Tenant


@dataclass(frozen=True)
class TenantVaultAccessArgs:
    tenant: Tenant
    namespace: pulumi.Input[str]


class TenantVaultAccess(pulumi.ComponentResource):
    """Children: vault.Policy (read on the registration's S3 credential paths only) and
    vault.kubernetes.AuthBackendRole (bound to one service account in one namespace, with only that policy)."""

    def __init__(self, name: str, args: TenantVaultAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantVaultAccess", name, None, opts)
        tenant = args.tenant
        settings = tenant.settings.vault
        child = pulumi.ResourceOptions(parent=self)
        policy = vault.Policy(f"{name}-policy", name=tenant.vault_policy_name, policy=vault_policy.tenant_policy(tenant), opts=child)
        role = vault.kubernetes.AuthBackendRole(
            f"{name}-role",
            backend=settings.kubernetes_auth_mount,
            role_name=tenant.vault_role_name,
            bound_service_account_names=[naming.ESO_SERVICE_ACCOUNT],
            bound_service_account_namespaces=[args.namespace],
            audience=settings.token_audience,
            token_policies=[policy.name],
            # Without this, every token would also carry Vault's `default` policy.
            token_no_default_policy=True,
            opts=child,
        )
        self.role_name = role.role_name
        self.register_outputs({"role_name": self.role_name})
