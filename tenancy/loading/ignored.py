"""What a tenant file writes that this project derives: each value given, and the value used instead.

The platform documents' RepoRegistration manifests name places of the old platform (a Secret the
webhook secret was in, the Vault paths of the S3 credentials, the namespace the object lived in).
Here those are derived from the registration's name and repository, so that a tenant file can reach
only its own; a written value is read, reported as a warning (never a problem: pasted manifests
validate and plan), and never used. The warnings are Problems for their field and message; whoever
holds the file places them (`TenantFile.locate`), and they never fail a load.
"""

from __future__ import annotations

from typing import Iterator

from tenancy.loading.rules import FIELD_OF_PURPOSE
from tenancy.model.problems import Problem
from tenancy.model.tenant import Tenant
from tenancy.model.text import shown

HINT = "remove the field to silence this warning"


def ignored_values(tenant: Tenant) -> Iterator[Problem]:
    """One warning per written value that differs from the one the program uses."""
    registration = tenant.registration
    written_namespace = registration.metadata.namespace
    if written_namespace is not None and written_namespace != tenant.namespace:
        yield Problem(
            ("metadata", "namespace"),
            f"{shown(written_namespace)} is ignored: the registration's objects live in the tenant namespace "
            f"{tenant.namespace}, derived from its repository",
            hint=HINT,
        )
    written_secret = registration.spec.github_secret_name
    if written_secret is not None and written_secret != tenant.github_secret_name:
        yield Problem(
            ("spec", "githubSecretName"),
            f"{shown(written_secret)} is ignored: the webhook secret is always in the Secret "
            f"{tenant.github_secret_name} of the Argo Events namespace, and no GitHub token is read",
            hint=HINT,
        )
    vault = tenant.settings.vault
    for location in tenant.locations:
        field = FIELD_OF_PURPOSE[location.purpose]
        spec = getattr(registration.spec, "artifact_bucket" if location.purpose == "artifacts" else "data_bucket")
        written = spec.external_secret_path if spec is not None else None
        if written is None or _same_vault_path(written, location.vault_path, vault.kv_mount):
            continue
        yield Problem(
            ("spec", field, "externalSecretPath"),
            f"{shown(written)} is ignored: the {location.purpose} credentials are always written to "
            f"{vault.kv_mount}/{location.vault_path}, where nothing else is",
            hint=HINT,
        )


def _same_vault_path(written: str, derived: str, mount: str) -> bool:
    """The seeds write the path with and without the mount, with or without a trailing '/'."""
    path = written.strip().rstrip("/")
    if path.startswith(f"{mount}/"):
        path = path[len(mount) + 1 :]
    return path == derived
