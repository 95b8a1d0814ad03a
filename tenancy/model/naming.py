"""Physical names of everything a registration gets, derived in one place and kept within each system's limits.

Logical (Pulumi) names come from the component's name; the names below are the ones that exist in
AWS, Vault, Kubernetes, Argo and GitHub, and that running clusters and users depend on.

Every name a registration gets is its own: derived from its name under a prefix that nothing else
may use (docs/operations.md lists them, so the platform keeps out of them), never written in the
tenant file. Where the prefix is shared with the platform's own objects (Vault policies
`argo-tenants-<env>-…`), the platform's names are reserved here, and the names of two environments
are kept apart by `environment_overlap` (docs/architecture.md, "What a tenant file can reach").
"""

from __future__ import annotations

import hashlib
import re
from typing import Iterable

PROJECT = "argo-tenants"

# Names kept from the Helm chart this project replaces, so clusters and habits keep working.
RUNNER_SERVICE_ACCOUNT = "wf-runner"
ARTIFACT_REPOSITORIES_CONFIGMAP = "artifact-repositories"
ARTIFACT_REPOSITORY_KEY = "default-v1"
DEFAULT_WORKFLOW_TEMPLATE = "nextflow-repo-runner"

# Keys of the Kubernetes Secrets that ExternalSecrets produce (and of the Vault secrets they read).
ACCESS_KEY_ID_KEY = "AWS_ACCESS_KEY_ID"
SECRET_ACCESS_KEY_KEY = "AWS_SECRET_ACCESS_KEY"
WEBHOOK_SECRET_KEY = "secret"

# Objects of one tenant namespace.
ESO_SERVICE_ACCOUNT = "eso-vault"
TENANT_SECRET_STORE = "vault-tenant"
RUNNER_ROLE = "wf-runner"
SENSOR_SUBMIT_ROLE = "argo-events-submit"
ADMIN_ROLE = "tenant-admin"
READER_ROLE = "tenant-reader"

# Stack-level objects in the Argo Events namespace, as an unsharded stack names them; a shard stack
# uses the functions below, which add its shard.
EVENT_SOURCE = "repo-registrations"
SENSOR = "repo-registrations"
SENSOR_SERVICE_ACCOUNT = "argo-tenants-sensor"
WEBHOOK_SERVICE_ACCOUNT = "argo-tenants-webhooks"
WEBHOOK_SECRET_STORE = "argo-tenants-webhooks"
EVENT_SOURCE_PORT = 12000

# Longest environment name and registration name for which every derived name below fits its
# limit (IAM user names: 64; Kubernetes names and label values: 63). tests/model/test_naming.py proves it.
MAX_ENVIRONMENT_LENGTH = 10
MAX_REGISTRATION_NAME_LENGTH = 40
MAX_NAMESPACE_LENGTH = 63
# Longest shard name: Argo Events names the EventSource's Service `<event source>-eventsource-svc`,
# a DNS-1035 label of at most 63 characters; 12 leaves room to spare (tests/model/test_naming.py).
MAX_SHARD_LENGTH = 12


def tenant_namespace(owner: str, repo: str) -> str:
    """`wf-<owner>-<repo>` as the Helm chart named it, lowercased and made a valid DNS-1123 label.

    GitHub repository names may hold '.', '_' and upper case; a name over 63 characters keeps its
    first characters and ends in a hash of the whole, so two long names never meet.
    """
    raw = f"wf-{owner}-{repo}".lower()
    label = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", raw)).strip("-")
    if len(label) <= MAX_NAMESPACE_LENGTH:
        return label
    digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
    return f"{label[: MAX_NAMESPACE_LENGTH - 9].rstrip('-')}-{digest}"


def artifact_secret_name(registration: str) -> str:
    return f"s3-credentials-{registration}"


def data_secret_name(registration: str) -> str:
    return f"s3-credentials-{registration}-data"


# Registrations' objects in the Argo Events namespace, which every registration of an environment
# shares: the platform must not create objects of its own under this prefix (docs/operations.md).
WEBHOOK_SECRET_PREFIX = f"{PROJECT}-webhook-"


def webhook_secret_name(registration: str) -> str:
    """The Secret (and its ExternalSecret) holding the webhook secret, in the Argo Events namespace.

    Under a prefix of its own: a name a tenant file chose could be a platform Secret there, which
    External Secrets Operator would then take over (and delete at offboarding).
    """
    return f"{WEBHOOK_SECRET_PREFIX}{registration}"


def physical_bucket_name(base: str, prefix: str, suffix: str) -> str:
    """Bucket names are global across AWS accounts: each environment's affix keeps dev and prod apart."""
    return f"{prefix}{base}{suffix}"


def iam_user_name(environment: str, registration: str) -> str:
    return f"{PROJECT}-{environment}-{registration}"


# After `argo-tenants-<env>-`, the names the platform keeps for itself: this program's webhook
# policy and role (`webhooks`, `webhooks-<shard>`) and CI's Vault policies and roles
# (`deploy`, `preview`, `readonly`; docs/ci.md). Every other name there is a registration's.
PLATFORM_NAMES = ("deploy", "preview", "readonly", "webhooks")
PLATFORM_NAME_PREFIXES = ("webhooks-",)


def is_platform_name(registration: str) -> bool:
    return registration in PLATFORM_NAMES or registration.startswith(PLATFORM_NAME_PREFIXES)


def environment_overlap(environment: str, registration: str, environments: Iterable[str]) -> tuple[str, str] | None:
    """(other environment, other name) when `argo-tenants-<environment>-<registration>` is also
    `argo-tenants-<other environment>-<other name>`, or None.

    It happens only where one environment's name continues another's after a '-' (dev and dev-eu):
    `dev` + `eu-x` and `dev-eu` + `x`. A registration of `dev` may then not start with `eu-`;
    with that rule every (environment, name) pair gets names of its own (tests/model/test_naming.py).
    """
    for other in environments:
        if other != environment and other.startswith(f"{environment}-"):
            rest = other[len(environment) + 1 :]
            if registration.startswith(f"{rest}-"):
                return other, registration[len(rest) + 1 :]
    return None


IAM_USER_PATH = f"/{PROJECT}/"


def iam_policy_name(registration: str) -> str:
    return f"{registration}-s3"


def vault_policy_name(environment: str, registration: str) -> str:
    return f"{PROJECT}-{environment}-{registration}"


def vault_role_name(environment: str, registration: str) -> str:
    return f"{PROJECT}-{environment}-{registration}"


def _of_shard(base: str, shard: str | None) -> str:
    """A stack-level name in one shard stack: shards of an environment share its Argo Events
    namespace and its Vault, so each shard's objects carry the shard; an unsharded stack keeps the base name."""
    return base if shard is None else f"{base}-{shard}"


def event_source_name(shard: str | None) -> str:
    return _of_shard(EVENT_SOURCE, shard)


def sensor_name(shard: str | None) -> str:
    return _of_shard(SENSOR, shard)


def sensor_service_account_name(shard: str | None) -> str:
    """Identity of the Sensor; each tenant namespace's RoleBinding names it."""
    return _of_shard(SENSOR_SERVICE_ACCOUNT, shard)


def webhook_service_account_name(shard: str | None) -> str:
    return _of_shard(WEBHOOK_SERVICE_ACCOUNT, shard)


def webhook_secret_store_name(shard: str | None) -> str:
    return _of_shard(WEBHOOK_SECRET_STORE, shard)


def webhook_vault_name(environment: str, shard: str | None) -> str:
    """Policy and Kubernetes auth role that let the Argo Events namespace read webhook secrets."""
    return _of_shard(f"{PROJECT}-{environment}-webhooks", shard)


def vault_registration_prefix(path_prefix: str, registration: str) -> str:
    """Everything of one registration in Vault lives under this path (relative to the KV mount)."""
    return f"{path_prefix}/{registration}"


def default_vault_path(path_prefix: str, registration: str, purpose: str) -> str:
    """`purpose` is `artifacts` or `data`: the seeds' `<prefix>/<name>/s3/<purpose>` layout."""
    return f"{vault_registration_prefix(path_prefix, registration)}/s3/{purpose}"


def github_vault_path(path_prefix: str, registration: str) -> str:
    return f"{vault_registration_prefix(path_prefix, registration)}/github"


def kv_data_path(mount: str, path: str) -> str:
    """The HTTP API path of a KV v2 secret, which is what Vault policies name."""
    return f"{mount}/data/{path}"


def webhook_endpoint(base_path: str, registration: str) -> str:
    """Path the EventSource serves one registration on; the ingress passes paths through unchanged."""
    return f"{base_path.rstrip('/')}/github/{registration}"


SENSOR_DEPENDENCY_PREFIX = "repo_"


def sensor_dependency_name(registration: str) -> str:
    """The registration's dependency in the shared Sensor, which its trigger's `conditions` names.

    `conditions` is an expression (github.com/expr-lang/expr): '-' is subtraction, so '_' stands
    for it; and a bare registration name could be a keyword or a literal (`true` would fire on
    every registration's push, `in` or `nil` breaks the Sensor for all) or a number (`1-2` reads
    as 12). The prefix makes every dependency an identifier of its own.
    """
    return SENSOR_DEPENDENCY_PREFIX + registration.replace("-", "_")


def workflow_generate_name(registration: str) -> str:
    return f"{registration}-"
