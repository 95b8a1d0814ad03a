"""Vault policies, as HCL: each grants `read` on exact KV v2 paths, lets the token look up and revoke
itself, and nothing else."""

from __future__ import annotations

from typing import Iterable

from tenancy.model import naming
from tenancy.model.settings import StackSettings
from tenancy.model.tenant import Tenant

# The roles leave out Vault's `default` policy, and with it the token's access to itself. ESO needs
# that: it marks a SecretStore Ready only after looking its token up (no Ready store, no synced
# ExternalSecret), and revokes the token when a reconcile is done.
TOKEN_SELF_PATHS = (("auth/token/lookup-self", "read"), ("auth/token/revoke-self", "update"))


def _stanza(path: str, capability: str) -> str:
    return f'path "{path}" {{\n  capabilities = ["{capability}"]\n}}'


def _read_paths(comment: str, mount: str, paths: Iterable[str]) -> str:
    blocks = [f"# {comment}"]
    blocks.extend(_stanza(naming.kv_data_path(mount, path), "read") for path in paths)
    blocks.append("# External Secrets Operator checks and revokes its own token.")
    blocks.extend(_stanza(path, capability) for path, capability in TOKEN_SELF_PATHS)
    return "\n\n".join(blocks) + "\n"


def tenant_policy(tenant: Tenant) -> str:
    """What the tenant namespace's SecretStore may read: its S3 credentials (not its webhook secret,
    which only the Argo Events namespace needs)."""
    return _read_paths(
        f"{naming.PROJECT} ({tenant.environment}): S3 credentials of registration {tenant.name}",
        tenant.settings.vault.kv_mount,
        (location.vault_path for location in tenant.locations),
    )


def webhook_policy(settings: StackSettings, tenants: Iterable[Tenant]) -> str:
    """What the Argo Events namespace may read: every registration's webhook secret, named one by one
    (no wildcard, so a path a registration chose can never fall under it)."""
    paths = sorted(tenant.github_vault_path for tenant in tenants)
    where = settings.environment if settings.shard is None else f"{settings.environment}, shard {settings.shard.name}"
    return _read_paths(
        f"{naming.PROJECT} ({where}): GitHub webhook secrets for the Argo Events EventSource",
        settings.vault.kv_mount,
        paths,
    )
