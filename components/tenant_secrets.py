"""The tenant namespace's SecretStore (its own Vault role) and the ExternalSecrets that bring its S3 credentials in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pulumi

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import external_secrets


@dataclass(frozen=True)
class TenantSecretsArgs:
    """Manifests from `tenancy.manifests.external_secrets`: the SecretStore (`vault_secret_store`) and,
    by bucket location purpose, its ExternalSecret (`s3_credentials_secret`). The Outputs say what each
    object waits for: the Namespace, the Vault role the store logs in with, and the Vault secret each
    ExternalSecret reads (by purpose)."""

    store: dict
    credentials: Mapping[str, dict]
    namespace: pulumi.Input[str]
    vault_role: pulumi.Input[str]
    vault_paths: Mapping[str, pulumi.Input[str]]


class TenantSecrets(pulumi.ComponentResource):
    """Children: SecretStore `vault-tenant`; ExternalSecret `s3-credentials-<name>` (and
    `s3-credentials-<name>-data` with a data bucket)."""

    def __init__(self, name: str, args: TenantSecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantSecrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        store = external_secrets.with_role(args.store, args.vault_role)
        kubernetes_object(f"{name}-store", store, child, namespace=args.namespace)
        self.secret_names = {}
        for purpose, secret in args.credentials.items():
            manifest = external_secrets.with_source(secret, remote_key=args.vault_paths[purpose])
            kubernetes_object(f"{name}-{purpose}", manifest, child, namespace=args.namespace)
            self.secret_names[purpose] = secret["metadata"]["name"]
        self.register_outputs({"secret_names": self.secret_names})
