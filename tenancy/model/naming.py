"""Physical names of everything a registration gets, derived in one place and kept within each system's limits.

Logical (Pulumi) names come from the component's name; the names below are the ones that exist in
AWS, Vault, Kubernetes, Argo and GitHub, and that running clusters and users depend on.

Every name a registration gets is its own: derived from its name under a prefix that nothing else
may use (docs/operations.md lists them, so the platform keeps out of them), never written in the
tenant file. Where the prefix is shared with the platform's own objects (Vault policies
`argo-tenants-<env>-…`), the platform's names are reserved here, and the names of two environments
are kept apart by `environment_overlap` (docs/security.md, "Threat model: what a tenant file can reach").
"""

from __future__ import annotations

import hashlib
import re
from typing import Iterable

from tenancy.model import limits

PROJECT = "argo-tenants"

# Names kept from the Helm chart this project replaces, so clusters and habits keep working.
RUNNER_SERVICE_ACCOUNT = "wf-runner"
ARTIFACT_REPOSITORIES_CONFIGMAP = "artifact-repositories"
ARTIFACT_REPOSITORY_KEY = "default-v1"
# Where artifacts and logs go in a dedicated artifact bucket when the tenant file names no keyPrefix:
# the chart's and the seed documents' layout.
DEFAULT_ARTIFACT_KEY_PREFIX = "workflows/"
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
# The namespace's guardrails (tenancy.manifests.guardrails).
TENANT_RESOURCE_QUOTA = "tenant-quota"
TENANT_LIMIT_RANGE = "tenant-limits"
TENANT_NETWORK_POLICY = "tenant-default"
# With the k8s executor: the Role that lets the runner start Nextflow's task pods, and the account the
# task pods run as (no Role at all: a task only needs its work dir on S3).
NEXTFLOW_EXECUTOR_ROLE = "nextflow-executor"
NEXTFLOW_TASK_SERVICE_ACCOUNT = "nextflow-task"
# The Argo UI's SSO RBAC: argo-server acts for a signed-in admin or reader as this service account of
# the namespace, bound to the Role of the same name.
ADMIN_SERVICE_ACCOUNT = ADMIN_ROLE
READER_SERVICE_ACCOUNT = READER_ROLE

# Objects of one tenant namespace that carry the GitHub App's short-lived tokens (docs/security.md,
# "Threat model: GitHub tokens"): the store that reads them from the App's namespace, its identity, and the Secrets.
GITHUB_TOKEN_SERVICE_ACCOUNT = "eso-github"
GITHUB_TOKEN_STORE = "github-tokens"
GIT_CREDENTIALS_SECRET = "git-credentials"
GITHUB_STATUS_SECRET = "github-status-token"
# What each token is for; the names below end in one of these, and neither is a suffix of the other,
# so `<prefix><name>-<purpose>` never means two registrations.
GITHUB_TOKEN_PURPOSES = ("contents", "status")

# Stack-level objects in the Argo Events namespace, as an unsharded stack names them; a shard stack
# uses the functions below, which add its shard. (Each registration has its EventSource and Sensor:
# event_route_name; until 2026-12 one EventSource and one Sensor `repo-registrations[-<shard>]` served all.)
SENSOR_SERVICE_ACCOUNT = "argo-tenants-sensor"
WEBHOOK_SERVICE_ACCOUNT = "argo-tenants-webhooks"
WEBHOOK_SECRET_STORE = "argo-tenants-webhooks"
EVENT_SOURCE_PORT = 12000

# Registrations' own objects in the Argo Events namespace (EventSource, Sensor, Ingress): the platform
# must not create objects of its own under this prefix (docs/operations.md).
EVENT_ROUTE_PREFIX = "github-"
# Registrations' webhook Secrets there, under a prefix of their own (webhook_secret_name).
WEBHOOK_SECRET_PREFIX = f"{PROJECT}-webhook-"

# Longest environment name and registration name for which every derived name below fits its limit.
# The tightest is the volume Argo Events mounts the webhook Secret as, `secret-argo-tenants-webhook-<name>`,
# a DNS-1123 label (tenancy.model.limits); then IAM user names (64) and Kubernetes names and label values (63).
# tests/model/test_naming.py proves it; tenancy.loading.rules checks each derived name again.
MAX_ENVIRONMENT_LENGTH = 10
MAX_REGISTRATION_NAME_LENGTH = limits.VOLUME_NAME_MAX - len(limits.ARGO_EVENTS_SECRET_VOLUME_PREFIX) - len(WEBHOOK_SECRET_PREFIX)
MAX_NAMESPACE_LENGTH = 63
# Longest shard name: stack-level names carry it as a suffix (`argo-tenants-<env>-webhooks-<shard>`, the
# stack's Vault policy and role); 12 leaves room to spare (tests/model/test_naming.py).
MAX_SHARD_LENGTH = 12


TENANT_NAMESPACE_PREFIX = "wf-"


def tenant_namespace(owner: str, repo: str) -> str:
    """`wf-<owner>-<repo>` as the Helm chart named it, lowercased and made a valid DNS-1123 label.

    GitHub repository names may hold '.', '_' and upper case; a name over 63 characters keeps its
    first characters and ends in a hash of the whole, so two long names never meet.
    """
    raw = f"{TENANT_NAMESPACE_PREFIX}{owner}-{repo}".lower()
    label = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", raw)).strip("-")
    if len(label) <= MAX_NAMESPACE_LENGTH:
        return label
    digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
    return f"{label[: MAX_NAMESPACE_LENGTH - 9].rstrip('-')}-{digest}"


def artifact_repository_ref_key(registration: str) -> str:
    """The ConfigMap key a workflow names in `artifactRepositoryRef`, as the seed documents write it.

    Argo reads ConfigMap keys literally (no nesting under `artifactRepositories`), so the dots are part of the key.
    """
    return f"artifactRepositories.{registration}"


def service_account_token_secret_name(account: str) -> str:
    """The Secret argo-server (v3.4 and later) reads an SSO RBAC service account's token from: found by this name."""
    return f"{account}.service-account-token"


def artifact_secret_name(registration: str) -> str:
    return f"s3-credentials-{registration}"


def data_secret_name(registration: str) -> str:
    return f"s3-credentials-{registration}-data"


def webhook_secret_name(registration: str) -> str:
    """The Secret (and its ExternalSecret) holding the webhook secret, in the Argo Events namespace.

    Under a prefix of its own: a name a tenant file chose could be a platform Secret there, which
    External Secrets Operator would then take over (and delete at offboarding).
    """
    return f"{WEBHOOK_SECRET_PREFIX}{registration}"


# Top-level prefixes of a fallback bucket the platform writes itself, which no registration's `<name>/` may be:
# the chart's and seed documents' artifact prefix (`workflows/`), where Argo's controller-wide repository puts
# archived logs when it is pointed at the bucket (`logs/`, `artifacts/`, `archive/`), and the platform's own
# namespaces, which a keyFormat of `{{workflow.namespace}}/...` writes under. Argo's default keyFormat is
# `{{workflow.name}}/{{pod.name}}` (argo-workflows config/config.go, DefaultArchivePattern): the platform
# writes its own workflows under one of these prefixes (docs/operations.md), never at the root.
RESERVED_FALLBACK_PREFIXES = ("workflows", "logs", "artifacts", "archive", "argo", "argo-workflows", "argo-events", "platform")


def fallback_key_prefix(registration: str) -> str:
    """A registration's prefix of its environment's fallback bucket: its name, which no other registration of
    the environment has (and no later one gets: tenants/_retired-buckets.yaml records the prefixes left behind)."""
    return f"{registration}/"


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


def minio_user_name(environment: str, registration: str) -> str:
    """The MinIO user of one registration in one environment (stack setting storage: minio).

    MinIO's user and policy names are global to a server that several environments may share. Both
    parts are DNS labels, which never hold '.', so no two (environment, registration) pairs give the
    same name, whatever hyphens they hold ('dev-a' + 'b' and 'dev' + 'a-b' differ).
    """
    return f"{PROJECT}.{environment}.{registration}"


def minio_policy_name(environment: str, registration: str) -> str:
    """The MinIO policy attached to that user alone (MinIO policies are named objects, not inline)."""
    return minio_user_name(environment, registration)


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


def event_route_name(registration: str) -> str:
    """The registration's EventSource, Sensor and Ingress in the Argo Events namespace (one kind each, one name)."""
    return f"{EVENT_ROUTE_PREFIX}{registration}"


def event_source_service_name(registration: str) -> str:
    """The Service Argo Events creates for the registration's EventSource (a DNS-1035 label)."""
    return f"{event_route_name(registration)}{limits.ARGO_EVENTS_SERVICE_SUFFIX}"


def webhook_secret_volume_name(registration: str) -> str:
    """The volume Argo Events mounts the registration's webhook Secret as, in its EventSource's pod."""
    return (limits.ARGO_EVENTS_SECRET_VOLUME_PREFIX + webhook_secret_name(registration)).replace("_", "-")


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


def github_token_name(registration: str, purpose: str) -> str:
    """A token's generator, ExternalSecret and Secret in the App's namespace, which every registration of the
    environment shares: derived from the registration name under this program's prefix, never from the file.
    At most 13 + 40 + 9 = 62 characters."""
    if purpose not in GITHUB_TOKEN_PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return f"{PROJECT}-{registration}-{purpose}"


def github_token_reader_name(registration: str) -> str:
    """Role and RoleBinding in the App's namespace that let one tenant's store read its two tokens."""
    return f"{PROJECT}-{registration}"


def workflow_generate_name(registration: str) -> str:
    return f"{registration}-"


# --- Tenant-owned workflow definitions, synced by Argo CD (spec.definitions) ---------------------

# Argo CD's Applications and AppProjects of registrations, in Argo CD's namespace, under a prefix the
# platform keeps for them (docs/operations.md). `tenant-<environment>-<registration>` is at most
# 7 + 10 + 1 + 35 = 53 characters: within limits.ARGO_CD_APPLICATION_NAME_MAX (tests/manifests/test_argo_cd.py).
# `environment_overlap` keeps two environments' names apart, as for the Vault names.
ARGO_CD_PREFIX = "tenant-"
# The in-cluster destination, as Argo CD names the cluster it runs in.
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
# Who syncs: the service account of Argo CD's application controller, in Argo CD's namespace.
ARGO_CD_CONTROLLER_ACCOUNT = "argocd-application-controller"
# The service account of a run's first step (it waits for the sync), in the tenant namespace.
SYNC_WAITER_SERVICE_ACCOUNT = "wf-sync-waiter"
# Marks the tenant namespaces whose objects Argo CD syncs, which the admission policy's binding selects.
DEFINITIONS_NAMESPACE_LABEL = "calypr.io/definitions"
# Stack-level admission policy and binding (cluster-scoped: a shard stack's carry its shard).
DEFINITIONS_POLICY = f"{PROJECT}-definitions"
# An Argo CD repository credential template per GitHub owner: 24 + 39 = 63 characters at most.
REPO_CREDS_PREFIX = f"{PROJECT}-repo-creds-"


def argo_cd_name(environment: str, registration: str) -> str:
    """The Application and the AppProject of one registration in one environment, in Argo CD's namespace."""
    return f"{ARGO_CD_PREFIX}{environment}-{registration}"


def sync_waiter_role_name(environment: str, registration: str) -> str:
    """Role and RoleBinding in Argo CD's namespace that let the waiter `get` the registration's Application:
    at most 53 + 5 = 58 characters."""
    return f"{argo_cd_name(environment, registration)}-sync"


def definitions_policy_name(shard: str | None) -> str:
    return _of_shard(DEFINITIONS_POLICY, shard)


def repo_creds_name(owner: str) -> str:
    """GitHub owner names ignore case; Kubernetes names are lower case."""
    return f"{REPO_CREDS_PREFIX}{owner.lower()}"


def repo_creds_url(owner: str) -> str:
    """The prefix Argo CD matches the template against: with its '/', `acme` never serves `acme-labs`
    (util/db/repository_secrets.go matches credential URLs as string prefixes of the repository URL)."""
    return f"https://github.com/{owner.lower()}/"
