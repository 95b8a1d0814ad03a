"""A validated registration resolved against its stack: every name, path and location it gets, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from tenancy.model import naming
from tenancy.model.endpoint import Endpoint
from tenancy.model.registration import BucketSpec, RefSpec, RepoRegistration
from tenancy.model.settings import PLACEHOLDER_INSTALLATION_ID, ComputeSettings, QuotaSettings, StackSettings

Purpose = Literal["artifacts", "data"]


@dataclass(frozen=True)
class BucketLocation:
    """Where one kind of a registration's objects lives, and the credentials that reach it."""

    purpose: Purpose
    bucket: str
    region: str
    service: Endpoint
    key_prefix: str
    managed: bool
    vault_path: str
    secret_name: str
    # Clients address the bucket as <endpoint>/<bucket>/<key>: asked for in the tenant file, and always
    # for an S3-compatible service (MinIO answers virtual-host requests only with a configured domain).
    path_style: bool

    @property
    def insecure(self) -> bool:
        return self.service.insecure

    @property
    def endpoint(self) -> str:
        """host[:port], the form Argo's `s3.endpoint` wants (no scheme)."""
        return self.service.host

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}"

    @property
    def objects_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}/{self.key_prefix}*"

    @property
    def s3_uri(self) -> str:
        return f"s3://{self.bucket}/{self.key_prefix}"


def _key_prefix(spec: BucketSpec, purpose: Purpose) -> str:
    """An artifact bucket's objects go under workflows/ unless the file says otherwise; a data bucket's
    credentials reach the whole bucket unless it names a prefix (its data is the tenant's, wherever it lies)."""
    if spec.key_prefix is not None:
        return spec.key_prefix
    return naming.DEFAULT_ARTIFACT_KEY_PREFIX if purpose == "artifacts" else ""


@dataclass(frozen=True)
class Tenant:
    """A registration as deployed to one environment. Valid by construction: built only after every rule passed."""

    registration: RepoRegistration
    settings: StackSettings
    source: str

    @property
    def name(self) -> str:
        return self.registration.name

    @property
    def spec(self):
        return self.registration.spec

    @property
    def owner(self) -> str:
        return self.spec.owner

    @property
    def repo(self) -> str:
        return self.spec.repo

    @property
    def repo_url(self) -> str:
        return self.spec.repo_url

    @property
    def environment(self) -> str:
        return self.settings.environment

    @property
    def in_environment(self) -> bool:
        """Whether this stack's environment is one the registration asks for."""
        return self.spec.wants(self.environment)

    @property
    def deployed(self) -> bool:
        """Whether this stack deploys the registration: it asks for the stack's environment and, where the
        environment is split into shards, names this stack's shard (the others deploy the rest)."""
        shard = self.settings.shard_name
        return self.in_environment and (shard is None or self.spec.shard == shard)

    @property
    def skipped_because(self) -> dict[str, object] | None:
        """Why this stack does not deploy the registration, for the plan's reviewer; None when it does.

        `{"reason": "environment", "environments": [...]}`: its environments leave this one out;
        `{"reason": "shard", "shard": "b"}`: another shard's stack deploys it (or none, when unset).
        """
        if not self.in_environment:
            return {"reason": "environment", "environments": list(self.spec.environments or ())}
        if not self.deployed:
            return {"reason": "shard", "shard": self.spec.shard}
        return None

    @cached_property
    def namespace(self) -> str:
        return naming.tenant_namespace(self.owner, self.repo)

    @cached_property
    def github_secret_name(self) -> str:
        # Derived, never the file's: a written githubSecretName is accepted only when it is this name.
        return naming.webhook_secret_name(self.name)

    @cached_property
    def artifacts(self) -> BucketLocation:
        spec = self.spec.artifact_bucket
        if spec is not None:
            return self._dedicated(spec, "artifacts", naming.artifact_secret_name(self.name))
        fallback = self.settings.fallback_artifact_bucket
        service = self._default_service(fallback.region)
        return BucketLocation(
            purpose="artifacts",
            bucket=fallback.bucket,
            region=fallback.region,
            service=service,
            key_prefix=naming.fallback_key_prefix(self.name),
            managed=False,
            vault_path=naming.default_vault_path(self.settings.vault.path_prefix, self.name, "artifacts"),
            secret_name=naming.artifact_secret_name(self.name),
            path_style=service.aws_region is None,
        )

    @cached_property
    def data(self) -> BucketLocation | None:
        spec = self.spec.data_bucket
        if spec is None:
            return None
        return self._dedicated(spec, "data", naming.data_secret_name(self.name))

    @property
    def locations(self) -> tuple[BucketLocation, ...]:
        return (self.artifacts,) if self.data is None else (self.artifacts, self.data)

    @property
    def managed_buckets(self) -> tuple[BucketLocation, ...]:
        return tuple(location for location in self.locations if location.managed)

    def _dedicated(self, spec: BucketSpec, purpose: Purpose, secret_name: str) -> BucketLocation:
        names = self.settings.bucket_names
        service = spec.service or self._default_service(spec.region, spec.insecure)
        return BucketLocation(
            purpose=purpose,
            bucket=naming.physical_bucket_name(spec.bucket, names.prefix, names.suffix),
            region=spec.region,
            service=service,
            key_prefix=_key_prefix(spec, purpose),
            managed=True,
            # Derived, never the file's: a written externalSecretPath is accepted only when it is this path.
            vault_path=naming.default_vault_path(self.settings.vault.path_prefix, self.name, purpose),
            secret_name=secret_name,
            path_style=spec.path_style or service.aws_region is None,
        )

    def _default_service(self, region: str, insecure: bool = False) -> Endpoint:
        return self.settings.s3_service or Endpoint.aws_s3(region, "http" if insecure else "https")

    @cached_property
    def vault_prefix(self) -> str:
        return naming.vault_registration_prefix(self.settings.vault.path_prefix, self.name)

    @cached_property
    def github_vault_path(self) -> str:
        return naming.github_vault_path(self.settings.vault.path_prefix, self.name)

    @property
    def vault_paths(self) -> tuple[str, ...]:
        """Every Vault path (relative to the mount) this registration writes."""
        return (*(location.vault_path for location in self.locations), self.github_vault_path)

    @cached_property
    def iam_user_name(self) -> str:
        return naming.iam_user_name(self.environment, self.name)

    @property
    def storage_user_name(self) -> str:
        """The identity that holds this registration's keys, in the stack's storage (AWS IAM or MinIO)."""
        if self.settings.storage == "minio":
            return naming.minio_user_name(self.environment, self.name)
        return self.iam_user_name

    @property
    def storage_policy_name(self) -> str:
        if self.settings.storage == "minio":
            return naming.minio_policy_name(self.environment, self.name)
        return naming.iam_policy_name(self.name)

    @cached_property
    def vault_policy_name(self) -> str:
        return naming.vault_policy_name(self.environment, self.name)

    @cached_property
    def vault_role_name(self) -> str:
        return naming.vault_role_name(self.environment, self.name)

    @cached_property
    def webhook_endpoint(self) -> str:
        return naming.webhook_endpoint(self.settings.webhook_base.path, self.name)

    @cached_property
    def webhook_url(self) -> str:
        return f"{self.settings.webhook_base.origin}{self.webhook_endpoint}"

    @property
    def sensor_dependency(self) -> str:
        return naming.sensor_dependency_name(self.name)

    @property
    def workflow_template(self) -> str:
        return self.spec.workflow_template_ref

    @property
    def default_branch(self) -> str:
        return self.spec.default_branch

    @property
    def tracked_refs(self) -> RefSpec:
        """Which pushes run in this environment: the registration's refs for it, else the stack's `tracks`
        over defaultBranch."""
        written = self.spec.refs.get(self.environment)
        if written is not None:
            return written
        tracks = self.settings.tracks
        branch = self.default_branch if tracks in ("branch", "branch-and-tags") else None
        return RefSpec(branch=branch, tags=tracks in ("tags", "branch-and-tags"))

    @property
    def runner_resources(self) -> ComputeSettings:
        """Requests and limits of the runner container (validated against runner.maxResources)."""
        written = self.spec.nextflow.resources
        if written is None:
            return self.settings.runner.resources
        return ComputeSettings(cpu=written.cpu, memory=written.memory)

    @property
    def pod_security(self) -> str:
        """The stack's Pod Security level, or restricted where the registration asks for it."""
        asked = self.spec.guardrails.pod_security
        return "restricted" if "restricted" in (asked, self.settings.guardrails.pod_security) else "baseline"

    @property
    def quota(self) -> QuotaSettings:
        """The stack's ResourceQuota with what the registration lowers (validated to be no more)."""
        stack = self.settings.guardrails.quota
        asked = self.spec.guardrails.quota
        if asked is None:
            return stack
        return QuotaSettings(
            cpu=asked.cpu or stack.cpu, memory=asked.memory or stack.memory, pods=asked.pods or stack.pods
        )

    @property
    def installation_id(self) -> int | None:
        """The GitHub App installation the stack lists for this repository's owner, and only that: an id the
        file writes is never used (an installation on another owner would mint tokens for that owner's
        repository of the same name). A placeholder App stands in for owners it lists none for; None without
        an App or an unlisted owner (a validation problem)."""
        app = self.settings.github_app
        if app is None:
            return None
        return app.installation_of(self.owner) or (PLACEHOLDER_INSTALLATION_ID if app.placeholder else None)

    def github_token_name(self, purpose: str) -> str:
        """The generator, ExternalSecret and Secret of one minted token in the App's namespace."""
        return naming.github_token_name(self.name, purpose)

    @property
    def definitions(self):
        """The registration's own Argo definitions (spec.definitions), or None: the generated template only."""
        return self.spec.definitions

    @property
    def definitions_folder(self) -> str | None:
        """The repository folder Argo CD syncs in this environment."""
        return None if self.definitions is None else self.definitions.folder(self.environment)

    @property
    def tracked_ref(self) -> str | None:
        """The branch this environment follows (`tracked_refs`): what Argo CD syncs and which pushes run with
        spec.definitions; None where the environment runs pushed tags only (the loader refuses definitions there)."""
        return self.tracked_refs.branch

    @cached_property
    def argo_cd_name(self) -> str:
        return naming.argo_cd_name(self.environment, self.name)

    @property
    def entrypoint(self) -> str:
        """The WorkflowTemplate a push runs: the repository's own where spec.definitions names one."""
        definitions = self.definitions
        return definitions.entrypoint if definitions and definitions.entrypoint else self.workflow_template

    @property
    def deployers(self) -> tuple[str, ...]:
        """The GitHub logins whose pushes run in this environment; () lets every push run."""
        return self.spec.deployers.get(self.environment, ())
