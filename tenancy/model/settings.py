"""The environment's platform settings (Pulumi.<stack>.yaml), read once into a typed, validated object.

The program (`__main__.py`) and the offline commands (`tenancy.project.stacks`) read stack config once
and hand the raw values to `settings_from_config`, which is pure.
Credentials never appear here: providers take theirs from `pulumi config set --secret` or their
environment variables.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Annotated, Any, Literal, Mapping, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel
from urllib.parse import urlsplit

from tenancy.model import formats, limits, naming
from tenancy.model.endpoint import Endpoint
from tenancy.model.problems import Loc, Problem, SettingsError
from tenancy.model.quantity import Cpu, Memory, exceeding
from tenancy.model.registration import BucketName, CodeOwner, EnvironmentName, ShardName
from tenancy.model.validators import checked, invalid, list_to_tuple

CONFIG_NAMESPACE = naming.PROJECT


def _checked(check):
    return checked(check, "setting_format")


def _url_without_trailing_slash(value: str) -> str | None:
    problem = formats.http_url_problem(value, "URL")
    if problem:
        return problem
    return "must not end with '/'" if value.endswith("/") else None


class _Settings(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, alias_generator=to_camel, validate_by_name=True
    )


class VaultSettings(_Settings):
    address: Annotated[str, _checked(_url_without_trailing_slash)] = Field(
        description="Vault address as External Secrets Operator reaches it from the cluster, e.g. https://vault.vault.svc:8200."
    )
    kv_mount: Annotated[str, _checked(lambda v: formats.relative_path_problem(v, "KV mount"))] = Field(
        default="kv", description="Mount of the KV version 2 secrets engine."
    )
    path_prefix: Annotated[str, _checked(lambda v: formats.relative_path_problem(v, "Vault path prefix"))] = Field(
        default="argo/apps", description="Every registration's secrets live under <kvMount>/<pathPrefix>/<name>/."
    )
    kubernetes_auth_mount: Annotated[
        str, _checked(lambda v: formats.relative_path_problem(v, "auth mount"))
    ] = Field(default="kubernetes", description="Mount of the Kubernetes auth method that ESO logs in with.")
    token_audience: str = Field(
        default="vault",
        description="Audience of the service account tokens ESO presents; each Vault role requires it.",
    )


def _platform_namespace_problem(value: str) -> str | None:
    problem = formats.dns_label_problem(value)
    if problem:
        return problem
    if value.startswith(naming.TENANT_NAMESPACE_PREFIX):
        # Argo Events' namespace holds every registration's webhook secret and the Sensor, whose service
        # account submits workflows in every tenant namespace: inside a tenant's namespace, that tenant's
        # admins could read them all and act as the Sensor.
        return (
            f"'{value}' could be a tenant namespace ({naming.TENANT_NAMESPACE_PREFIX}<owner>-<repo>), where a tenant admin "
            "can run any pod; the platform's components live in platform namespaces"
        )
    return None


class NamespaceSettings(_Settings):
    argo_workflows: Annotated[str, _checked(_platform_namespace_problem)] = Field(
        default="argo-workflows", description="Namespace of the Argo Workflows controller."
    )
    argo_events: Annotated[str, _checked(_platform_namespace_problem)] = Field(
        default="argo-events",
        description="Namespace of Argo Events: the EventSource, the Sensor and the webhook Secrets live here.",
    )
    # Argo CD holds the GitHub App's key for its repository credentials: a platform namespace too.
    argo_cd: Annotated[str, _checked(_platform_namespace_problem)] = Field(
        default="argocd",
        description=(
            "Namespace of Argo CD, for registrations with spec.definitions: their Applications, AppProjects and "
            "the GitHub App's repository credential templates live here, never in a tenant namespace."
        ),
    )


class FallbackBucketSettings(_Settings):
    bucket: Annotated[str, _checked(formats.s3_bucket_problem)] = Field(
        description="Existing platform bucket (its real name, no affix) for registrations without an artifactBucket. Not created or changed here."
    )
    region: Annotated[str, _checked(formats.aws_region_problem)] = Field(description="Region of the fallback bucket.")


class BucketNameSettings(_Settings):
    prefix: str = Field(default="", description="Put in front of every tenant bucket name in this environment.")
    suffix: str = Field(default="", description="Put after every tenant bucket name in this environment.")


class WebhookIngressSettings(_Settings):
    """How each registration's Ingress (its webhook path on the host of webhookBaseUrl, to its EventSource) is served."""

    class_name: Annotated[str, _checked(formats.dns_subdomain_problem)] | None = Field(
        default=None, description="ingressClassName of every webhook Ingress. Unset: the cluster's default IngressClass."
    )
    tls_secret: Annotated[str, _checked(formats.dns_subdomain_problem)] | None = Field(
        default=None,
        description=(
            "Secret in the Argo Events namespace with the certificate of webhookBaseUrl's host (GitHub verifies it). "
            "Unset: TLS is left to the ingress controller's default certificate."
        ),
    )
    annotations: dict[str, str] = Field(
        default_factory=dict,
        description="Annotations of every webhook Ingress (e.g. cert-manager's). No rewrite: the EventSource matches the full path.",
    )


class ShardSettings(_Settings):
    """This stack is one of several that split an environment's registrations between them (docs/sharding.md)."""

    name: ShardName = Field(
        description=(
            "This stack's shard: it deploys exactly the registrations whose spec.shard names it. "
            f"A DNS label of at most {naming.MAX_SHARD_LENGTH} characters; stack-level objects get it as a suffix."
        )
    )
    of: Annotated[tuple[ShardName, ...], BeforeValidator(list_to_tuple)] = Field(
        description=(
            "Every shard of the environment, the same list in each of its stacks; each entry needs a stack "
            "(`validate` checks all of them together)."
        )
    )

    @field_validator("of")
    @classmethod
    def _each_shard_once(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise invalid("lists no shard; list every shard of the environment", "setting_format")
        repeated = sorted({shard for shard in value if value.count(shard) > 1})
        if repeated:
            raise invalid(f"lists {', '.join(repeated)} more than once; list each shard once", "setting_format")
        return value

    @model_validator(mode="after")
    def _name_is_listed(self) -> ShardSettings:
        if self.name not in self.of:
            raise invalid(
                f"name '{self.name}' is not listed in of {list(self.of)}; a stack's shard is one of its environment's shards",
                "setting_conflict",
            )
        return self


# The installation of an owner a placeholder App lists none for: the offline plan shows what the App would
# create for every registration; no deployment runs with it (GithubAppSettings.placeholder).
PLACEHOLDER_INSTALLATION_ID = 1
# Set by the offline plan's engine (tenancy.plan.engine) while it runs the program: the one run a placeholder
# App may take part in. Nothing is deployed there; a real `pulumi preview` or `up` never has it.
OFFLINE_PLAN_ENV = "ARGO_TENANTS_OFFLINE_PLAN"


class GithubAppSettings(_Settings):
    """The platform's GitHub App (docs/operations.md#the-github-app): how Pulumi manages webhooks, and how the
    cluster mints each repository's short-lived tokens."""

    app_id: int = Field(ge=1, le=limits.MAX_SAFE_INTEGER, description="The App's numeric id (App settings, General, 'App ID').")
    installations: dict[str, Annotated[int, Field(ge=1, le=limits.MAX_SAFE_INTEGER)]] = Field(
        default_factory=dict,
        description=(
            "Installation id of the App per repository owner (user or organization, any case), e.g. {calypr: 12345678}. "
            "The only source of installations: a registration's repository gets its owner's, and nothing else."
        ),
    )
    namespace: Annotated[str, _checked(formats.dns_label_problem)] = Field(
        default="argo-tenants-github",
        description=(
            "Platform namespace (created by the platform team, never a tenant's) that holds the App's private key "
            "Secret, the token generators and the tokens they mint; tenants' token readers are granted single "
            "Secrets in it by name."
        ),
    )
    private_key_secret: Annotated[str, _checked(formats.dns_subdomain_problem)] = Field(
        default="github-app", description="Secret in `namespace` holding the App's private key (PEM)."
    )
    private_key_key: str = Field(default="private-key", description="Key of the PEM in that Secret.")
    placeholder: bool = Field(
        default=False,
        description=(
            "The ids are placeholders, as the shipped stacks have them until an operator creates the App "
            "(docs/installation.md): the plan says so at its top and shows every owner served by an installation "
            f"(owners not listed by the id {PLACEHOLDER_INSTALLATION_ID}), and `pulumi preview` and `pulumi up` "
            "refuse to run. Replace appId and installations with the App's, then remove this setting."
        ),
    )

    @field_validator("installations")
    @classmethod
    def _one_id_per_owner(cls, value: dict[str, int]) -> dict[str, int]:
        owners: dict[str, str] = {}
        for owner in value:
            if formats.github_owner_problem(owner):
                raise invalid(formats.github_owner_problem(owner), "setting_format")
            if owner.lower() in owners:
                raise invalid(
                    f"lists owner '{owner}' twice (also as '{owners[owner.lower()]}'); GitHub owner names ignore case",
                    "setting_format",
                )
            owners[owner.lower()] = owner
        return value

    @field_validator("namespace")
    @classmethod
    def _not_a_tenant_namespace(cls, value: str) -> str:
        if value.startswith(naming.TENANT_NAMESPACE_PREFIX):
            raise invalid(
                f"'{value}' could be a tenant namespace ({naming.TENANT_NAMESPACE_PREFIX}<owner>-<repo>), where a "
                "tenant admin can run any pod; the App's private key must live in a platform namespace",
                "setting_format",
            )
        return value

    def installation_of(self, owner: str) -> int | None:
        """The installation id listed for `owner` (GitHub owner names ignore case), or None."""
        wanted = owner.lower()
        return next((value for key, value in self.installations.items() if key.lower() == wanted), None)


class ComputeSettings(_Settings):
    """CPU and memory, as Kubernetes quantities."""

    cpu: Cpu = Field(description="CPU, in cores ('2', '0.5') or millicores ('500m').")
    memory: Memory = Field(description="Memory, e.g. '8Gi'.")

    def exceeds(self, other) -> list[str]:
        return exceeding(self, other)


def _compute_field(cpu: str, memory: str, description: str):
    return Field(
        default_factory=lambda: ComputeSettings(cpu=cpu, memory=memory),
        json_schema_extra={"x-default": f"{{cpu: '{cpu}', memory: {memory}}}"},
        description=description,
    )


class RunnerSettings(_Settings):
    """The WorkflowTemplate's runner step (the Nextflow head; with the local executor, every task too)."""

    resources: ComputeSettings = _compute_field(
        "1",
        "2Gi",
        "Requests and limits (the same values) of the runner container when a registration sets no "
        "spec.nextflow.resources.",
    )
    max_resources: ComputeSettings = _compute_field(
        "4", "16Gi", "The most a registration's spec.nextflow.resources may ask for; it must fit in the namespace quota."
    )
    scratch_size: Memory = Field(
        default="20Gi",
        description=(
            "Size limit of the runner's scratch volume (an emptyDir): the cloned pipeline, the local executor's "
            "work dir, the run's reports and its --outdir results before Argo uploads them. The pod is evicted "
            "beyond it."
        ),
    )

    @model_validator(mode="after")
    def _default_within_max(self) -> RunnerSettings:
        over = self.resources.exceeds(self.max_resources)
        if over:
            raise invalid(f"resources {' and '.join(over)} exceed maxResources; raise maxResources or lower the default", "setting_conflict")
        return self


class QuotaSettings(_Settings):
    """A tenant namespace's ResourceQuota: the sum over its pods of requests, and of limits, and a pod count."""

    cpu: Cpu = Field(description="Total CPU of the namespace's pods (requests.cpu and limits.cpu).")
    memory: Memory = Field(description="Total memory of the namespace's pods (requests.memory and limits.memory).")
    pods: int = Field(ge=1, description="Most pods at once, running or pending.")


class ContainerLimitSettings(_Settings):
    """A tenant namespace's LimitRange for containers."""

    default: ComputeSettings = _compute_field(
        "500m",
        "1Gi",
        "Requests and limits of a container that sets none (the commit status step, Nextflow's task pods "
        "without cpus/memory directives); a quota makes Kubernetes refuse a pod without them otherwise.",
    )
    max: ComputeSettings = _compute_field(
        "4", "16Gi", "The most one container may ask for (a Nextflow process's cpus and memory included)."
    )


class NetworkSettings(_Settings):
    """The tenant namespace's default NetworkPolicy: no ingress at all, egress to DNS and to these ports."""

    egress_ports: Annotated[tuple[Annotated[int, Field(ge=1, le=65535)], ...], BeforeValidator(list_to_tuple)] = Field(
        default=(443,),
        description=(
            "TCP ports pods may reach (besides DNS, port 53, and the s3Endpoint's port): 443 serves GitHub, "
            "S3, container registries and the Kubernetes API in most clusters. Add 6443 where the API server "
            "listens there and registrations use the k8s executor."
        ),
    )
    egress_cidrs: Annotated[tuple[str, ...], BeforeValidator(list_to_tuple)] = Field(
        default=("0.0.0.0/0",),
        description="Where those ports may be reached; narrow it to your S3, Git and registry ranges where you know them.",
    )

    @field_validator("egress_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in value:
            problem = formats.cidr_problem(cidr)
            if problem:
                raise invalid(problem, "setting_format")
        if not value:
            raise invalid("lists no range; pods need GitHub and S3", "setting_format")
        return value


class GuardrailSettings(_Settings):
    """What every tenant namespace enforces (docs/operations.md#tenant-namespace-guardrails); a registration
    may ask for less (spec.guardrails), never more."""

    pod_security: Literal["baseline", "restricted"] = Field(
        default="baseline",
        description=(
            "Pod Security admission level enforced in tenant namespaces (pod-security.kubernetes.io/enforce). "
            "baseline refuses privileged pods, host namespaces, hostPath and added capabilities; restricted "
            "also requires non-root containers that drop every capability, which Nextflow's task pods and "
            "Argo's default executor do not set. Namespaces are always warned and audited at restricted."
        ),
    )
    quota: QuotaSettings = Field(
        default_factory=lambda: QuotaSettings(cpu="16", memory="64Gi", pods=50),
        json_schema_extra={"x-default": "{cpu: '16', memory: 64Gi, pods: 50}"},
        description="The namespace's ResourceQuota.",
    )
    container_limits: ContainerLimitSettings = Field(
        default_factory=ContainerLimitSettings, description="The namespace's LimitRange for containers."
    )
    network: NetworkSettings = Field(default_factory=NetworkSettings, description="The namespace's default NetworkPolicy.")

    @model_validator(mode="after")
    def _limits_fit(self) -> GuardrailSettings:
        over = self.container_limits.max.exceeds(self.quota)
        if over:
            raise invalid(f"containerLimits.max {' and '.join(over)} exceed the quota; no such container could start", "setting_conflict")
        over = self.container_limits.default.exceeds(self.container_limits.max)
        if over:
            raise invalid(f"containerLimits.default {' and '.join(over)} exceed containerLimits.max", "setting_conflict")
        return self


class StackSettings(_Settings):
    """Everything an environment decides; one object, passed down to components."""

    environment: Annotated[
        str, _checked(lambda v: formats.dns_label_problem(v, "environment name", naming.MAX_ENVIRONMENT_LENGTH))
    ] = Field(
        description="This stack's environment, one of `environments`.",
        json_schema_extra={"x-default": "the stack name"},
    )
    environments: Annotated[tuple[EnvironmentName, ...], BeforeValidator(list_to_tuple)] = Field(
        description="All environments of the project; tenant files may name only these.",
        json_schema_extra={"x-default": "declared once in `Pulumi.yaml`"},
    )
    platform_buckets: Annotated[tuple[BucketName, ...], BeforeValidator(list_to_tuple)] = Field(
        default=(),
        description=(
            "Every bucket the platform owns, the fallbackArtifactBucket of each environment among them. "
            "No registration may claim one, in any environment: declared once, so that every stack knows them all."
        ),
        json_schema_extra={"x-default": "declared once in `Pulumi.yaml`"},
    )
    platform_owners: Annotated[tuple[CodeOwner, ...], BeforeValidator(list_to_tuple)] = Field(
        default=(),
        description=(
            "GitHub users (@login) or teams (@org/team) who own the platform: .github/CODEOWNERS (generated by "
            "`python -m tenancy validate --fix`) makes them owners of every file, beside each registration's own "
            "owners. Changing it is a platform change."
        ),
        json_schema_extra={"x-default": "declared once in `Pulumi.yaml`"},
    )
    aws_region: Annotated[str, _checked(formats.aws_region_problem)] = Field(
        description="AWS region of the provider (the `aws:region` setting)."
    )
    webhook_base_url: Annotated[str, _checked(_url_without_trailing_slash)] = Field(
        description=(
            "Public base URL that routes to the Argo Events EventSource service; each repository's "
            "webhook goes to <webhookBaseUrl>/github/<name>."
        )
    )
    webhook_ingress: WebhookIngressSettings = Field(
        default_factory=WebhookIngressSettings,
        description=(
            "The Ingress each registration gets in the Argo Events namespace, routing its webhook path "
            "(<webhookBaseUrl>/github/<name>) to its own EventSource."
        ),
    )
    vault: VaultSettings = Field(description="Where the tenants' secrets live and how External Secrets Operator logs in.")
    namespaces: NamespaceSettings = Field(
        default_factory=NamespaceSettings, description="Namespaces of the platform's Argo components."
    )
    fallback_artifact_bucket: FallbackBucketSettings | None = Field(
        default=None,
        description="Platform bucket for registrations without an artifactBucket. Without it, every registration must declare one.",
    )
    bucket_names: BucketNameSettings = Field(
        default_factory=BucketNameSettings,
        description="How this environment's bucket names differ from the names in tenant files; dev and prod must differ.",
    )
    s3_endpoint: str | None = Field(
        default=None,
        description=(
            "URL of the S3-compatible service this stack's buckets live in, as workflows reach it from the "
            "cluster (Argo, the runner). With storage aws, the AWS provider is pointed at it too (aws:endpoints). "
            "Unset: AWS S3, and tenant hostnames must be AWS endpoints of their bucket's region."
        ),
    )
    storage: Literal["aws", "minio"] = Field(
        default="aws",
        description=(
            "Which API creates the buckets and the credentials. aws: S3 buckets, IAM users and access keys "
            "(AWS, or whatever aws:endpoints points at). minio: buckets, users, policies and access keys "
            "through MinIO's own admin API (the minio provider's settings, minio:minioServer and its "
            "credentials); s3Endpoint is then required."
        ),
    )
    protect_buckets: bool = Field(
        default=False,
        description=(
            "Mark every bucket `protect`, artifact buckets included (a pipeline's results land there): "
            "removing one then needs an explicit `pulumi state unprotect`. "
            "`protectDataBuckets`, its former name, is read as this setting."
        ),
    )
    runner_image: str = Field(
        default="nextflow/nextflow:25.04.6", description="Container image of the WorkflowTemplate's runner step."
    )
    runner: RunnerSettings = Field(
        default_factory=RunnerSettings, description="Resources of the WorkflowTemplate's runner step and its scratch volume."
    )
    tracks: Literal["branch", "tags", "branch-and-tags"] = Field(
        default="branch",
        description=(
            "Which pushes run in this environment when a registration's spec.refs does not name it: `branch`, "
            "pushes to its defaultBranch; `tags`, pushed tags (a release); `branch-and-tags`, both. The shipped "
            "stacks promote: dev runs the branch, prod runs tags."
        ),
    )
    guardrails: GuardrailSettings = Field(
        default_factory=GuardrailSettings,
        description="Pod Security, ResourceQuota, LimitRange and NetworkPolicy of every tenant namespace.",
    )
    github_app: GithubAppSettings | None = Field(
        default=None,
        description=(
            "The platform's GitHub App. Set: Pulumi authenticates as each owner's installation (private key: the "
            "secret githubAppPrivateKey, or GITHUB_APP_PEM_FILE), runs fetch private repositories with a token "
            "minted for that repository, and report their outcome on the commit. Unset: the personal-token "
            "fallback (githubToken or GITHUB_TOKEN), public repositories only, no commit status."
        ),
    )
    argo_workflows_url: Annotated[str, _checked(_url_without_trailing_slash)] | None = Field(
        default=None,
        description=(
            "Base URL of the Argo Workflows UI, e.g. https://argo.example.org; each commit status links to "
            "<argoWorkflowsUrl>/workflows/<namespace>/<workflow>. Unset: statuses carry no link."
        ),
    )
    status_image: str = Field(
        default="python:3.13-alpine",
        description="Container image of the exit handler that reports a run's outcome on its commit (needs python3 only).",
    )
    tenants_dir: str = Field(default="tenants", description="Directory of tenant files, relative to the project.")
    secret_refresh_interval: str = Field(
        default="1h", description="How often ESO re-reads Vault; a rotated key reaches pods within this time."
    )
    shard: ShardSettings | None = Field(
        default=None,
        description=(
            "Set when the environment is split into several stacks (shards) that each deploy part of its "
            "registrations, e.g. {name: a, of: [a, b, c]}; `environment` must then be set too. "
            "Unset: this stack deploys every registration of its environment."
        ),
    )

    @field_validator("environments")
    @classmethod
    def _environments_keep_names_apart(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # `argo-tenants-<env>-webhooks` is the stack's Vault policy; an environment named
        # `<env>-webhooks…` would give its registrations names that continue it.
        for environment in value:
            for other in value:
                rest = other[len(environment) + 1 :] if other.startswith(f"{environment}-") else None
                if rest is not None and naming.is_platform_name(rest):
                    raise invalid(
                        f"'{other}' continues environment '{environment}' with '{rest}', a name the platform keeps "
                        f"(argo-tenants-{environment}-{rest}); rename the environment",
                        "setting_conflict",
                    )
        return value

    @model_validator(mode="after")
    def _environment_is_known(self) -> StackSettings:
        if self.environment not in self.environments:
            raise invalid(
                f"environment '{self.environment}' is not one of the project's environments "
                f"{list(self.environments)} (Pulumi.yaml: environments)",
                "setting_conflict",
            )
        if self.s3_endpoint is not None:
            problem = formats.http_url_problem(self.s3_endpoint, "s3Endpoint")
            if problem:
                raise invalid(problem, "setting_format")
        elif self.storage == "minio":
            raise invalid(
                "storage minio needs s3Endpoint: the MinIO endpoint workflows reach from the cluster", "setting_conflict"
            )
        over = self.runner.max_resources.exceeds(self.guardrails.quota)
        if over:
            raise invalid(
                f"runner.maxResources {' and '.join(over)} exceed guardrails.quota; a runner that large could never start",
                "setting_conflict",
            )
        over = self.runner.max_resources.exceeds(self.guardrails.container_limits.max)
        if over:
            raise invalid(
                f"runner.maxResources {' and '.join(over)} exceed guardrails.containerLimits.max; the LimitRange would refuse it",
                "setting_conflict",
            )
        if self.github_app is not None and self.github_app.namespace == self.namespaces.argo_events:
            # Registrations' objects there are argo-tenants-webhook-<name>; the tokens' are
            # argo-tenants-<name>-contents: registration x-contents and webhook-x would meet.
            raise invalid(
                f"githubApp namespace '{self.github_app.namespace}' is the Argo Events namespace; give the App a "
                "namespace of its own, where registrations' token names cannot meet their webhook Secrets",
                "setting_conflict",
            )
        return self

    @field_validator("fallback_artifact_bucket")
    @classmethod
    def _fallback_is_a_platform_bucket(cls, value: FallbackBucketSettings | None, info: ValidationInfo):
        if value is not None and value.bucket not in info.data.get("platform_buckets", ()):
            raise invalid(
                f"'{value.bucket}' is not listed in platformBuckets (Pulumi.yaml); list every environment's "
                "fallback bucket there, so that no stack lets a registration claim it",
                "setting_conflict",
            )
        return value

    @property
    def shard_name(self) -> str | None:
        """This stack's shard, or None when it deploys its whole environment."""
        return self.shard.name if self.shard else None

    @property
    def webhook_base(self) -> Endpoint:
        """The base URL's parts; its path is served by the EventSource because the ingress does not rewrite."""
        return Endpoint.parse(self.webhook_base_url)

    @property
    def webhook_host(self) -> str | None:
        """The host webhook Ingresses match: webhookBaseUrl's, without its port; None for an IP address, which
        an Ingress rule cannot name (every host then reaches the path)."""
        host = urlsplit(self.webhook_base_url).hostname
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return host
        return None

    @property
    def s3_service(self) -> Endpoint | None:
        """The S3-compatible service of `s3_endpoint`; None for AWS S3."""
        return Endpoint.parse(self.s3_endpoint) if self.s3_endpoint else None


# The one setting kept in a provider's namespace: the AWS provider's region is the stack's too.
_PROVIDER_KEYS = {"awsRegion": "aws:region"}


def _holds_json(annotation: Any) -> bool:
    """An object or a list (optional or not): Pulumi hands such a value to a program as JSON text."""
    return any(
        isinstance(kind, type) and issubclass(kind, (BaseModel, tuple, list, dict))
        for kind in (get_origin(annotation) or annotation, *(get_origin(arg) or arg for arg in get_args(annotation)))
    )


# Every setting's key in a stack file, by its name in the model (the field's alias): derived from the
# fields, so that a new field is a new key, and the reference, the errors and the reader agree.
CONFIG_KEYS = {
    field.alias: _PROVIDER_KEYS.get(field.alias, f"{CONFIG_NAMESPACE}:{field.alias}")
    for field in StackSettings.model_fields.values()
}
_OWN_KEYS = frozenset(alias for alias, key in CONFIG_KEYS.items() if key == f"{CONFIG_NAMESPACE}:{alias}")
_JSON_KEYS = frozenset(field.alias for field in StackSettings.model_fields.values() if _holds_json(field.annotation))
# `pulumi config set` without --type writes a boolean as the text true or false.
_BOOLEAN_KEYS = frozenset(field.alias for field in StackSettings.model_fields.values() if field.annotation is bool)
# Former names still read, as the settings they became. protectDataBuckets protected data buckets only;
# protectBuckets protects every bucket, which only adds protection to stacks that set the old name.
_RENAMED_KEYS = {"protectDataBuckets": "protectBuckets"}
# Secrets this project reads itself (everything else secret belongs to a provider's namespace).
# githubToken: the personal-token fallback; githubAppPrivateKey: the App's PEM, for Pulumi's GitHub provider.
SECRET_KEYS = ("githubToken", "githubAppPrivateKey")
# Settings this project no longer has, and what took their place.
REMOVED_KEYS = {
    "userPrefix": (
        "is no longer used: people reach the Argo UI through SSO RBAC service accounts, not as Kubernetes users "
        "(docs/operations.md#the-argo-ui-sso-rbac)"
    ),
}


def settings_from_config(config: Mapping[str, Any], stack: str) -> StackSettings:
    """Build the settings from `{"argo-tenants:vault": {...}, "aws:region": "...", ...}`.

    Values may be JSON text (as Pulumi hands structured config to a program) or already decoded.
    Raises SettingsError naming the key on the first unknown, missing or malformed setting.
    """
    prefix = f"{CONFIG_NAMESPACE}:"
    raw: dict[str, Any] = {}
    for key, value in config.items():
        if not key.startswith(prefix):
            continue
        name = key[len(prefix) :]
        if name in SECRET_KEYS:
            continue
        if name in REMOVED_KEYS:
            raise SettingsError(Problem((key,), REMOVED_KEYS[name], hint=f"remove {key} from the stack file"))
        if name in _RENAMED_KEYS:
            renamed = _RENAMED_KEYS[name]
            if f"{prefix}{renamed}" in config:
                raise SettingsError(
                    Problem((key,), f"is the former name of {prefix}{renamed}", hint=f"set only {prefix}{renamed}")
                )
            name = renamed
        if name not in _OWN_KEYS:
            known = ", ".join(sorted((*_OWN_KEYS, *SECRET_KEYS)))
            raise SettingsError(Problem((key,), f"unknown setting (known: {known})", hint="check its spelling"))
        raw[name] = _decode(key, value, structured=name in _JSON_KEYS)
    _check_configmaps_mutable(config)
    if "environment" not in raw:
        _check_default_environment(raw, stack)
        raw["environment"] = stack
    for name, key in _PROVIDER_KEYS.items():
        if config.get(key) is not None:
            raw[name] = _decode(key, config[key], structured=name in _JSON_KEYS)
    for name in _BOOLEAN_KEYS:
        if isinstance(raw.get(name), str) and raw[name] in ("true", "false"):
            raw[name] = raw[name] == "true"
    try:
        return StackSettings.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        loc = config_loc(tuple(first["loc"]))
        if first["type"] == "extra_forbidden":
            raise SettingsError(Problem(loc, "unknown setting", hint="check its spelling")) from None
        message = "is required but not set" if first["type"] == "missing" else first["msg"]
        raise SettingsError(Problem(loc, message)) from None


# pulumi-kubernetes' provider setting (docs: kubernetes.Provider, enableConfigMapMutable): without it a ConfigMap
# whose data changes is replaced, deleted and created again, and runs find no artifact repository meanwhile.
CONFIGMAP_MUTABLE_KEY = "kubernetes:enableConfigMapMutable"


def _check_configmaps_mutable(config: Mapping[str, Any]) -> None:
    """The program updates its ConfigMaps (`artifact-repositories`) in place: only with this provider setting."""
    value = config.get(CONFIGMAP_MUTABLE_KEY)
    if value is True or (isinstance(value, str) and value.strip().lower() == "true"):
        return
    raise SettingsError(
        Problem(
            (CONFIGMAP_MUTABLE_KEY,),
            f"is {'not set' if value is None else repr(value)}; the artifact-repositories ConfigMap would be deleted and "
            "created again on every change, and runs started meanwhile find no artifact repository",
            hint=f"set it in Pulumi.yaml's config: {CONFIGMAP_MUTABLE_KEY}: {{value: true}}",
        )
    )


def _check_default_environment(raw: dict[str, Any], stack: str) -> None:
    """Without `environment`, the stack name is the environment: say how to fix a stack named otherwise."""
    key = config_key("environment")
    fix = f"set {key} in Pulumi.{stack}.yaml"
    if "shard" in raw:
        raise SettingsError(
            Problem(
                (key,),
                f"is required in a shard stack ({config_key('shard')} is set): {fix} to the environment "
                "this stack is a shard of",
            )
        )
    environments = raw.get("environments")
    if isinstance(environments, (list, tuple)) and stack not in environments:
        raise SettingsError(
            Problem(
                (key,),
                f"is not set, so it would be the stack name '{stack}', which is not one of the project's "
                f"environments {list(environments)} (Pulumi.yaml: environments)",
                hint=fix,
            )
        )


def config_key(field: str) -> str:
    """A StackSettings field's key in the stack file: `tenants_dir` -> `argo-tenants:tenantsDir`."""
    return CONFIG_KEYS[StackSettings.model_fields[field].alias]


def config_loc(loc: Loc) -> Loc:
    """A model path (aliases) as the stack file's key path: ("vault", "address") -> ("argo-tenants:vault", "address")."""
    if not loc:
        return (CONFIG_NAMESPACE,)
    return (CONFIG_KEYS.get(str(loc[0]), f"{CONFIG_NAMESPACE}:{loc[0]}"), *loc[1:])


def _decode(key: str, value: Any, structured: bool) -> Any:
    if structured and isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise SettingsError(Problem((key,), f"expected a structured value (an object or a list), got {value!r}")) from None
    return value
