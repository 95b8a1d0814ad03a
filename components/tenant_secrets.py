"""The tenant namespace's SecretStore (its own Vault role) and the ExternalSecrets that bring its S3 credentials in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pulumi

from components.kubernetes_object import kubernetes_object


@dataclass(frozen=True)
class TenantSecretsArgs:
    """Finished manifests from `tenancy.manifests.external_secrets`: the SecretStore (`vault_secret_store`,
    built with the Vault role's Output) and, by bucket location purpose, its ExternalSecret
    (`s3_credentials_secret`, built with the Output of the Vault secret it reads), so each waits for
    what it uses. `namespace` is the Namespace's Output, which all of them wait for."""

    store: dict
    credentials: Mapping[str, dict]
    namespace: pulumi.Input[str]


class TenantSecrets(pulumi.ComponentResource):
    """Children: SecretStore `vault-tenant`; ExternalSecret `s3-credentials-<name>` (and
    `s3-credentials-<name>-data` with a data bucket)."""

    def __init__(self, name: str, args: TenantSecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantSecrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kubernetes_object(f"{name}-store", args.store, child, namespace=args.namespace)
        for purpose, secret in args.credentials.items():
            kubernetes_object(f"{name}-{purpose}", secret, child, namespace=args.namespace)
        self.secret_names = {purpose: secret["metadata"]["name"] for purpose, secret in args.credentials.items()}
        self.register_outputs({"secret_names": self.secret_names})
