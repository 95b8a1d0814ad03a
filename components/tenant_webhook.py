"""How a push reaches Argo Events: the webhook secret (random, in Vault, synced into the Argo Events
namespace), the GitHub repository webhook that signs with it, and the registration's own route in the
Argo Events namespace (Ingress, EventSource, Sensor)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping

import pulumi
import pulumi_github as github
import pulumi_random as random
import pulumi_vault as vault

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import external_secrets
from tenancy.manifests.argo_events import WEBHOOK_EVENTS
from tenancy.model import naming

# GitHub signs deliveries with HMAC-SHA256 of this secret; 40 random characters is well past brute force.
WEBHOOK_SECRET_LENGTH = 40


@dataclass(frozen=True)
class TenantWebhookArgs:
    """`repository` is the repository's name under the provider's owner; `url` is where GitHub delivers
    pushes; `active` is false while the registration is paused. The secret is written at `vault_path`
    under `kv_mount`, and ExternalSecret `secret_name` brings it into `events_namespace` (the Argo
    Events namespace) every `refresh_interval` through `secret_store`, an Output of the store it waits for.
    `event_route` is the registration's EventSource, Sensor and Ingress (`tenancy.manifests.argo_events.event_route`)."""

    repository: str
    url: str
    active: bool
    kv_mount: str
    vault_path: str
    secret_name: str
    events_namespace: str
    refresh_interval: str
    labels: Mapping[str, str]
    github_provider: github.Provider
    secret_store: pulumi.Input[str]
    event_route: tuple[dict, ...]


class TenantWebhook(pulumi.ComponentResource):
    """Children: random.RandomPassword; vault.kv.SecretV2 at <prefix>/<name>/github; ExternalSecret
    `githubSecretName` in the Argo Events namespace; EventSource, Sensor and Ingress `github-<name>` there;
    github.RepositoryWebhook (inactive while paused)."""

    def __init__(self, name: str, args: TenantWebhookArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantWebhook", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        password = random.RandomPassword(f"{name}-secret", length=WEBHOOK_SECRET_LENGTH, special=False, opts=child)
        # RandomPassword.result is already secret; saying so again keeps it secret if that ever changes.
        secret_value = pulumi.Output.secret(password.result)
        vault_secret = vault.kv.SecretV2(
            f"{name}-vault",
            mount=args.kv_mount,
            name=args.vault_path,
            data_json=pulumi.Output.secret(secret_value.apply(lambda value: json.dumps({naming.WEBHOOK_SECRET_KEY: value}))),
            opts=child,
        )
        # Built with the Vault secret's Output (its path): the ExternalSecret waits for what it reads.
        synced = external_secrets.external_secret(
            name=args.secret_name,
            namespace=args.events_namespace,
            store=args.secret_store,
            remote_key=vault_secret.name,
            keys=external_secrets.WEBHOOK_KEYS,
            refresh_interval=args.refresh_interval,
            labels=dict(args.labels),
        )
        kubernetes_object(f"{name}-external-secret", synced, child)
        # Nothing here waits for the hook: a repository deleted or an App uninstalled fails the hook alone, and
        # `pulumi up --continue-on-error` (docs/ci.md) goes on with everything else.
        for route in args.event_route:
            kubernetes_object(f"{name}-{route['kind'].lower()}", route, child)
        hook = github.RepositoryWebhook(
            f"{name}-hook",
            repository=args.repository,
            events=list(WEBHOOK_EVENTS),
            active=args.active,
            configuration={
                "url": args.url,
                "content_type": "json",
                "secret": secret_value,
                "insecure_ssl": False,
            },
            opts=pulumi.ResourceOptions(parent=self, provider=args.github_provider),
        )
        self.url = hook.url
        self.register_outputs({"url": self.url})
