"""The tenant namespace with its service accounts, Roles and RoleBindings, and its guardrails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi

from components.kubernetes_object import kubernetes_object
from tenancy.manifests.rbac import TOKEN_SECRET_ACCOUNT_ANNOTATION


@dataclass(frozen=True)
class TenantNamespaceArgs:
    """Manifests from `tenancy.manifests.rbac`: the Namespace, the ServiceAccounts in it, (Role,
    RoleBinding) pairs as `rbac.tenant_rbac` gives them, and token Secrets (`rbac.token_secret`), each
    naming one of those ServiceAccounts."""

    namespace: dict
    service_accounts: Sequence[dict]
    roles: Sequence[tuple[dict, dict]]
    token_secrets: Sequence[dict] = ()
    # `guardrails.namespace_guardrails`: the ResourceQuota, LimitRange and NetworkPolicy.
    guardrails: Sequence[dict] = ()


class TenantNamespace(pulumi.ComponentResource):
    """Children: the Namespace (`wf-<owner>-<repo>`); in it, each ServiceAccount, each token Secret
    and each Role with its RoleBinding (for a registration: `wf-runner`, `eso-vault`, the Argo UI's
    `tenant-admin` and `tenant-reader` accounts with their tokens, and the runner, sensor, admin and
    reader roles), and the guardrails: ResourceQuota `tenant-quota`, LimitRange `tenant-limits` and
    NetworkPolicy `tenant-default`."""

    def __init__(self, name: str, args: TenantNamespaceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantNamespace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = kubernetes_object(f"{name}-namespace", args.namespace, child)
        self.name = namespace.metadata.apply(lambda metadata: metadata["name"])
        accounts = {}
        for account in args.service_accounts:
            account_name = account["metadata"]["name"]
            created = kubernetes_object(f"{name}-sa-{account_name}", account, child, namespace=self.name)
            accounts[account_name] = created.metadata.apply(lambda metadata: metadata["name"])
        for secret in args.token_secrets:
            kubernetes_object(f"{name}-token-{secret['metadata']['name']}", _for_account(secret, accounts), child, namespace=self.name)
        for guardrail in args.guardrails:
            kind = guardrail["kind"].lower()
            kubernetes_object(f"{name}-{kind}-{guardrail['metadata']['name']}", guardrail, child, namespace=self.name)
        for role, binding in args.roles:
            role_name = role["metadata"]["name"]
            kubernetes_object(f"{name}-role-{role_name}", role, child, namespace=self.name)
            kubernetes_object(f"{name}-rolebinding-{role_name}", binding, child, namespace=self.name)
        self.register_outputs({"name": self.name})


def _for_account(secret: dict, accounts: dict) -> dict:
    """The token Secret naming its ServiceAccount through the account's Output: Kubernetes deletes a
    token Secret whose account does not exist yet, so the Secret must wait for it."""
    annotations = dict(secret["metadata"]["annotations"])
    annotations[TOKEN_SECRET_ACCOUNT_ANNOTATION] = accounts[annotations[TOKEN_SECRET_ACCOUNT_ANNOTATION]]
    return {**secret, "metadata": {**secret["metadata"], "annotations": annotations}}
