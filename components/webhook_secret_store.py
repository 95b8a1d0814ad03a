"""Lets the Argo Events namespace read webhook secrets from Vault: its own service account, Vault policy and role, and SecretStore."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_vault as vault

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import external_secrets
from tenancy.model import labels
from tenancy.model.settings import VaultSettings


@dataclass(frozen=True)
class WebhookSecretStoreArgs:
    """The service account's manifest (`tenancy.manifests.rbac.platform_service_account`); `store_name`
    names the SecretStore built here (`external_secrets.vault_secret_store`) that logs in as that account
    in its namespace, to `vault` (the stack's Vault settings) with the role this component creates.
    `vault_name` names both the Vault policy and the role; `policy` is HCL (`vault_policy.webhook_policy`)."""

    service_account: dict
    store_name: str
    vault: VaultSettings
    vault_name: str
    policy: str


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
        namespace = args.service_account["metadata"]["namespace"]
        policy = vault.Policy(f"{name}-policy", name=args.vault_name, policy=args.policy, opts=child)
        role = vault.kubernetes.AuthBackendRole(
            f"{name}-role",
            backend=args.vault.kubernetes_auth_mount,
            role_name=args.vault_name,
            bound_service_account_names=[account.metadata.apply(lambda metadata: metadata["name"])],
            bound_service_account_namespaces=[namespace],
            audience=args.vault.token_audience,
            token_policies=[policy.name],
            token_no_default_policy=True,
            opts=child,
        )
        # Built with the role's Output: the store waits for the role it logs in with (and so for the account).
        manifest = external_secrets.vault_secret_store(
            name=args.store_name,
            namespace=namespace,
            vault=args.vault,
            role=role.role_name,
            service_account=args.service_account["metadata"]["name"],
            labels=labels.platform_labels(),
        )
        store = kubernetes_object(f"{name}-store", manifest, child)
        self.store_name = store.metadata.apply(lambda metadata: metadata["name"])
        self.register_outputs({"store_name": self.store_name})
