"""One test per rule beyond field formats: within a file, against the stack, across files."""

import pytest

from tenancy.model.problems import TenantValidationError
from tests.support.program import GITHUB_APP, make_settings, registration


def problems_of(load, settings=None):
    with pytest.raises(TenantValidationError) as err:
        load(settings)
    return err.value.problems


def only(problems):
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


APP = make_settings(githubApp=GITHUB_APP)


# Within one file.

def test_user_listed_twice(write_tenant, load):
    write_tenant(registration("a", adminUsers=["x@acme.org", "x@acme.org"]))
    problem = only(problems_of(load))
    assert problem.field == "spec.adminUsers[1]" and "listed twice" in problem.message


def test_user_both_admin_and_reader(write_tenant, load):
    write_tenant(registration("a", adminUsers=["x@acme.org"], readUsers=["x@acme.org"]))
    assert "also in adminUsers" in only(problems_of(load)).message


def test_artifact_and_data_in_one_bucket(write_tenant, load):
    write_tenant(registration("a", dataBucket={"bucket": "a-artifacts"}))
    assert only(problems_of(load)).field == "spec.dataBucket.bucket"


@pytest.mark.parametrize("field, purpose", [("artifactBucket", "artifacts"), ("dataBucket", "data")])
@pytest.mark.parametrize("mount", ["", "kv/"])
def test_a_written_vault_path_is_accepted_when_it_is_the_derived_one(write_tenant, load, field, purpose, mount):
    write_tenant(registration("a", **{field: {"bucket": f"a-{purpose}", "externalSecretPath": f"{mount}argo/apps/a/s3/{purpose}"}}))
    [tenant] = load()
    assert f"argo/apps/a/s3/{purpose}" in tenant.vault_paths


def warnings_of(directory, settings=None):
    from tenancy.loading.loader import load_directory, read_directory

    loaded = load_directory(read_directory(directory), settings or make_settings())
    assert loaded.problems == ()
    return loaded.warnings


@pytest.mark.parametrize("path", ["argo/apps/a/s3/x", "argo/apps/a/github", "argo/apps/a/s3/data", "kv/argo/apps/b/s3/artifacts"])
def test_any_other_vault_path_is_ignored_with_a_warning_naming_the_derived_one(write_tenant, load, tenants_dir, path):
    write_tenant(registration("a", artifactBucket={"bucket": "a-artifacts", "externalSecretPath": path}))
    [tenant] = load()
    assert tenant.vault_paths == ("argo/apps/a/s3/artifacts", "argo/apps/a/github")
    [warning] = warnings_of(tenants_dir)
    assert warning.field == "spec.artifactBucket.externalSecretPath"
    assert warning.message == (
        f"'{path}' is ignored: the artifacts credentials are always written to kv/argo/apps/a/s3/artifacts, where nothing else is"
    )


def test_a_written_webhook_secret_name_is_accepted_when_it_is_the_derived_one(write_tenant, load, tenants_dir):
    write_tenant(registration("a", githubSecretName="argo-tenants-webhook-a"))
    assert load()[0].github_secret_name == "argo-tenants-webhook-a"
    assert warnings_of(tenants_dir) == ()


def test_any_other_webhook_secret_name_is_ignored_with_a_warning(write_tenant, load, tenants_dir):
    write_tenant(registration("a", githubSecretName="my-repo-github-creds"))
    assert load()[0].github_secret_name == "argo-tenants-webhook-a"
    [warning] = warnings_of(tenants_dir)
    assert (warning.field, warning.message.split(":")[0]) == ("spec.githubSecretName", "'my-repo-github-creds' is ignored")


def test_a_written_namespace_other_than_the_tenants_is_ignored_with_a_warning(write_tenant, load, tenants_dir):
    document = registration("a")
    document["metadata"]["namespace"] = "argo"
    write_tenant(document)
    assert load()[0].namespace == "wf-acme-a"
    [warning] = warnings_of(tenants_dir)
    assert warning.field == "metadata.namespace" and "the tenant namespace wf-acme-a" in warning.message


# Against the stack.

def test_unknown_environment(write_tenant, load):
    write_tenant(registration("a", environments=["prd"]))
    problem = only(problems_of(load))
    assert problem.field == "spec.environments[0]" and "known: dev, prod" in problem.message


def test_artifact_bucket_required_without_fallback(write_tenant, load):
    write_tenant(registration("a", artifactBucket=None))
    settings = make_settings(fallbackArtifactBucket=None)
    assert only(problems_of(load, settings)).field == "spec.artifactBucket"


def test_bucket_name_too_long_after_the_environment_affix(write_tenant, load):
    write_tenant(registration("a", artifactBucket={"bucket": "b" * 62}))
    problem = only(problems_of(load))
    assert "environment 'dev'" in problem.message and "3 to 63" in problem.message


def test_hostname_in_another_region(write_tenant, load):
    write_tenant(registration("a", artifactBucket={"bucket": "a-artifacts", "hostname": "https://s3.eu-west-1.amazonaws.com"}))
    assert "is in eu-west-1 but region is us-west-2" in only(problems_of(load)).message


def test_hostname_not_aws(write_tenant, load):
    write_tenant(registration("a", artifactBucket={"bucket": "a-artifacts", "hostname": "http://minio:9000", "insecure": True}))
    assert "not an AWS S3 endpoint" in only(problems_of(load)).message


def test_hostname_must_be_the_stack_s3_endpoint_when_one_is_set(write_tenant, load):
    settings = make_settings(s3Endpoint="http://minio.minio.svc:9000")
    write_tenant(registration("a", artifactBucket={"bucket": "a-artifacts", "hostname": "http://minio.minio.svc:9000", "insecure": True}))
    write_tenant(registration("b", artifactBucket={"bucket": "b-artifacts", "hostname": "http://other:9000", "insecure": True}))
    problem = only(problems_of(load, settings))
    assert problem.file == "tenants/b.yaml" and "not this environment's S3 endpoint" in problem.message


@pytest.mark.parametrize(
    "bucket",
    [
        {"hostname": "http://minio.minio-system.svc.cluster.local:9000", "insecure": True, "region": "us-east-1"},
        {"hostname": "http://s3.us-west-2.amazonaws.com", "insecure": True},
        {"hostname": "https://s3.eu-west-1.amazonaws.com"},
    ],
    ids=["minio", "aws-over-http", "other-region"],
)
def test_every_endpoint_fix_of_a_bucket_comes_in_one_problem(write_tenant, load, bucket):
    write_tenant(registration("a", artifactBucket={"bucket": "a-artifacts", **bucket}))
    problem = only(problems_of(load))
    assert problem.field == "spec.artifactBucket.hostname"
    # Doing what the one hint says is enough: nothing else comes up in a second round.
    fields = [field for field in ("hostname", "insecure") if f"remove {field}" in problem.hint or f"and {field}" in problem.hint]
    assert fields == [field for field in ("hostname", "insecure") if field in bucket], problem.hint
    write_tenant(registration("a", artifactBucket={"bucket": "a-artifacts", **{k: v for k, v in bucket.items() if k not in fields}}))
    assert [tenant.name for tenant in load()] == ["a"]


def test_insecure_refused_for_aws(write_tenant, load):
    write_tenant(registration("a", artifactBucket={"bucket": "a-artifacts", "insecure": True}))
    assert only(problems_of(load)).field == "spec.artifactBucket.insecure"


# Against a stack that is one shard of its environment.

SHARD_A = {"name": "a", "of": ["a", "b", "c"]}


def shard_settings(**overrides):
    return make_settings("dev-a", environment="dev", shard=SHARD_A, **overrides)


def test_a_sharded_environment_needs_each_registration_to_name_its_shard(write_tenant, load):
    write_tenant(registration("x"))
    problem = only(problems_of(load, shard_settings()))
    assert problem.field == "spec.shard"
    assert problem.message == "is required because environment dev is split into shards a, b, c (stack setting shard)"
    assert problem.hint == "add shard: <one of them>"


def test_a_shard_the_environment_does_not_have_is_refused(write_tenant, load):
    write_tenant(registration("x", shard="d"))
    problem = only(problems_of(load, shard_settings()))
    assert (problem.field, problem.message) == ("spec.shard", "'d' is not a shard of environment dev (its shards: a, b, c)")


def test_a_registration_of_another_environment_needs_no_shard_here(write_tenant, load):
    write_tenant(registration("x", environments=["prod"]))
    assert [t.name for t in load(shard_settings())] == ["x"]


def test_an_unsharded_stack_ignores_the_shard(write_tenant, load):
    write_tenant(registration("x", shard="anything"))
    [tenant] = load()
    assert tenant.deployed


def test_a_shard_stack_deploys_only_its_shards_registrations(write_tenant, load):
    write_tenant(registration("x", shard="a"))
    write_tenant(registration("w", shard="b"))
    write_tenant(registration("z", shard="a", environments=["prod"]))
    assert [(t.name, t.deployed) for t in load(shard_settings())] == [("w", False), ("x", True), ("z", False)]


def test_cross_file_rules_see_the_registrations_of_every_shard(write_tenant, load):
    write_tenant(registration("x", shard="a"))
    write_tenant(registration("x2", shard="b", artifactBucket={"bucket": "x-artifacts"}))
    problem = only(problems_of(load, shard_settings()))
    assert problem.file == "tenants/x2.yaml" and "bucket 'x-artifacts-dev' is already claimed" in problem.message


@pytest.mark.parametrize("name", ["webhooks", "webhooks-b", "webhooks-later", "deploy", "preview", "readonly"])
def test_a_name_the_platform_keeps_for_its_vault_policies_is_refused(write_tenant, load, name):
    write_tenant(registration(name, shard="a"))
    problem = only(problems_of(load))
    assert problem.field == "metadata.name" and "is a name the platform keeps for itself" in problem.message


# Across files.

def test_with_the_github_app_an_owner_without_an_installation_is_named_at_the_repository_url(write_tenant, load):
    path = write_tenant(registration("a", repoUrl="https://github.com/nobody-yet/a.git"))
    problem = only(problems_of(load, APP))
    assert problem.field == "spec.repoUrl" and problem.line == 6
    assert str(problem) == (
        f"{path.parent.name}/a.yaml:6: spec.repoUrl: no GitHub App installation is known for owner 'nobody-yet' in "
        "environment dev; install the App on nobody-yet and add its installation id to argo-tenants:githubApp "
        "installations"
    )


def test_an_owner_listed_in_another_case_is_known(write_tenant, load):
    write_tenant(registration("a", repoUrl="https://github.com/ACME/a.git"))
    assert [t.installation_id for t in load(APP)] == [1111]


def test_a_registration_may_not_bring_an_installation_the_stack_does_not_list(write_tenant, load):
    write_tenant(registration("a", repoUrl="https://github.com/nobody-yet/a.git", installationId=77))
    problem = only(problems_of(load, APP))
    assert problem.field == "spec.installationId"
    assert problem.message.startswith("is 77, but environment dev lists no installation for owner 'nobody-yet'")


def test_another_owners_installation_is_refused_naming_that_owner(write_tenant, load):
    # The attack: acme's installation would mint tokens for acme/a (if it exists) into mallory's namespace.
    write_tenant(registration("a", repoUrl="https://github.com/mallory/a.git", installationId=1111))
    problem = only(problems_of(load, APP))
    assert problem.field == "spec.installationId"
    assert problem.message == (
        "is 1111, the installation of owner 'acme', but environment dev lists no installation for owner 'mallory'; "
        "installations come only from the stack's settings for the repository's owner"
    )


def test_a_written_installation_is_accepted_when_it_is_the_owners(write_tenant, load):
    write_tenant(registration("a", repoUrl="https://github.com/Acme/a.git", installationId=1111))
    assert [t.installation_id for t in load(APP)] == [1111]


def test_without_the_github_app_no_installation_is_needed(write_tenant, load):
    write_tenant(registration("a", repoUrl="https://github.com/nobody-yet/a.git"))
    assert [t.installation_id for t in load()] == [None]


def test_a_registrations_installation_may_not_contradict_the_stacks(write_tenant, load):
    write_tenant(registration("a", installationId=9))
    problem = only(problems_of(load, APP))
    assert problem.field == "spec.installationId"
    assert problem.message == "is 9, but environment dev lists installation 1111 for owner 'acme'"


def test_a_doubled_git_suffix_is_not_a_second_repository(write_tenant, load):
    write_tenant(registration("a", repoUrl="https://github.com/acme/shared.git"))
    write_tenant(registration("b", repoUrl="https://github.com/acme/shared.git.git"))
    problem = only(problems_of(load))
    assert problem.file.endswith("b.yaml") and problem.field == "spec.repoUrl"
    assert problem.message.endswith("write https://github.com/acme/shared.git")


def test_duplicate_registration_names(write_tenant, load):
    write_tenant(registration("a"))
    write_tenant(registration("a", repoUrl="https://github.com/acme/other.git", artifactBucket={"bucket": "other-b"}), "b.yaml")
    messages = [p.message for p in problems_of(load)]
    assert any("'a' is already used by tenants/a.yaml" in m for m in messages)


def test_one_repository_registered_twice_ignoring_case(write_tenant, load):
    write_tenant(registration("a", repoUrl="https://github.com/acme/Repo.git"))
    write_tenant(registration("b", repoUrl="https://github.com/ACME/repo.git"))
    problem = only(problems_of(load))
    assert (problem.file, problem.field) == ("tenants/b.yaml", "spec.repoUrl")
    assert "already registered by tenants/a.yaml (a)" in problem.message


def test_two_repositories_that_map_to_one_namespace(write_tenant, load):
    write_tenant(registration("a", repoUrl="https://github.com/acme/foo_bar.git"))
    write_tenant(registration("b", repoUrl="https://github.com/acme/foo.bar.git"))
    assert "namespace wf-acme-foo-bar is already taken" in only(problems_of(load)).message


@pytest.mark.parametrize("first, second", [("artifactBucket", "artifactBucket"), ("artifactBucket", "dataBucket"), ("dataBucket", "dataBucket")])
def test_bucket_claimed_twice(write_tenant, load, first, second):
    write_tenant(registration("a", **{first: {"bucket": "shared-bucket"}}))
    write_tenant(registration("b", **{second: {"bucket": "shared-bucket"}}))
    problem = only(problems_of(load))
    assert problem.file == "tenants/b.yaml" and f"(as {first})" in problem.message


@pytest.mark.parametrize("bucket", ["platform-artifacts", "platform-artifacts-prod"])
def test_bucket_is_a_platform_bucket_of_any_environment(write_tenant, load, bucket):
    settings = make_settings(bucketNames={"suffix": ""})
    write_tenant(registration("a", artifactBucket={"bucket": bucket}))
    assert "which the platform owns (platformBuckets in Pulumi.yaml)" in only(problems_of(load, settings)).message


def test_cross_file_rules_apply_whatever_the_environments(write_tenant, load):
    write_tenant(registration("a", environments=["dev"]))
    write_tenant(registration("b", environments=["prod"], artifactBucket={"bucket": "a-artifacts"}))
    assert "already claimed" in only(problems_of(load)).message


# Across environments (bucket names are global).

def test_a_dev_name_that_is_a_prod_name_is_caught(tmp_path):
    from tenancy.loading.rules import across_environments
    from tests.support.program import tenant_of

    dev, prod = make_settings("dev", bucketNames={"suffix": "-dev"}), make_settings("prod", bucketNames={"suffix": ""})
    foo = registration("foo", artifactBucket={"bucket": "foo"})
    foo_dev = registration("bar", artifactBucket={"bucket": "foo-dev"})
    found = list(across_environments({
        "dev": [tenant_of(foo, dev), tenant_of(foo_dev, dev)],
        "prod": [tenant_of(foo, prod), tenant_of(foo_dev, prod)],
    }))
    [problem] = found
    assert problem.file == "tenants/bar.yaml" and "also foo's bucket in environment 'dev'" in problem.message


def test_the_committed_tenants_never_share_a_bucket_between_committed_stacks():
    from tenancy.loading.loader import load_tenants
    from tenancy.loading.rules import across_environments
    from tests.support.program import PROJECT_DIR, stack_settings

    by_environment = {}
    for stack in ("dev", "prod"):
        settings = stack_settings(stack)
        by_environment[settings.environment] = load_tenants(PROJECT_DIR / "tenants", settings)
    assert [str(problem) for problem in across_environments(by_environment)] == []


# The runner, the refs and the guardrails: a registration may ask for less than the stack allows, never more.


def test_refs_for_an_unknown_environment(write_tenant, load):
    write_tenant(registration("a", refs={"prd": {"tags": True}}))
    problem = only(problems_of(load))
    assert problem.field == "spec.refs.prd" and "known: dev, prod" in problem.message


def test_runner_resources_above_the_stack_maximum(write_tenant, load):
    write_tenant(registration("a", nextflow={"resources": {"cpu": "4001m", "memory": "16Gi"}}))
    problem = only(problems_of(load))
    assert problem.field == "spec.nextflow.resources.cpu" and "'4001m' is more than this environment allows a runner (4" in problem.message


def test_runner_resources_at_the_stack_maximum(write_tenant, load):
    write_tenant(registration("a", nextflow={"resources": {"cpu": "4", "memory": "16384Mi"}}))
    assert load()[0].runner_resources.memory == "16384Mi"


def test_a_quota_above_the_stack_quota(write_tenant, load):
    write_tenant(registration("a", guardrails={"quota": {"memory": "65Gi", "pods": 51}}))
    problems = problems_of(load)
    assert sorted(p.field for p in problems) == ["spec.guardrails.quota.memory", "spec.guardrails.quota.pods"]
    assert all("a registration may only ask for less" in p.message for p in problems)


def test_a_quota_the_runner_does_not_fit_in(write_tenant, load):
    write_tenant(registration("a", guardrails={"quota": {"cpu": "500m"}}))
    problem = only(problems_of(load))
    assert problem.field == "spec.guardrails.quota.cpu" and "leaves no room for the runner, which asks for 1" in problem.message


def test_baseline_where_the_stack_enforces_restricted(write_tenant, load):
    write_tenant(registration("a", guardrails={"podSecurity": "baseline"}))
    strict = make_settings(guardrails={"podSecurity": "restricted"})
    problem = only(problems_of(load, strict))
    assert problem.field == "spec.guardrails.podSecurity" and "looser" in problem.message
