"""External Secrets Operator objects (external-secrets.io/v1): a Vault SecretStore and the ExternalSecrets that read it."""

from __future__ import annotations

import copy
from typing import Any

from tenancy.model import naming
from tenancy.model.settings import StackSettings
from tenancy.model.tenant import BucketLocation

API_VERSION = "external-secrets.io/v1"


def vault_secret_store(*, name: str, namespace: str, settings: StackSettings, role: str, service_account: str, labels: dict) -> dict:
    """A SecretStore that logs in to Vault with its own namespace's service account and role.

    ESO's `path` is the KV mount; ExternalSecrets then name paths under it without `data/`.
    """
    vault = settings.vault
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


def with_role(store: dict, role: Any) -> dict:
    """A copy of SecretStore `store` that logs in with `role`.

    Components pass the Vault role's Output (the same name), so that the store waits for its role.
    """
    store = copy.deepcopy(store)
    store["spec"]["provider"]["vault"]["auth"]["kubernetes"]["role"] = role
    return store


def external_secret(*, name: str, namespace: str, store: str, remote_key: str, keys: tuple[str, ...], refresh_interval: str, labels: dict) -> dict:
    """An ExternalSecret producing Secret `name` with `keys`, each read from the same-named property of `remote_key`."""
    return {
        "apiVersion": API_VERSION,
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "refreshInterval": refresh_interval,
            "secretStoreRef": {"name": store, "kind": "SecretStore"},
            "target": {"name": name, "creationPolicy": "Owner"},
            "data": [{"secretKey": key, "remoteRef": {"key": remote_key, "property": key}} for key in keys],
        },
    }


def with_source(secret: dict, *, remote_key: Any, store: Any = None) -> dict:
    """A copy of ExternalSecret `secret` that reads every key from `remote_key` (through `store`, when given).

    Components pass Outputs of the Vault secret and the store (the same names), so that the
    ExternalSecret waits for what it reads.
    """
    secret = copy.deepcopy(secret)
    for entry in secret["spec"]["data"]:
        entry["remoteRef"]["key"] = remote_key
    if store is not None:
        secret["spec"]["secretStoreRef"]["name"] = store
    return secret


S3_KEYS = (naming.ACCESS_KEY_ID_KEY, naming.SECRET_ACCESS_KEY_KEY)
WEBHOOK_KEYS = (naming.WEBHOOK_SECRET_KEY,)


def s3_credentials_secret(location: BucketLocation, *, namespace: str, refresh_interval: str, labels: dict) -> dict:
    return external_secret(
        name=location.secret_name,
        namespace=namespace,
        store=naming.TENANT_SECRET_STORE,
        remote_key=location.vault_path,
        keys=S3_KEYS,
        refresh_interval=refresh_interval,
        labels=labels,
    )
