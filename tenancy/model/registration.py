"""The tenant file: a RepoRegistration manifest, as a strict, frozen pydantic model.

Field descriptions here are the tenant documentation: docs/ and the JSON Schema are generated from them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from tenancy.model import formats, limits, naming
from tenancy.model.endpoint import Endpoint
from tenancy.model.quantity import Cpu, Memory
from tenancy.model.validators import checked, invalid, list_to_tuple

API_VERSION = "platform.calypr.io/v1alpha1"
KIND = "RepoRegistration"
DEFAULT_REGION = "us-west-2"
DEFAULT_BRANCH = "main"
NEXTFLOW_PARAMS_FILE_EXTENSIONS = ("json", "yml", "yaml")


def _schema(**hints) -> Field:
    """JSON Schema hints for editors; validation itself is the check, with its clearer message."""
    return Field(json_schema_extra=hints)


RegistrationName = Annotated[
    str,
    checked(
        lambda v: formats.dns_label_problem(v, "registration name", naming.MAX_REGISTRATION_NAME_LENGTH)
    ),
    _schema(pattern=formats.DNS_LABEL_PATTERN, maxLength=naming.MAX_REGISTRATION_NAME_LENGTH),
]
KubernetesName = Annotated[
    str, checked(formats.dns_subdomain_problem), _schema(pattern=formats.DNS_SUBDOMAIN_PATTERN, maxLength=253)
]
BucketName = Annotated[
    str, checked(formats.s3_bucket_problem), _schema(pattern=formats.S3_BUCKET_PATTERN, minLength=3, maxLength=63)
]
Email = Annotated[str, checked(formats.email_problem), _schema(format="email")]
CodeOwner = Annotated[str, checked(formats.code_owner_problem), _schema(pattern=r"^@[A-Za-z0-9][A-Za-z0-9-]{0,38}(/[a-z0-9_][a-z0-9_-]{0,99})?$")]
Region = Annotated[str, checked(formats.aws_region_problem), _schema(pattern=formats.AWS_REGION_PATTERN)]
Branch = Annotated[str, checked(formats.branch_problem), _schema(minLength=1)]
TenantLabel = Annotated[
    str,
    checked(lambda v: formats.label_value_problem(v, "tenant identifier")),
    _schema(pattern=formats.LABEL_VALUE_PATTERN, maxLength=63),
]
ShardName = Annotated[
    str,
    checked(lambda v: formats.dns_label_problem(v, "shard name", naming.MAX_SHARD_LENGTH)),
    _schema(pattern=formats.DNS_LABEL_PATTERN, maxLength=naming.MAX_SHARD_LENGTH),
]
TemplateName = Annotated[
    str,
    checked(formats.dns_subdomain_problem),
    _schema(pattern=formats.DNS_SUBDOMAIN_PATTERN, maxLength=limits.WORKFLOW_TEMPLATE_LABEL_MAX),
]
GithubLogin = Annotated[
    str, checked(formats.github_owner_problem), _schema(pattern=formats.GITHUB_OWNER_PATTERN, maxLength=39)
]
EnvironmentName = Annotated[
    str,
    checked(lambda v: formats.dns_label_problem(v, "environment name", naming.MAX_ENVIRONMENT_LENGTH)),
    _schema(pattern=formats.DNS_LABEL_PATTERN, maxLength=naming.MAX_ENVIRONMENT_LENGTH),
]


class _Strict(BaseModel):
    # strict: YAML's `yes`, `2024` or `1.0` must not silently become a string or a bool.
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, alias_generator=to_camel, validate_by_name=True
    )


class BucketSpec(_Strict):
    """An S3 bucket of the registration: created, versioned, encrypted and kept by this program."""

    hostname: str | None = Field(
        default=None,
        description=(
            "S3 endpoint URL, e.g. https://s3.us-west-2.amazonaws.com. Optional: derived from the region "
            "(or the stack's S3 endpoint). A bare host[:port] is read as https, or http when insecure is true."
        ),
    )
    bucket: BucketName = Field(
        description=(
            "Bucket name, before the environment's affix (see the stack setting bucketNames). "
            "Created by this program; never deleted by it."
        )
    )
    region: Region = Field(default=DEFAULT_REGION, description="AWS region of the bucket.")
    key_prefix: str | None = Field(
        default=None,
        json_schema_extra={"pattern": formats.KEY_PREFIX_PATTERN},
        description=(
            f"Prefix of every object this registration writes, e.g. {naming.DEFAULT_ARTIFACT_KEY_PREFIX}. Credentials are "
            "limited to it. A trailing '/' is added when missing. Default: "
            f"{naming.DEFAULT_ARTIFACT_KEY_PREFIX} in an artifactBucket, the whole bucket in a dataBucket; "
            "'' means the bucket root."
        ),
    )
    insecure: bool = Field(
        default=False, description="Use plain HTTP to reach the endpoint. Must agree with the hostname's scheme."
    )
    path_style: bool = Field(
        default=False,
        description=(
            "Address the bucket path-style (<endpoint>/<bucket>/<key>) from the pipeline runner (Nextflow's "
            "aws.client.s3PathStyleAccess). Always on for an S3-compatible endpoint such as MinIO. Argo's own "
            "S3 client has no such setting and chooses by itself."
        ),
    )
    external_secret_path: str | None = Field(
        default=None,
        description=(
            "Ignored: the credentials of this bucket are always written to the Vault KV v2 path "
            "<pathPrefix>/<name>/s3/artifacts (or /s3/data for the dataBucket) under the stack's KV mount, "
            "where nothing else is. Accepted with any value, so that the platform documents' manifests paste in "
            "unchanged; a value other than that path is reported as a warning naming the path used."
        ),
    )

    @field_validator("key_prefix")
    @classmethod
    def _normalize_key_prefix(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return value
        problem = formats.key_prefix_problem(value)
        if problem:
            raise invalid(problem)
        return value if value.endswith("/") else f"{value}/"

    @field_validator("hostname")
    @classmethod
    def _check_hostname(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = formats.http_url_problem(value if "://" in value else f"https://{value}", "S3 endpoint")
        if problem:
            raise invalid(problem)
        if Endpoint.parse(value).path:
            raise invalid(f"'{value}' must be an endpoint without a path")
        return value

    @model_validator(mode="after")
    def _scheme_agrees_with_insecure(self) -> BucketSpec:
        if self.hostname and "://" in self.hostname:
            is_http = self.service.insecure
            if is_http and not self.insecure:
                raise invalid(
                    "hostname uses http:// but insecure is false; set insecure: true or use https://", "tenant_conflict"
                )
            if not is_http and self.insecure:
                raise invalid(
                    "hostname uses https:// but insecure is true; remove insecure or use http://", "tenant_conflict"
                )
        return self

    @property
    def service(self) -> Endpoint | None:
        """The S3 service `hostname` names (a bare host is https, or http when insecure); None without one."""
        if self.hostname is None:
            return None
        return Endpoint.parse(self.hostname, default_scheme="http" if self.insecure else "https")


# Kinds of Argo Workflows a repository may keep as its own definitions: the namespaced ones that carry a
# workflow spec, which the admission policy (tenancy/manifests/argo_cd.py) holds to the platform's
# guardrails. ClusterWorkflowTemplate and ClusterRoles are cluster-wide: never a tenant's.
DEFINITION_KINDS = ("WorkflowTemplate", "CronWorkflow", "Workflow")
DEFAULT_DEFINITION_KINDS = ("WorkflowTemplate", "CronWorkflow")
DEFAULT_DEFINITIONS_PATH = "argo"


class DefinitionsSpec(_Strict):
    """The repository is the source of its own Argo definitions, synced into its namespace by Argo CD."""

    path: str = Field(
        default=DEFAULT_DEFINITIONS_PATH,
        description=(
            "Folder of the repository whose manifests Argo CD syncs (with its subfolders) into the tenant "
            "namespace, at the branch the environment tracks."
        ),
        json_schema_extra={"pattern": r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/?$"},
    )
    per_environment: bool = Field(
        default=False,
        description="Sync <path>/<environment>/ instead of <path>/, so that dev and prod keep definitions apart.",
    )
    kinds: tuple[str, ...] = Field(
        default=DEFAULT_DEFINITION_KINDS,
        description=(
            "Kinds Argo CD may create from the folder (its AppProject allows only these; anything else fails "
            f"the sync). Any of {', '.join(DEFINITION_KINDS)}: namespaced Argo Workflows kinds only."
        ),
        json_schema_extra={"items": {"enum": list(DEFINITION_KINDS)}, "minItems": 1},
    )
    entrypoint: TemplateName | None = Field(
        default=None,
        description=(
            "A WorkflowTemplate of the folder that every push runs instead of the generated one (workflowTemplateRef), "
            "once Argo CD has synced the pushed commit. Default: the generated template."
        ),
    )

    @field_validator("kinds", mode="before")
    @classmethod
    def _kinds_to_tuple(cls, value):
        return list_to_tuple(value)

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise invalid(
                "is empty; list at least one kind (an empty allow-list is Argo CD's 'every namespaced kind')"
            )
        for kind in value:
            if kind not in DEFINITION_KINDS:
                raise invalid(
                    f"'{kind}' is not a kind a repository may define; allowed: {', '.join(DEFINITION_KINDS)} "
                    "(namespaced Argo Workflows kinds only)"
                )
        if len(set(value)) != len(value):
            raise invalid("lists a kind twice; list each once")
        return value

    @field_validator("path")
    @classmethod
    def _relative_path(cls, value: str) -> str:
        problem = formats.relative_path_problem(value, "repository folder")
        if problem:
            raise invalid(problem)
        return value.rstrip("/")

    @field_validator("entrypoint")
    @classmethod
    def _template_name(cls, value: str | None) -> str | None:
        # A WorkflowTemplate's name becomes the label workflows.argoproj.io/workflow-template of its runs.
        if value is not None and len(value) > limits.WORKFLOW_TEMPLATE_LABEL_MAX:
            raise invalid(
                f"'{value}' has {len(value)} characters; a WorkflowTemplate name is at most "
                f"{limits.WORKFLOW_TEMPLATE_LABEL_MAX} (it becomes a label value of every run)"
            )
        return value

    def folder(self, environment: str) -> str:
        """The folder Argo CD syncs in `environment`."""
        return f"{self.path}/{environment}" if self.per_environment else self.path
class ResourcesSpec(_Strict):
    """CPU and memory of the runner container: its requests and its limits (the same values)."""

    cpu: Cpu = Field(description="CPU, in cores ('2', '0.5') or millicores ('500m').")
    memory: Memory = Field(description="Memory, e.g. '8Gi'.")


class NextflowSpec(_Strict):
    """How the runner starts the repository's pipeline (docs/onboarding.md#what-a-run-does)."""

    params_file: str | None = Field(
        default=None,
        description=(
            "Parameters file in the repository (JSON or YAML), e.g. params.json, given to `nextflow run "
            "-params-file` from the checked-out revision. Default: none."
        ),
    )
    profile: str | None = Field(
        default=None,
        json_schema_extra={"pattern": formats.NEXTFLOW_PROFILE_PATTERN},
        description="Configuration profile(s) of the pipeline, comma-separated, given to `nextflow run -profile`.",
    )
    executor: Literal["local", "k8s"] = Field(
        default="local",
        description=(
            "local: every process runs inside the runner pod, with the tools of the runner image, its work dir "
            "on the pod's scratch volume. k8s: each process runs as a pod of its own container in the tenant "
            "namespace (nf-core style pipelines), started by the runner's service account, its work dir on "
            "the artifact bucket (s3://<bucket>/<prefix>work/<workflow>/) through Nextflow's Fusion file system."
        ),
    )
    resources: ResourcesSpec | None = Field(
        default=None,
        description="Requests and limits of the runner container. Default: the stack's runner.resources; at most its runner.maxResources.",
    )

    @field_validator("params_file")
    @classmethod
    def _params_file_in_repository(cls, value: str | None) -> str | None:
        if value is not None:
            problem = formats.relative_path_problem(value, "path in the repository")
            if problem:
                raise invalid(problem)
            # Nextflow refuses any other ("Not a valid params file extension", CmdRun.validateParamsFile).
            if value.rsplit(".", 1)[-1] not in NEXTFLOW_PARAMS_FILE_EXTENSIONS:
                raise invalid(f"'{value}' is not a file Nextflow reads parameters from: it must end in .json, .yml or .yaml")
        return value

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: str | None) -> str | None:
        if value is not None:
            problem = formats.nextflow_profile_problem(value)
            if problem:
                raise invalid(problem)
        return value


class RefSpec(_Strict):
    """Which pushes start a run in one environment."""

    branch: Branch | None = Field(default=None, description="A push to this branch runs.")
    tags: bool = Field(default=False, description="A pushed tag runs (a release).")

    @model_validator(mode="after")
    def _runs_something(self) -> RefSpec:
        if self.branch is None and not self.tags:
            raise invalid("names neither a branch nor tags: true; remove the environment to use the stack's default", "tenant_conflict")
        return self


class QuotaSpec(_Strict):
    """A smaller ResourceQuota than the stack's; each value at most the stack's."""

    cpu: Cpu | None = Field(default=None, description="Total CPU of the namespace's pods.")
    memory: Memory | None = Field(default=None, description="Total memory of the namespace's pods.")
    pods: int | None = Field(default=None, ge=1, description="Most pods at once.")


class GuardrailSpec(_Strict):
    """Tighter guardrails for this registration's namespace than the stack's; never looser."""

    pod_security: Literal["baseline", "restricted"] | None = Field(
        default=None,
        description=(
            "Pod Security level to enforce: restricted is allowed where the stack enforces baseline, never the "
            "reverse. restricted refuses containers that may run as root: the default runner image and Argo's "
            "executor as most controllers configure it do, so ask the platform team first."
        ),
    )
    quota: QuotaSpec | None = Field(default=None, description="A smaller ResourceQuota.")


class Metadata(BaseModel):
    """Kubernetes-style metadata. Only `name` is used; namespace, labels and annotations are kept for reference."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: RegistrationName = Field(
        description=(
            f"Registration name: a DNS-1123 label of at most {naming.MAX_REGISTRATION_NAME_LENGTH} characters. "
            "The file must be named <name>.yaml. Every derived name (Vault paths, Secrets, IAM user) starts from it."
        )
    )
    namespace: str | None = Field(
        default=None,
        description=(
            "Ignored: the tenant namespace is always wf-<owner>-<repo>. Accepted with any value so that existing "
            "manifests paste in unchanged; another value is reported as a warning naming the namespace used."
        ),
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Ignored; for documentation.")
    annotations: dict[str, str] = Field(default_factory=dict, description="Ignored; for documentation.")


class RepoRegistrationSpec(_Strict):
    """What the repository needs: where its artifacts go, who may see its workflows, how pushes reach Argo."""

    repo_url: str = Field(
        description="GitHub repository, as https://github.com/<owner>/<repo>.git.",
        json_schema_extra={"pattern": formats.GITHUB_REPO_URL_PATTERN.replace("?P<owner>", "").replace("?P<repo>", "")},
    )
    tenant: TenantLabel = Field(
        description="Tenant identifier (project or program code); becomes the `tenant` label and tag."
    )
    workflow_template_ref: KubernetesName = Field(
        default=naming.DEFAULT_WORKFLOW_TEMPLATE,
        description="Name of the WorkflowTemplate created in the tenant namespace and submitted on every push.",
    )
    github_secret_name: str | None = Field(
        default=None,
        description=(
            "Ignored: the Kubernetes Secret in the Argo Events namespace that holds this repository's webhook "
            f"secret is always {naming.WEBHOOK_SECRET_PREFIX}<name>, a prefix the platform keeps for registrations. "
            "Accepted with any value, so that the platform documents' manifests (whose CRD requires it) paste in "
            "unchanged; another value is reported as a warning naming the Secret used. No GitHub token is needed: "
            "this program creates the webhook."
        ),
    )
    default_branch: Branch = Field(
        default=DEFAULT_BRANCH,
        description=(
            "The branch to track: where the environment runs branch pushes (see refs and the stack's `tracks`), "
            "a push to it starts a workflow at the pushed commit; pushes to other branches start nothing. "
            "Also what a workflow submitted by hand runs."
        ),
    )
    installation_id: int | None = Field(
        default=None,
        ge=1,
        le=limits.MAX_SAFE_INTEGER,
        description=(
            "Leave it out: the installation used is always the one the stack setting githubApp.installations "
            "lists for this repository's owner. Accepted, for manifests that name it, only when it is exactly that id."
        ),
    )
    artifact_bucket: BucketSpec | None = Field(
        default=None,
        description=(
            "Dedicated bucket for workflow artifacts and logs. Without it, artifacts go to the stack's "
            "fallback bucket under the prefix <name>/, still with credentials of their own."
        ),
    )
    data_bucket: BucketSpec | None = Field(default=None, description="Dedicated bucket for primary data.")
    admin_users: tuple[Email, ...] = Field(
        default=(), description="Emails with admin access to the tenant's workflows and logs."
    )
    read_users: tuple[Email, ...] = Field(
        default=(), description="Emails with read-only access to the tenant's workflows and logs."
    )
    is_public: bool = Field(
        default=False,
        description=(
            "Let every signed-in user of the platform read the tenant's workflows and logs, as readUsers do "
            "(signing in is still required); recorded on the namespace as the label calypr.io/public."
        ),
    )
    owners: tuple[CodeOwner, ...] = Field(
        default=(),
        description=(
            "GitHub users (@login) or teams (@org/team) who own this registration. .github/CODEOWNERS (generated "
            "by `python -m tenancy validate --fix`) asks them, or the platform, to review every change to this "
            "file, and a change to its access (repoUrl, installationId, adminUsers, readUsers, isPublic, definitions, deployers, owners) "
            "needs their approval or the platform's, never only the pull request's author (docs/ci.md)."
        ),
    )
    environments: tuple[EnvironmentName, ...] | None = Field(
        default=None,
        description=(
            "Environments this registration is deployed to (by the environment's stack, or by the stack "
            "of its shard where the environment is split). Default: all of them."
        ),
    )
    shard: ShardName | None = Field(
        default=None,
        description=(
            "Which of its environment's stacks deploys this registration, where the environment is split into "
            "shards (the stack setting `shard`): required there, and must be one of its shards. Ignored by "
            "unsharded environments. Changing it moves the registration to another stack: an operator moves "
            "its state first (docs/sharding.md), or it would be deleted and created again."
        ),
    )
    refs: dict[EnvironmentName, RefSpec] = Field(
        default_factory=dict,
        description=(
            "Which pushes run in each environment, e.g. {dev: {branch: develop}, prod: {tags: true}}. An "
            "environment not listed uses its stack's `tracks` setting over defaultBranch (the shipped stacks: "
            "dev runs pushes to defaultBranch, prod runs pushed tags)."
        ),
    )
    nextflow: NextflowSpec = Field(
        default_factory=NextflowSpec,
        description="Parameters file, profile, executor and resources of the runner.",
    )
    guardrails: GuardrailSpec = Field(
        default_factory=GuardrailSpec,
        description="Ask for tighter namespace guardrails than the stack's (never looser).",
    )
    paused: bool = Field(
        default=False,
        description="Pause: the GitHub webhook stays but is inactive, so pushes start nothing. Nothing is deleted.",
    )
    definitions: DefinitionsSpec | None = Field(
        default=None,
        description=(
            "Make the repository the source of its Argo definitions (docs/onboarding.md, 'Your own workflow "
            "definitions'): Argo CD syncs the folder into the tenant namespace, confined by an AppProject to this "
            "repository, this namespace and the kinds listed; pushes run once the pushed commit is synced. "
            "Removing it stops the syncing and leaves the synced objects in place."
        ),
    )
    deployers: dict[EnvironmentName, tuple[GithubLogin, ...]] = Field(
        default_factory=dict,
        description=(
            "Per environment, the GitHub users whose pushes start runs there, e.g. {prod: [alice]}: the "
            "authenticated sender of the push (never a commit's author or email). An environment not listed "
            "runs every push of the tracked branch."
        ),
    )
    credentials_rotation: int = Field(
        default=0,
        ge=0,
        # Pulumi carries it as a double (the keys' replacement trigger): beyond 2**53 - 1 it crashed the plan.
        le=limits.MAX_SAFE_INTEGER,
        description=(
            "Bump by one to rotate the S3 access key. The previous key keeps working until the next "
            "rotation, so running workflows are not cut off."
        ),
    )

    @field_validator("admin_users", "read_users", "owners", mode="before")
    @classmethod
    def _list_to_tuple(cls, value):
        return list_to_tuple(value)

    @field_validator("deployers", mode="before")
    @classmethod
    def _deployers_to_tuples(cls, value):
        if isinstance(value, dict):
            return {key: list_to_tuple(users) for key, users in value.items()}
        return value

    @field_validator("deployers")
    @classmethod
    def _deployers_listed(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for environment, users in value.items():
            if not users:
                raise invalid(
                    f"lists nobody for '{environment}'; name who may deploy there, or remove the environment to let every push run"
                )
        return value

    @field_validator("environments", mode="before")
    @classmethod
    def _environments_to_tuple(cls, value):
        if isinstance(value, list):
            if not value:
                raise invalid("is empty; list at least one environment, or remove the field to deploy everywhere")
            return tuple(value)
        return value

    @field_validator("repo_url")
    @classmethod
    def _check_repo_url(cls, value: str) -> str:
        if formats.github_repo_url_parts(value) is None:
            canonical = formats.github_clone_url(value)
            fix = f"; write {canonical}" if canonical else ""
            raise invalid(f"'{value}' is not a GitHub repository URL of the form https://github.com/<owner>/<repo>.git{fix}")
        return value

    @property
    def owner(self) -> str:
        return formats.github_repo_url_parts(self.repo_url)[0]

    @property
    def repo(self) -> str:
        return formats.github_repo_url_parts(self.repo_url)[1]

    def wants(self, environment: str) -> bool:
        """Whether the registration asks to be deployed to `environment` (no `environments`: all of them)."""
        return self.environments is None or environment in self.environments


class RepoRegistration(BaseModel):
    """One tenant file: `tenants/<metadata.name>.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, validate_by_name=True)

    api_version: Literal["platform.calypr.io/v1alpha1"] = Field(alias="apiVersion")
    kind: Literal["RepoRegistration"]
    metadata: Metadata
    spec: RepoRegistrationSpec

    @property
    def name(self) -> str:
        return self.metadata.name
