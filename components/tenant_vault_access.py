"""The registration's Vault policy and the Kubernetes auth role that hands it to its namespace's ESO service account."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_vault as vault


@dataclass(frozen=True)
class TenantVaultAccessArgs:
    """`policy` is HCL (`tenancy.manifests.vault_policy.tenant_policy`); `auth_backend` is the mount of
    Vault's Kubernetes auth method; `namespace` is an Output of the Namespace, so the role waits for it."""

    policy_name: str
    policy: str
    role_name: str
    auth_backend: str
    audience: str
    service_account: str
    namespace: pulumi.Input[str]


class TenantVaultAccess(pulumi.ComponentResource):
    """Children: vault.Policy (read on the registration's S3 credential paths only) and
    vault.kubernetes.AuthBackendRole (bound to one service account in one namespace, with only that policy)."""

    def __init__(self, name: str, args: TenantVaultAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantVaultAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        policy = vault.Policy(f"{name}-policy", name=args.policy_name, policy=args.policy, opts=child)
        role = vault.kubernetes.AuthBackendRole(
            f"{name}-role",
            backend=args.auth_backend,
            role_name=args.role_name,
            bound_service_account_names=[args.service_account],
            bound_service_account_namespaces=[args.namespace],
            audience=args.audience,
            token_policies=[policy.name],
            # Without this, every token would also carry Vault's `default` policy.
            token_no_default_policy=True,
            opts=child,
        )
        self.role_name = role.role_name
        self.register_outputs({"role_name": self.role_name})
