"""The tenant namespace's SecretStore (its own Vault role) and the ExternalSecrets that bring its S3 credentials in."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import external_secrets
from tenancy.model import labels, naming
from tenancy.model.tenant import Tenant


@dataclass(frozen=True)
class TenantSecretsArgs:
    tenant: Tenant
    namespace: pulumi.Input[str]
    vault_role: pulumi.Input[str]
    vault_paths: dict[str, pulumi.Input[str]]


class TenantSecrets(pulumi.ComponentResource):
    """Children: SecretStore `vault-tenant`; ExternalSecret `s3-credentials-<name>` (and
    `s3-credentials-<name>-data` with a data bucket)."""

    def __init__(self, name: str, args: TenantSecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantSecrets", name, None, opts)
        tenant = args.tenant
        child = pulumi.ResourceOptions(parent=self)
        tenant_labels = labels.tenant_labels(tenant)
        store = external_secrets.vault_secret_store(
            name=naming.TENANT_SECRET_STORE,
            namespace=tenant.namespace,
            settings=tenant.settings,
            role=tenant.vault_role_name,
            service_account=naming.ESO_SERVICE_ACCOUNT,
            labels=tenant_labels,
        )
        # The role name and Vault paths are passed as Outputs so each object waits for what it reads.
        store["spec"]["provider"]["vault"]["auth"]["kubernetes"]["role"] = args.vault_role
        kubernetes_object(f"{name}-store", store, child, namespace=args.namespace)
        self.secret_names = {}
        for location in tenant.locations:
            manifest = external_secrets.s3_credentials_secret(
                location, namespace=tenant.namespace, refresh_interval=tenant.settings.secret_refresh_interval, labels=tenant_labels
            )
            for entry in manifest["spec"]["data"]:
                entry["remoteRef"]["key"] = args.vault_paths[location.purpose]
            kubernetes_object(f"{name}-{location.purpose}", manifest, child, namespace=args.namespace)
            self.secret_names[location.purpose] = location.secret_name
        self.register_outputs({"secret_names": self.secret_names})
