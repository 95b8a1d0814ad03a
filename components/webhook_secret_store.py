"""Lets the Argo Events namespace read webhook secrets from Vault: its own service account, Vault policy and role, and SecretStore."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_vault as vault

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import external_secrets, vault_policy
from tenancy.model import labels, naming
from tenancy.model.settings import StackSettings
from tenancy.model.tenant import Tenant


@dataclass(frozen=True)
class WebhookSecretStoreArgs:
    settings: StackSettings
    tenants: Sequence[Tenant]


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
        settings = args.settings
        child = pulumi.ResourceOptions(parent=self)
        namespace = settings.namespaces.argo_events
        shard = settings.shard_name
        vault_name = naming.webhook_vault_name(settings.environment, shard)
        service_account = naming.webhook_service_account_name(shard)
        platform_labels = labels.platform_labels()
        account = kubernetes_object(
            f"{name}-service-account",
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": service_account, "namespace": namespace, "labels": platform_labels},
            },
            child,
        )
        policy = vault.Policy(
            f"{name}-policy",
            name=vault_name,
            policy=vault_policy.webhook_policy(settings, args.tenants),
            opts=child,
        )
        role = vault.kubernetes.AuthBackendRole(
            f"{name}-role",
            backend=settings.vault.kubernetes_auth_mount,
            role_name=vault_name,
            bound_service_account_names=[account.metadata.apply(lambda metadata: metadata["name"])],
            bound_service_account_namespaces=[namespace],
            audience=settings.vault.token_audience,
            token_policies=[policy.name],
            token_no_default_policy=True,
            opts=child,
        )
        manifest = external_secrets.vault_secret_store(
            name=naming.webhook_secret_store_name(shard),
            namespace=namespace,
            settings=settings,
            role=vault_name,
            service_account=service_account,
            labels=platform_labels,
        )
        manifest["spec"]["provider"]["vault"]["auth"]["kubernetes"]["role"] = role.role_name
        store = kubernetes_object(f"{name}-store", manifest, child)
        self.store_name = store.metadata.apply(lambda metadata: metadata["name"])
        self.register_outputs({"store_name": self.store_name})
