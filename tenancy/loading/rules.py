"""The rules a registration must follow beyond its own field formats: within the file, against the stack, and across files.

Rules within a file and against the stack know the field, not the file: the loader places their
problems. Rules across files name the file they blame (the tenant's source); its line is found in
the document the loader kept.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from tenancy.model import formats, labels, limits, naming
from tenancy.model.problems import Problem
from tenancy.model.quantity import cpu_millicores, exceeding, memory_bytes
from tenancy.model.registration import BucketSpec, RepoRegistration
from tenancy.model.retired import NO_RETIRED_BUCKETS, RetiredBuckets
from tenancy.model.settings import CONFIG_NAMESPACE, StackSettings
from tenancy.model.tenant import Tenant

FIELD_OF_PURPOSE = {"artifacts": "artifactBucket", "data": "dataBucket"}
PURPOSE_OF_FIELD = {field: purpose for purpose, field in FIELD_OF_PURPOSE.items()}


def within_registration(registration: RepoRegistration) -> Iterator[Problem]:
    spec = registration.spec
    for field, users in (("adminUsers", spec.admin_users), ("readUsers", spec.read_users)):
        seen: dict[str, int] = {}
        for index, user in enumerate(users):
            key = user.lower()
            if key in seen:
                yield Problem(("spec", field, index), f"'{user}' is listed twice (also at [{seen[key]}])")
            seen.setdefault(key, index)
    admins = {user.lower() for user in spec.admin_users}
    for index, user in enumerate(spec.read_users):
        if user.lower() in admins:
            yield Problem(
                ("spec", "readUsers", index),
                f"'{user}' is also in adminUsers",
                hint="admin access includes reading, so remove it here",
            )
    artifact, data = spec.artifact_bucket, spec.data_bucket
    if artifact and data and artifact.bucket == data.bucket:
        yield Problem(
            ("spec", "dataBucket", "bucket"),
            f"'{data.bucket}' is also the artifactBucket",
            hint="each bucket is created once, so use two buckets",
        )
    yield from _definitions_problems(registration)
    if naming.is_platform_name(registration.name):
        yield Problem(
            ("metadata", "name"),
            f"'{registration.name}' is a name the platform keeps for itself: the Vault policies and roles "
            f"argo-tenants-<environment>-{registration.name} are the platform's own",
            hint="choose another name",
        )


def _definitions_problems(registration: RepoRegistration) -> Iterator[Problem]:
    definitions = registration.spec.definitions
    if definitions is None or definitions.entrypoint is None:
        return
    if "WorkflowTemplate" not in definitions.kinds:
        yield Problem(
            ("spec", "definitions", "entrypoint"),
            f"'{definitions.entrypoint}' must be a WorkflowTemplate of the folder, but kinds leaves WorkflowTemplate out",
            hint="add WorkflowTemplate to kinds, or remove entrypoint",
        )
    if definitions.entrypoint == registration.spec.workflow_template_ref:
        yield Problem(
            ("spec", "definitions", "entrypoint"),
            f"'{definitions.entrypoint}' is the generated template (workflowTemplateRef), which the platform writes",
            hint="name the repository's own WorkflowTemplate, or remove entrypoint to run the generated one",
        )


def _definitions_ref_problems(registration: RepoRegistration, settings: StackSettings) -> Iterator[Problem]:
    """Argo CD syncs definitions from one branch: an environment that runs pushed tags only has none."""
    spec, environment = registration.spec, settings.environment
    if spec.definitions is None or not spec.wants(environment):
        return
    if Tenant(registration=registration, settings=settings, source="").tracked_refs.branch is None:
        source = f"spec.refs.{environment}" if environment in spec.refs else f"the stack setting tracks: {settings.tracks}"
        yield Problem(
            ("spec", "definitions"),
            f"environment '{environment}' runs pushed tags only ({source}), but Argo CD syncs definitions from a branch",
            hint=f"set spec.refs.{environment}.branch (e.g. {spec.default_branch}), or leave {environment} out of spec.environments",
        )


def against_stack(
    registration: RepoRegistration, settings: StackSettings, retired: RetiredBuckets = NO_RETIRED_BUCKETS
) -> Iterator[Problem]:
    spec = registration.spec
    for index, environment in enumerate(spec.environments or ()):
        if environment not in settings.environments:
            yield Problem(
                ("spec", "environments", index),
                f"'{environment}' is not an environment of this project (known: {', '.join(settings.environments)})",
            )
    for environment in spec.deployers:
        if environment not in settings.environments:
            yield Problem(
                ("spec", "deployers", environment),
                f"'{environment}' is not an environment of this project (known: {', '.join(settings.environments)})",
            )
    for environment in spec.refs:
        if environment not in settings.environments:
            yield Problem(
                ("spec", "refs", environment),
                f"'{environment}' is not an environment of this project (known: {', '.join(settings.environments)})",
            )
    yield from _runner_problems(registration, settings)
    yield from _guardrail_problems(registration, settings)
    yield from _definitions_ref_problems(registration, settings)
    yield from _shard_problems(registration, settings)
    if spec.wants(settings.environment):
        yield from _overlap_problems(registration, settings)
    yield from _installation_problems(registration, settings)
    if spec.artifact_bucket is None and settings.fallback_artifact_bucket is None:
        yield Problem(
            ("spec", "artifactBucket"),
            f"is required in environment '{settings.environment}', which has no fallback artifact bucket",
        )
    elif spec.artifact_bucket is None and spec.wants(settings.environment):
        yield from _fallback_prefix_problems(registration.name, settings, retired)
    names = settings.bucket_names
    for field, bucket in (("artifactBucket", spec.artifact_bucket), ("dataBucket", spec.data_bucket)):
        if bucket is None:
            continue
        physical = naming.physical_bucket_name(bucket.bucket, names.prefix, names.suffix)
        problem = formats.s3_bucket_problem(physical)
        if problem:
            yield Problem(
                ("spec", field, "bucket"),
                f"becomes {problem} in environment '{settings.environment}' (bucketNames affix)",
            )
        yield from _owned_bucket_problems(bucket.bucket, physical, field, settings, retired, registration.name)
        if bucket.hostname:
            yield from _endpoint_problems(bucket, field, settings)
        elif settings.s3_endpoint is None and bucket.insecure:
            yield Problem(("spec", field, "insecure"), "AWS S3 is reached over https only", hint="remove insecure: true")


def _runner_problems(registration: RepoRegistration, settings: StackSettings) -> Iterator[Problem]:
    asked = registration.spec.nextflow.resources
    if asked is None:
        return
    limit = settings.runner.max_resources
    for field in exceeding(asked, limit):
        yield Problem(
            ("spec", "nextflow", "resources", field),
            f"'{getattr(asked, field)}' is more than this environment allows a runner ({getattr(limit, field)}, "
            f"the stack setting {CONFIG_NAMESPACE}:runner.maxResources)",
            hint=f"ask for at most {getattr(limit, field)}",
        )


def _guardrail_problems(registration: RepoRegistration, settings: StackSettings) -> Iterator[Problem]:
    """A registration may tighten its namespace's guardrails, never loosen them."""
    asked = registration.spec.guardrails
    stack = settings.guardrails
    if asked.pod_security == "baseline" and stack.pod_security == "restricted":
        yield Problem(
            ("spec", "guardrails", "podSecurity"),
            "'baseline' is looser than this environment's Pod Security level 'restricted'",
            hint="remove it (or ask for restricted)",
        )
    quota = asked.quota
    if quota is None:
        return
    measures = {"cpu": cpu_millicores, "memory": memory_bytes, "pods": int}
    for field, measure in measures.items():
        value = getattr(quota, field)
        if value is not None and measure(value) > measure(getattr(stack.quota, field)):
            yield Problem(
                ("spec", "guardrails", "quota", field),
                f"'{value}' is more than this environment's quota ({getattr(stack.quota, field)}); a registration may only ask for less",
                hint=f"ask for at most {getattr(stack.quota, field)}, or remove it",
            )
    runner = registration.spec.nextflow.resources or settings.runner.resources
    for field in ("cpu", "memory"):
        value = getattr(quota, field)
        if value is not None and measures[field](getattr(runner, field)) > measures[field](value):
            yield Problem(
                ("spec", "guardrails", "quota", field),
                f"'{value}' leaves no room for the runner, which asks for {getattr(runner, field)}",
                hint="raise the quota or lower spec.nextflow.resources",
            )


def _owned_bucket_problems(
    written: str, physical: str, field: str, settings: StackSettings, retired: RetiredBuckets, name: str
) -> Iterator[Problem]:
    """A registration is granted only a bucket it creates for itself: never one the platform owns (in
    any environment: platformBuckets is the project's), nor one an offboarding left behind."""
    loc = ("spec", field, "bucket")
    where = f"'{written}' is the bucket '{physical}' in environment {settings.environment}"
    if physical in settings.platform_buckets:
        yield Problem(
            loc,
            f"{where}, which the platform owns (platformBuckets in Pulumi.yaml)",
            hint="choose another name (without artifactBucket, artifacts go to the environment's fallback bucket under <name>/)",
        )
    record = retired.of(physical)
    if record is not None and record.return_to != name:
        yield Problem(
            loc,
            f"{where}, kept from registration {record.registration} when it left environment "
            f"{record.environment} (tenants/_retired-buckets.yaml)",
            hint="choose another name; only an operator can hand a retained bucket back (docs/operations.md)",
        )


def _fallback_prefix_problems(name: str, settings: StackSettings, retired: RetiredBuckets) -> Iterator[Problem]:
    """A prefix of the shared fallback bucket is granted once: never one the platform writes itself, nor one
    an offboarded registration of the same name left behind (a name is not an identity)."""
    bucket = settings.fallback_artifact_bucket.bucket
    where = f"'{name}' would be granted s3://{bucket}/{naming.fallback_key_prefix(name)} in environment {settings.environment}"
    fix = "choose another name, or give the registration an artifactBucket of its own"
    if name in naming.RESERVED_FALLBACK_PREFIXES or name in (settings.namespaces.argo_workflows, settings.namespaces.argo_events):
        yield Problem(("metadata", "name"), f"{where}, a prefix the platform writes itself in its fallback bucket", hint=fix)
    record = retired.prefix_of(bucket, name)
    if record is not None and record.return_to != name:
        yield Problem(
            ("metadata", "name"),
            f"{where}, kept with its objects from registration {record.registration} when it left environment "
            f"{record.environment} (tenants/_retired-buckets.yaml)",
            hint=f"{fix}; only an operator can hand a retained prefix back (docs/operations.md)",
        )


def _overlap_problems(registration: RepoRegistration, settings: StackSettings) -> Iterator[Problem]:
    overlap = naming.environment_overlap(settings.environment, registration.name, settings.environments)
    if overlap is not None:
        other_environment, other_name = overlap
        rest = other_environment[len(settings.environment) + 1 :]
        names = naming.vault_policy_name(settings.environment, registration.name)
        yield Problem(
            ("metadata", "name"),
            f"'{registration.name}' in environment {settings.environment} gets the IAM user, Vault policy and role {names}, "
            f"which are also those of a registration '{other_name}' in environment {other_environment}",
            hint=f"choose a name that does not start with '{rest}-'",
        )


def _shard_problems(registration: RepoRegistration, settings: StackSettings) -> Iterator[Problem]:
    """Where the environment is split, each of its registrations names exactly one existing shard.

    The message names the environment, not the stack: every shard stack finds the same problem,
    and `validate` reports it once.
    """
    spec, shard = registration.spec, settings.shard
    if shard is None or not spec.wants(settings.environment):
        return
    shards = ", ".join(shard.of)
    if spec.shard is None:
        yield Problem(
            ("spec", "shard"),
            f"is required because environment {settings.environment} is split into shards {shards} (stack setting shard)",
            hint="add shard: <one of them>",
        )
    elif spec.shard not in shard.of:
        yield Problem(
            ("spec", "shard"),
            f"'{spec.shard}' is not a shard of environment {settings.environment} (its shards: {shards})",
        )


def _installation_problems(registration: RepoRegistration, settings: StackSettings) -> Iterator[Problem]:
    """With the GitHub App, Pulumi and the token generators act as the installation the stack lists for the
    repository's owner, and only that one. An installation token reaches the repositories of the owner it is
    installed on, by name: an id the file chose (another owner's) would mint tokens for that owner's
    repository of the same name into this tenant's namespace. So spec.installationId is accepted only when it
    is the owner's listed id."""
    spec, app = registration.spec, settings.github_app
    # A placeholder App's ids are examples (GithubAppSettings.placeholder): nothing to agree with yet.
    if app is None or app.placeholder or not spec.wants(settings.environment):
        return
    listed = app.installation_of(spec.owner)
    add = f"install the App on {spec.owner} and add its installation id to {CONFIG_NAMESPACE}:githubApp installations"
    if listed is None and spec.installation_id is None:
        yield Problem(
            ("spec", "repoUrl"),
            f"no GitHub App installation is known for owner '{spec.owner}' in environment {settings.environment}",
            hint=add,
        )
    elif listed is None:
        others = sorted(owner for owner, value in app.installations.items() if value == spec.installation_id)
        whose = f", the installation of owner '{others[0]}'" if others else ""
        yield Problem(
            ("spec", "installationId"),
            f"is {spec.installation_id}{whose}, but environment {settings.environment} lists no installation for "
            f"owner '{spec.owner}'; installations come only from the stack's settings for the repository's owner",
            hint=f"{add}, and remove installationId",
        )
    elif spec.installation_id is not None and spec.installation_id != listed:
        yield Problem(
            ("spec", "installationId"),
            f"is {spec.installation_id}, but environment {settings.environment} lists installation {listed} for owner '{spec.owner}'",
            hint="remove it: the stack's installation for the owner is the one used",
        )


def _endpoint_problems(bucket: BucketSpec, field: str, settings: StackSettings) -> Iterator[Problem]:
    """One problem per bucket whose endpoint this stack cannot use, with every field to change in its hint:
    fixing the hostname alone must not reveal `insecure` in a second round."""
    loc = ("spec", field, "hostname")
    service = bucket.service
    if settings.s3_endpoint:
        if service != settings.s3_service:
            yield Problem(
                loc,
                f"'{bucket.hostname}' is not this environment's S3 endpoint {settings.s3_endpoint}",
                hint="buckets are created there, so use it or leave hostname out",
            )
        return
    region = service.aws_region
    if region is None:
        what = f"'{bucket.hostname}' is not an AWS S3 endpoint, and this environment creates buckets in AWS S3"
    elif region != bucket.region:
        what = f"'{bucket.hostname}' is in {region} but region is {bucket.region}"
    elif service.scheme != "https":
        what = "AWS S3 is reached over https only"
    else:
        return
    # Without hostname the endpoint follows the region; insecure then has nothing to agree with and must go too.
    remove = "remove hostname and insecure" if bucket.insecure else "remove hostname"
    yield Problem(loc, what, hint=f"{remove}: the endpoint follows region ({bucket.region}), https://s3.{bucket.region}.amazonaws.com")


def derived_limits(tenant: Tenant) -> Iterator[Problem]:
    """Every name derived from the registration against the limit of the system it lands in
    (tenancy.model.limits): the field that decides it is blamed. The input checks keep these in range
    today; this says so again on the values themselves, so that a new prefix cannot slip past them."""
    name_loc = ("metadata", "name")
    derived = (
        (naming.webhook_secret_volume_name(tenant.name), limits.VOLUME_NAME_MAX, "the volume Argo Events mounts its webhook Secret as"),
        (naming.event_source_service_name(tenant.name), limits.DNS1123_LABEL_MAX, "its EventSource's Service"),
        (naming.event_route_name(tenant.name), limits.LABEL_VALUE_MAX, "its EventSource and Sensor (a label value of their pods)"),
        (tenant.github_secret_name, limits.DNS1123_SUBDOMAIN_MAX, "its webhook Secret"),
        (tenant.iam_user_name, limits.IAM_USER_NAME_MAX, "its IAM user"),
        (tenant.storage_policy_name, limits.IAM_POLICY_NAME_MAX, "its storage policy"),
        (tenant.namespace, limits.DNS1123_LABEL_MAX, "its namespace"),
    )
    for value, limit, what in derived:
        problem = limits.too_long(value, limit, what)
        if problem:
            yield Problem(name_loc, problem, hint="choose a shorter name")
    for key, value in labels.tenant_labels(tenant).items():
        problem = limits.too_long(value, limits.LABEL_VALUE_MAX, f"the label {key}")
        if problem:
            yield Problem(name_loc, problem, hint="choose a shorter name")
    # Argo Workflows 4.1+ labels every run with its template's name.
    problem = limits.too_long(tenant.workflow_template, limits.WORKFLOW_TEMPLATE_LABEL_MAX, "the label workflows.argoproj.io/workflow-template of each run")
    if problem:
        yield Problem(("spec", "workflowTemplateRef"), problem, hint="a WorkflowTemplate name of at most 63 characters")


def _blame(tenant: Tenant, loc, message: str, hint: str | None = None) -> Problem:
    return Problem(loc, message, hint=hint, file=tenant.source)


def blame_order(tenants: Iterable[Tenant], changed: frozenset[str] = frozenset()) -> list[Tenant]:
    """Who keeps a claim and who is blamed for a clash: files this change did not touch come first
    (they were there), then the new and changed ones (`changed`, by source); by name within each."""
    return sorted(tenants, key=lambda t: (t.source in changed, t.source, t.name))


def across_registrations(tenants: Iterable[Tenant], changed: frozenset[str] = frozenset()) -> Iterator[Problem]:
    """Rules between files: the later file in `blame_order` is blamed and told which earlier one it meets."""
    tenants = blame_order(tenants, changed)
    names: dict[str, Tenant] = {}
    repos: dict[str, Tenant] = {}
    namespaces: dict[str, Tenant] = {}
    buckets: dict[str, tuple[Tenant, str]] = {}

    for tenant in tenants:
        def clash(loc, message, first: Tenant):
            return _blame(tenant, loc, f"{message} by {first.source} ({first.name})")

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

        for location in tenant.managed_buckets:
            field = FIELD_OF_PURPOSE[location.purpose]
            if location.bucket in buckets and buckets[location.bucket][0] is not tenant:
                first, first_field = buckets[location.bucket]
                yield clash(("spec", field, "bucket"), f"bucket '{location.bucket}' is already claimed (as {first_field})", first)
            buckets.setdefault(location.bucket, (tenant, field))


def across_environments(tenants_by_environment: dict[str, Iterable[Tenant]], changed: frozenset[str] = frozenset()) -> Iterator[Problem]:
    """Bucket names are global: one physical name in two environments would be one bucket shared by both.

    Each stack only knows its own affix, so this runs where every stack's settings are at hand
    (the test suite over the committed stacks, and `validate` across stacks).
    """
    claimed: dict[str, tuple[str, Tenant]] = {}
    # Untouched files first, whatever their environment: the file this change adds is the one told.
    ordered = sorted(
        ((environment, tenant) for environment, tenants in tenants_by_environment.items() for tenant in tenants),
        key=lambda pair: (pair[1].source in changed, pair[0], pair[1].source),
    )
    for environment, tenant in ordered:
        # The environment, not this stack: a shard stack loads every registration of its environment.
        if not tenant.in_environment:
            continue
        for location in tenant.managed_buckets:
            first = claimed.get(location.bucket)
            if first is not None and first[0] != environment:
                yield _blame(
                    tenant,
                    ("spec", FIELD_OF_PURPOSE[location.purpose], "bucket"),
                    f"becomes bucket '{location.bucket}' in environment '{environment}', which is also "
                    f"{first[1].name}'s bucket in environment '{first[0]}' ({first[1].source})",
                    hint="choose another name",
                )
            claimed.setdefault(location.bucket, (environment, tenant))
