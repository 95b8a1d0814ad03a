"""How a push reaches Argo Events: the webhook secret (random, in Vault, synced into the Argo Events
namespace) and the GitHub repository webhook that signs with it."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_github as github
import pulumi_random as random
import pulumi_vault as vault

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import external_secrets
from tenancy.model import labels, naming
from tenancy.manifests.argo_events import WEBHOOK_EVENTS
from tenancy.model.tenant import Tenant

# GitHub signs deliveries with HMAC-SHA256 of this secret; 40 random characters is well past brute force.
WEBHOOK_SECRET_LENGTH = 40


@dataclass(frozen=True)
class TenantWebhookArgs:
    tenant: Tenant
    github_provider: github.Provider
    secret_store: pulumi.Input[str]


class TenantWebhook(pulumi.ComponentResource):
    """Children: random.RandomPassword; vault.kv.SecretV2 at <prefix>/<name>/github; ExternalSecret
    `githubSecretName` in the Argo Events namespace; github.RepositoryWebhook (inactive while paused)."""

    def __init__(self, name: str, args: TenantWebhookArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantWebhook", name, None, opts)
        tenant = args.tenant
        settings = tenant.settings
        child = pulumi.ResourceOptions(parent=self)
        password = random.RandomPassword(f"{name}-secret", length=WEBHOOK_SECRET_LENGTH, special=False, opts=child)
        # RandomPassword.result is already secret; saying so again keeps it secret if that ever changes.
        secret_value = pulumi.Output.secret(password.result)
        vault_secret = vault.kv.SecretV2(
            f"{name}-vault",
            mount=settings.vault.kv_mount,
            name=tenant.github_vault_path,
            data_json=pulumi.Output.secret(secret_value.apply(lambda value: json.dumps({naming.WEBHOOK_SECRET_KEY: value}))),
            opts=child,
        )
        manifest = external_secrets.external_secret(
            name=tenant.github_secret_name,
            namespace=settings.namespaces.argo_events,
            store=naming.webhook_secret_store_name(settings.shard_name),
            remote_key=tenant.github_vault_path,
            keys=external_secrets.WEBHOOK_KEYS,
            refresh_interval=settings.secret_refresh_interval,
            labels=labels.tenant_labels(tenant),
        )
        # The same name, as an Output of the store: the ExternalSecret waits for its store.
        manifest["spec"]["secretStoreRef"]["name"] = args.secret_store
        for entry in manifest["spec"]["data"]:
            entry["remoteRef"]["key"] = vault_secret.name
        kubernetes_object(f"{name}-external-secret", manifest, child)
        hook = github.RepositoryWebhook(
            f"{name}-hook",
            repository=tenant.repo,
            events=list(WEBHOOK_EVENTS),
            active=not tenant.spec.paused,
            configuration={
                "url": tenant.webhook_url,
                "content_type": "json",
                "secret": secret_value,
                "insecure_ssl": False,
            },
            opts=pulumi.ResourceOptions(parent=self, provider=args.github_provider),
        )
        self.url = hook.url
        self.register_outputs({"url": self.url})
