"""The rules a registration must follow beyond its own field formats: within the file, against the stack, and across files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from tenancy.model import formats, naming
from tenancy.model.registration import RepoRegistration
from tenancy.model.problems import FieldProblem
from tenancy.model.settings import StackSettings
from tenancy.model.tenant import Tenant, aws_region_of_host, split_hostname

FIELD_OF_PURPOSE = {"artifacts": "artifactBucket", "data": "dataBucket"}


def within_registration(registration: RepoRegistration) -> Iterator[FieldProblem]:
    spec = registration.spec
    for field, users in (("adminUsers", spec.admin_users), ("readUsers", spec.read_users)):
        seen: dict[str, int] = {}
        for index, user in enumerate(users):
            key = user.lower()
            if key in seen:
                yield FieldProblem(("spec", field, index), f"'{user}' is listed twice (also at [{seen[key]}])")
            seen.setdefault(key, index)
    admins = {user.lower() for user in spec.admin_users}
    for index, user in enumerate(spec.read_users):
        if user.lower() in admins:
            yield FieldProblem(
                ("spec", "readUsers", index),
                f"'{user}' is also in adminUsers; admin access includes reading, so remove it here",
            )
    artifact, data = spec.artifact_bucket, spec.data_bucket
    if artifact and data:
        if artifact.bucket == data.bucket:
            yield FieldProblem(
                ("spec", "dataBucket", "bucket"),
                f"'{data.bucket}' is also the artifactBucket; each bucket is created once, so use two buckets",
            )
        if artifact.external_secret_path and artifact.external_secret_path == data.external_secret_path:
            yield FieldProblem(
                ("spec", "dataBucket", "externalSecretPath"),
                "is the same Vault path as artifactBucket.externalSecretPath; each bucket's credentials need their own path",
            )


def against_stack(registration: RepoRegistration, settings: StackSettings) -> Iterator[FieldProblem]:
    spec = registration.spec
    for index, environment in enumerate(spec.environments or ()):
        if environment not in settings.environments:
            yield FieldProblem(
                ("spec", "environments", index),
                f"'{environment}' is not an environment of this project (known: {', '.join(settings.environments)})",
            )
    yield from _shard_problems(registration, settings)
    yield from _reserved_name_problems(registration, settings)
    if spec.artifact_bucket is None and settings.fallback_artifact_bucket is None:
        yield FieldProblem(
            ("spec", "artifactBucket"),
            f"is required in environment '{settings.environment}', which has no fallback artifact bucket",
        )
    names = settings.bucket_names
    for field, bucket in (("artifactBucket", spec.artifact_bucket), ("dataBucket", spec.data_bucket)):
        if bucket is None:
            continue
        physical = f"{names.prefix}{bucket.bucket}{names.suffix}"
        problem = formats.s3_bucket_problem(physical)
        if problem:
            yield FieldProblem(
                ("spec", field, "bucket"),
                f"becomes {problem} in environment '{settings.environment}' (bucketNames affix)",
            )
        if bucket.hostname:
            yield from _endpoint_problems(bucket, field, settings)
        elif settings.s3_endpoint is None and bucket.insecure:
            yield FieldProblem(
                ("spec", field, "insecure"), "AWS S3 is reached over https only; remove insecure: true"
            )


def _shard_problems(registration: RepoRegistration, settings: StackSettings) -> Iterator[FieldProblem]:
    """Where the environment is split, each of its registrations names exactly one existing shard.

    The message names the environment, not the stack: every shard stack finds the same problem,
    and `validate` reports it once.
    """
    spec, shard = registration.spec, settings.shard
    if shard is None or not spec.wants(settings.environment):
        return
    shards = ", ".join(shard.of)
    if spec.shard is None:
        yield FieldProblem(
            ("spec", "shard"),
            f"is required because environment {settings.environment} is split into shards {shards} "
            "(stack setting shard); add shard: <one of them>",
        )
    elif spec.shard not in shard.of:
        yield FieldProblem(
            ("spec", "shard"),
            f"'{spec.shard}' is not a shard of environment {settings.environment} (its shards: {shards})",
        )


def _reserved_name_problems(registration: RepoRegistration, settings: StackSettings) -> Iterator[FieldProblem]:
    """A registration's Vault policy and role are named like the stack's webhook policy and role
    when its name is `webhooks` (or `webhooks-<shard>`): one would overwrite the other."""
    shards = settings.shard.of if settings.shard else (None,)
    own = naming.vault_policy_name(settings.environment, registration.name)
    for shard in shards:
        if own == naming.webhook_vault_name(settings.environment, shard):
            yield FieldProblem(
                ("metadata", "name"),
                f"'{registration.name}' is reserved in environment {settings.environment}: its Vault policy and role "
                f"would be {own}, the stack's webhook policy; choose another name",
            )


def _endpoint_problems(bucket, field: str, settings: StackSettings) -> Iterator[FieldProblem]:
    scheme, host = split_hostname(bucket)
    if settings.s3_endpoint:
        stack_scheme, _, stack_host = settings.s3_endpoint.partition("://")
        if (scheme, host) != (stack_scheme, stack_host.rstrip("/")):
            yield FieldProblem(
                ("spec", field, "hostname"),
                f"'{bucket.hostname}' is not this environment's S3 endpoint {settings.s3_endpoint}; "
                "buckets are created there, so use it or leave hostname out",
            )
        return
    region = aws_region_of_host(host)
    if region is None:
        yield FieldProblem(
            ("spec", field, "hostname"),
            f"'{bucket.hostname}' is not an AWS S3 endpoint; this environment creates buckets in AWS S3, "
            f"so use https://s3.{bucket.region}.amazonaws.com or leave hostname out",
        )
    elif region != bucket.region:
        yield FieldProblem(
            ("spec", field, "hostname"),
            f"'{bucket.hostname}' is in {region} but region is {bucket.region}; make them agree",
        )
    elif scheme != "https":
        yield FieldProblem(("spec", field, "hostname"), "AWS S3 is reached over https only; use https://")


@dataclass(frozen=True)
class Attributed:
    """A problem of one registration found while comparing it with others."""

    tenant: Tenant
    problem: FieldProblem


def across_registrations(tenants: Iterable[Tenant]) -> Iterator[Attributed]:
    """Rules between files: a later file (in name order) is blamed and told which earlier one it meets."""
    tenants = sorted(tenants, key=lambda t: (t.source, t.name))
    names: dict[str, Tenant] = {}
    repos: dict[str, Tenant] = {}
    namespaces: dict[str, Tenant] = {}
    webhook_secrets: dict[str, Tenant] = {}
    buckets: dict[str, tuple[Tenant, str]] = {}
    fallback = tenants[0].settings.fallback_artifact_bucket if tenants else None

    for tenant in tenants:
        def clash(loc, message, first: Tenant):
            return Attributed(tenant, FieldProblem(loc, f"{message} by {first.source} ({first.name})"))

        if tenant.name in names:
            yield clash(("metadata", "name"), f"'{tenant.name}' is already used", names[tenant.name])
        names.setdefault(tenant.name, tenant)

        repo_key = f"{tenant.owner}/{tenant.repo}".lower()
        if repo_key in repos:
            yield clash(("spec", "repoUrl"), f"repository {tenant.owner}/{tenant.repo} is already registered", repos[repo_key])
        elif tenant.namespace in namespaces:
            yield clash(("spec", "repoUrl"), f"namespace {tenant.namespace} is already taken", namespaces[tenant.namespace])
        repos.setdefault(repo_key, tenant)
        namespaces.setdefault(tenant.namespace, tenant)

        secret = tenant.github_secret_name
        if secret in webhook_secrets:
            yield clash(("spec", "githubSecretName"), f"Secret '{secret}' in the Argo Events namespace is already used", webhook_secrets[secret])
        webhook_secrets.setdefault(secret, tenant)

        for location in tenant.managed_buckets:
            field = FIELD_OF_PURPOSE[location.purpose]
            loc = ("spec", field, "bucket")
            if fallback is not None and location.bucket == fallback.bucket:
                yield Attributed(
                    tenant,
                    FieldProblem(loc, f"'{location.bucket}' is the environment's fallback artifact bucket, which the platform owns"),
                )
            elif location.bucket in buckets and buckets[location.bucket][0] is not tenant:
                first, first_field = buckets[location.bucket]
                yield clash(loc, f"bucket '{location.bucket}' is already claimed (as {first_field})", first)
            buckets.setdefault(location.bucket, (tenant, field))

    yield from _vault_path_rules(tenants)


def _vault_path_rules(tenants: list[Tenant]) -> Iterator[Attributed]:
    """No registration may write at another's path or under another's `<prefix>/<name>/`."""
    owners: dict[str, Tenant] = {}
    prefixes = {tenant.vault_prefix: tenant for tenant in tenants}
    for tenant in tenants:
        for location in tenant.locations:
            path = location.vault_path
            loc = ("spec", FIELD_OF_PURPOSE[location.purpose], "externalSecretPath")
            own_prefix = f"{tenant.vault_prefix}/"
            if path == tenant.github_vault_path:
                yield Attributed(tenant, FieldProblem(loc, f"'{path}' is where this registration's webhook secret lives; choose another path"))
            if not path.startswith(own_prefix):
                # Only the path itself and its ancestors can be another registration's prefix:
                # a lookup each, not a scan of every registration (quadratic at 1,000 tenants).
                parts = path.split("/")
                for depth in range(1, len(parts) + 1):
                    prefix = "/".join(parts[:depth])
                    other = prefixes.get(prefix)
                    if other is not None and other is not tenant:
                        yield Attributed(
                            tenant,
                            FieldProblem(loc, f"'{path}' is under {prefix}/, which belongs to {other.source} ({other.name})"),
                        )
            if path in owners and owners[path] is not tenant:
                first = owners[path]
                yield Attributed(tenant, FieldProblem(loc, f"'{path}' is already used by {first.source} ({first.name})"))
            owners.setdefault(path, tenant)



def across_environments(tenants_by_environment: dict[str, Iterable[Tenant]]) -> Iterator[Attributed]:
    """Bucket names are global: one physical name in two environments would be one bucket shared by both.

    Each stack only knows its own affix, so this runs where every stack's settings are at hand
    (the test suite over the committed stacks, and `validate` across stacks).
    """
    claimed: dict[str, tuple[str, Tenant]] = {}
    for environment in sorted(tenants_by_environment):
        for tenant in tenants_by_environment[environment]:
            # The environment, not this stack: a shard stack loads every registration of its environment.
            if not tenant.in_environment:
                continue
            for location in tenant.managed_buckets:
                first = claimed.get(location.bucket)
                if first is not None and first[0] != environment:
                    yield Attributed(
                        tenant,
                        FieldProblem(
                            ("spec", FIELD_OF_PURPOSE[location.purpose], "bucket"),
                            f"becomes bucket '{location.bucket}' in environment '{environment}', which is also "
                            f"{first[1].name}'s bucket in environment '{first[0]}'; choose another name",
                        ),
                    )
                claimed.setdefault(location.bucket, (environment, tenant))
