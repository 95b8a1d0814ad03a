"""The tenant namespace with its service accounts, Roles and RoleBindings, and its guardrails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pulumi

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import rbac
from tenancy.model import naming


@dataclass(frozen=True)
class TenantNamespaceArgs:
    """Manifests from `tenancy.manifests.rbac`: the Namespace, the ServiceAccounts in it, and (Role,
    RoleBinding) pairs as `rbac.tenant_rbac` gives them. `token_accounts` names those ServiceAccounts
    that get a long-lived token Secret (`rbac.token_secret`, built here with the account's Output),
    labelled and annotated with `token_labels` and `token_annotations`."""

    namespace: dict
    service_accounts: Sequence[dict]
    roles: Sequence[tuple[dict, dict]]
    token_accounts: Sequence[str] = ()
    token_labels: Mapping[str, str] = field(default_factory=dict)
    token_annotations: Mapping[str, str] = field(default_factory=dict)
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
        for account_name in args.token_accounts:
            secret_name = naming.service_account_token_secret_name(account_name)
            secret = rbac.token_secret(
                account=accounts[account_name],
                name=secret_name,
                namespace=self.name,
                labels=dict(args.token_labels),
                annotations=dict(args.token_annotations),
            )
            kubernetes_object(f"{name}-token-{secret_name}", secret, child)
        for guardrail in args.guardrails:
            kind = guardrail["kind"].lower()
            kubernetes_object(f"{name}-{kind}-{guardrail['metadata']['name']}", guardrail, child, namespace=self.name)
        for role, binding in args.roles:
            role_name = role["metadata"]["name"]
            kubernetes_object(f"{name}-role-{role_name}", role, child, namespace=self.name)
            kubernetes_object(f"{name}-rolebinding-{role_name}", binding, child, namespace=self.name)
        self.register_outputs({"name": self.name})

