"""Lets the Argo Events namespace read webhook secrets from Vault: its own service account, Vault policy and role, and SecretStore."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_vault as vault

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import external_secrets


@dataclass(frozen=True)
class WebhookSecretStoreArgs:
    """Manifests from `tenancy.manifests`: the service account (`rbac.platform_service_account`) and the
    SecretStore that logs in as it (`external_secrets.vault_secret_store`). `vault_name` names both the
    Vault policy and the role; `policy` is HCL (`vault_policy.webhook_policy`); `auth_backend` is the
    mount of Vault's Kubernetes auth method."""

    service_account: dict
    store: dict
    vault_name: str
    policy: str
    auth_backend: str
    audience: str


class WebhookSecretStore(pulumi.ComponentResource):
    """Children: ServiceAccount and SecretStore `argo-tenants-webhooks` in the Argo Events namespace;
    vault.Policy (read on each registration's <prefix>/<name>/github, named one by one) and the
    Kubernetes auth role bound to that service account, both `argo-tenants-<env>-webhooks`. In a
    shard stack every name ends in `-<shard>`: the shards of an environment share its namespace and Vault.

    The EventSource pod mounts every registration's webhook secret anyway, so one store for the
    namespace grants it nothing more; it cannot read any registration's S3 credentials.
    """

    def __init__(self, name: str, args: WebhookSecretStoreArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:WebhookSecretStore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = kubernetes_object(f"{name}-service-account", args.service_account, child)
        policy = vault.Policy(f"{name}-policy", name=args.vault_name, policy=args.policy, opts=child)
        role = vault.kubernetes.AuthBackendRole(
            f"{name}-role",
            backend=args.auth_backend,
            role_name=args.vault_name,
            bound_service_account_names=[account.metadata.apply(lambda metadata: metadata["name"])],
            bound_service_account_namespaces=[args.service_account["metadata"]["namespace"]],
            audience=args.audience,
            token_policies=[policy.name],
            token_no_default_policy=True,
            opts=child,
        )
        store = kubernetes_object(f"{name}-store", external_secrets.with_role(args.store, role.role_name), child)
        self.store_name = store.metadata.apply(lambda metadata: metadata["name"])
        self.register_outputs({"store_name": self.store_name})
