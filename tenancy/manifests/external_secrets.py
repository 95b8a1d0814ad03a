"""External Secrets Operator objects (external-secrets.io/v1): a Vault SecretStore and the ExternalSecrets that read it."""

from __future__ import annotations

from tenancy.model.inputs import Input
from tenancy.model import naming
from tenancy.model.settings import VaultSettings
from tenancy.model.tenant import BucketLocation

API_VERSION = "external-secrets.io/v1"


def vault_secret_store(
    *, name: str, namespace: str, vault: VaultSettings, role: Input[str], service_account: Input[str], labels: dict
) -> dict:
    """A SecretStore that logs in to Vault with its own namespace's service account and role.

    ESO's `path` is the KV mount; ExternalSecrets then name paths under it without `data/`. Components
    pass the Vault role's Output as `role` (the same name), so that the store waits for its role.
    """
    return {
        "apiVersion": API_VERSION,
        "kind": "SecretStore",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "provider": {
                "vault": {
                    "server": vault.address,
                    "path": vault.kv_mount,
                    "version": "v2",
                    "auth": {
                        "kubernetes": {
                            "mountPath": vault.kubernetes_auth_mount,
                            "role": role,
                            "serviceAccountRef": {"name": service_account, "audiences": [vault.token_audience]},
                        }
                    },
                }
            }
        },
    }


def external_secret(
    *,
    name: str,
    namespace: Input[str],
    store: Input[str],
    remote_key: Input[str],
    keys: tuple[str, ...],
    refresh_interval: str,
    labels: dict,
    template: dict | None = None,
) -> dict:
    """An ExternalSecret producing Secret `name` with `keys`, each read from the same-named property of
    `remote_key` (rendered through ESO's `template`, when given).

    Components pass Outputs of the store and the Vault secret (the same names) where they exist, so
    that the ExternalSecret waits for what it reads.
    """
    return {
        "apiVersion": API_VERSION,
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "refreshInterval": refresh_interval,
            "secretStoreRef": {"name": store, "kind": "SecretStore"},
            "target": {"name": name, "creationPolicy": "Owner", **({"template": template} if template is not None else {})},
            "data": [{"secretKey": key, "remoteRef": {"key": remote_key, "property": key}} for key in keys],
        },
    }


S3_KEYS = (naming.ACCESS_KEY_ID_KEY, naming.SECRET_ACCESS_KEY_KEY)
WEBHOOK_KEYS = (naming.WEBHOOK_SECRET_KEY,)


def s3_credentials_secret(
    location: BucketLocation, *, remote_key: Input[str], namespace: str, refresh_interval: str, labels: dict
) -> dict:
    """ExternalSecret `s3-credentials-<name>` (`-data`): the location's keys, read from the Vault secret at
    `remote_key` (its Output, of `location.vault_path`, so that it waits for the keys to be written)."""
    return external_secret(
        name=location.secret_name,
        namespace=namespace,
        store=naming.TENANT_SECRET_STORE,
        remote_key=remote_key,
        keys=S3_KEYS,
        refresh_interval=refresh_interval,
        labels=labels,
    )
