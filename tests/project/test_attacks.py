"""Attacks by a tenant file on what is not its own: Vault paths, Secrets in shared namespaces, buckets,
names, and the blame when two files clash.

Each test is an attack a reviewed-looking pull request could make and that once passed `validate`;
each is now refused with `file:line: field: message`, or made harmless because the value is derived
from the registration's name. tests/integration/test_boundary.py proves the same boundaries on a real
OpenBao and on moto with IAM enforced.
"""

from __future__ import annotations

import pytest
import yaml

from tenancy.manifests import argo_events, vault_policy
from tenancy.model import naming
from tenancy.project.stacks import project_stacks
from tenancy.project.validation import check_paths
from tests.support.cli_project import make_project, write_tenant_file
from tests.support.expr_language import identifier_problem
from tests.support.git_repo import git
from tests.support.program import PROJECT_DIR, make_settings, registration, tenant_of


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path)


def write(project, document):
    return write_tenant_file(project, document)


def problems(project) -> list[str]:
    """Every problem `validate` finds, as it prints them."""
    return [str(finding.problem) for finding in check_paths(project_stacks(project), []).findings]


def only(project) -> str:
    found = problems(project)
    assert len(found) == 1, found
    return found[0]


def at(project, name: str, keys: str, field: str) -> str:
    """`tenants/<name>.yaml:<line>: <field>: `, how a problem of that field starts; `keys` ("dataBucket.bucket")
    are found one after the other in the file."""
    lines = (project / "tenants" / f"{name}.yaml").read_text().splitlines()
    line = 0
    for key in keys.split("."):
        line = next(number for number, text in enumerate(lines, 1) if number > line and text.strip().startswith(f"{key}:"))
    return f"tenants/{name}.yaml:{line}: {field}: "


# --- Vault: a registration's paths are <pathPrefix>/<name>/... and nothing else -------------------


def warnings(project) -> list[str]:
    """Every warning `validate` finds, as it prints them after `warning: `."""
    return [str(finding.problem) for finding in check_paths(project_stacks(project), []).warnings]


@pytest.mark.parametrize(
    "path",
    [
        "kv/platform/argo-tenants/github",  # the GitHub token docs/ci.md stores
        "platform/argo-tenants/github",
        "argo/apps/other/s3/artifacts",  # a registration that does not exist (yet)
        "argo/apps/a/github",  # its own webhook secret, which only Argo Events may read
        "argo/apps/a/s3/artifacts/x",
        "../../sys/policy/root",  # not even a path
    ],
)
def test_a_vault_path_outside_the_derived_one_is_ignored_with_a_warning(project, path):
    # Accepted, so that the documents' manifests paste in; never used: the warning names the path written
    # and the path the credentials go to, and the policy and ExternalSecret below use only the derived one.
    write(project, registration("a", artifactBucket={"bucket": "a-artifacts", "externalSecretPath": path}))
    assert problems(project) == []
    [warning] = warnings(project)
    assert warning.startswith(at(project, "a", "externalSecretPath", "spec.artifactBucket.externalSecretPath"))
    assert f"is ignored: the artifacts credentials are always written to kv/argo/apps/a/s3/artifacts" in warning
    tenant = tenant_of(registration("a", artifactBucket={"bucket": "a-artifacts", "externalSecretPath": path}))
    assert tenant.artifacts.vault_path == "argo/apps/a/s3/artifacts"
    assert path.removeprefix("kv/") not in vault_policy.tenant_policy(tenant)


def test_whatever_the_file_writes_the_vault_paths_are_derived():
    tenant = tenant_of(registration("a", dataBucket={"bucket": "a-data", "externalSecretPath": "kv/argo/apps/a/s3/data"}))
    assert tenant.vault_paths == ("argo/apps/a/s3/artifacts", "argo/apps/a/s3/data", "argo/apps/a/github")


# --- Secrets in the shared Argo Events namespace -------------------------------------------------


@pytest.mark.parametrize("secret", ["argo-events-webhook", "eventbus-default-client", "a-github", "argo-tenants-webhook-b", "Not A Name!"])
def test_a_secret_name_in_the_shared_namespace_is_ignored_with_a_warning(project, secret):
    write(project, registration("a", githubSecretName=secret))
    assert problems(project) == []
    [warning] = warnings(project)
    assert warning.startswith(at(project, "a", "githubSecretName", "spec.githubSecretName"))
    assert "is ignored: the webhook secret is always in the Secret argo-tenants-webhook-a of the Argo Events namespace" in warning
    tenant = tenant_of(registration("a", githubSecretName=secret))
    [entry] = argo_events.event_source(tenant)["spec"]["github"].values()
    assert entry["webhookSecret"]["name"] == "argo-tenants-webhook-a"


def test_the_apps_namespace_may_not_be_the_argo_events_namespace():
    # There, registration `x-contents`'s webhook Secret and `webhook-x`'s contents token would share a name.
    from tenancy.model.problems import SettingsError

    assert naming.webhook_secret_name("x-contents") == naming.github_token_name("webhook-x", "contents")
    with pytest.raises(SettingsError, match="githubApp namespace 'argo-events' is the Argo Events namespace"):
        make_settings(githubApp={"appId": 1, "namespace": "argo-events"})


def test_every_object_in_the_shared_namespace_is_under_the_registrations_prefix():
    tenant = tenant_of(registration("a"))
    assert tenant.github_secret_name == "argo-tenants-webhook-a"
    # Its EventSource, Sensor and Ingress there are github-<name>, a prefix kept for registrations.
    for manifest in argo_events.event_route(tenant):
        assert manifest["metadata"]["name"] == "github-a", manifest["kind"]
    source = argo_events.event_source(tenant)
    assert source["spec"]["github"]["a"]["webhookSecret"]["name"] == "argo-tenants-webhook-a"


# --- Buckets: never one the registration did not create for itself --------------------------------


def test_another_environments_fallback_bucket_is_refused(project):
    # prod has no affix: a prod registration naming dev's fallback bucket gets exactly that name.
    write(project, registration("a", artifactBucket={"bucket": "calypr-dev-argo-artifacts"}, environments=["prod"]))
    assert only(project) == at(project, "a", "artifactBucket.bucket", "spec.artifactBucket.bucket") + (
        "'calypr-dev-argo-artifacts' is the bucket "
        "'calypr-dev-argo-artifacts' in environment prod, which the platform owns (platformBuckets in Pulumi.yaml); "
        "choose another name (without artifactBucket, artifacts go to the environment's fallback bucket under <name>/)"
    )


def test_every_committed_stack_knows_every_fallback_bucket():
    stacks = project_stacks(PROJECT_DIR)
    fallbacks = {s.fallback_artifact_bucket.bucket for s in stacks.settings.values() if s.fallback_artifact_bucket}
    assert fallbacks and all(fallbacks <= set(s.platform_buckets) for s in stacks.settings.values())


def test_a_stack_that_does_not_know_another_stacks_fallback_bucket_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    project = make_project(tmp_path, {"dev": {"argo-tenants:platformBuckets": ["calypr-dev-argo-artifacts"]}, "prod": {}})
    [problem] = problems(project)
    assert problem.startswith("Pulumi.dev.yaml:") and problem.endswith(
        ": argo-tenants:platformBuckets: does not list calypr-argo-artifacts, the fallback bucket of "
        "another stack; declare platformBuckets once, in Pulumi.yaml, with every stack's fallback bucket"
    )


def retire(project, *records):
    (project / "tenants" / "_retired-buckets.yaml").write_text(yaml.safe_dump({"retiredBuckets": list(records)}))


def test_a_bucket_an_offboarding_left_behind_is_refused(project):
    retire(project, {"bucket": "old-data-dev", "registration": "old", "environment": "dev"})
    write(project, registration("a", environments=["dev"], dataBucket={"bucket": "old-data"}))
    assert only(project).startswith(
        at(project, "a", "dataBucket.bucket", "spec.dataBucket.bucket") + "'old-data' is the bucket 'old-data-dev' in environment dev, "
        "kept from registration old when it left environment dev (tenants/_retired-buckets.yaml)"
    )


def test_the_same_name_again_does_not_get_the_old_bucket_back(project):
    # A registration name is not an identity: whoever adds tenants/old.yaml later is not its old owner.
    retire(project, {"bucket": "old-artifacts-dev", "registration": "old", "environment": "dev"})
    write(project, registration("old", environments=["dev"]))
    assert "kept from registration old" in only(project)


def test_an_operator_hands_a_retired_bucket_back_on_purpose(project):
    retire(project, {"bucket": "old-artifacts-dev", "registration": "old", "environment": "dev", "returnTo": "old"})
    write(project, registration("old", environments=["dev"]))
    assert problems(project) == []


def retire_prefix(project, *records):
    (project / "tenants" / "_retired-buckets.yaml").write_text(yaml.safe_dump({"retiredPrefixes": list(records)}))


def test_a_fallback_prefix_an_offboarding_left_behind_is_not_granted_to_the_next_registration_of_that_name(project):
    # The attack: `old` left dev, its objects stay under s3://calypr-dev-argo-artifacts/old/; another repository
    # registering `old` would read and delete them (moto, IAM enforced: tests/integration/test_boundary.py).
    retire_prefix(project, {"bucket": "calypr-dev-argo-artifacts", "registration": "old", "environment": "dev"})
    write(project, registration("old", repoUrl="https://github.com/acme/someone-else.git", environments=["dev"], artifactBucket=None))
    assert only(project).startswith(
        at(project, "old", "name", "metadata.name") + "'old' would be granted s3://calypr-dev-argo-artifacts/old/ in "
        "environment dev, kept with its objects from registration old when it left environment dev (tenants/_retired-buckets.yaml)"
    )


def test_a_retired_prefix_does_not_stop_a_registration_with_its_own_bucket(project):
    retire_prefix(project, {"bucket": "calypr-dev-argo-artifacts", "registration": "old", "environment": "dev"})
    write(project, registration("old", environments=["dev"]))
    assert problems(project) == []


def test_an_operator_hands_a_retired_prefix_back_on_purpose(project):
    retire_prefix(project, {"bucket": "calypr-dev-argo-artifacts", "registration": "old", "environment": "dev", "returnTo": "old"})
    write(project, registration("old", environments=["dev"], artifactBucket=None))
    assert problems(project) == []


def test_a_retired_prefix_goes_back_to_its_own_name_only(project):
    retire_prefix(project, {"bucket": "calypr-dev-argo-artifacts", "registration": "old", "environment": "dev", "returnTo": "new"})
    assert "a fallback prefix is always `<name>/`" in only(project)


@pytest.mark.parametrize("name", [*naming.RESERVED_FALLBACK_PREFIXES, "argo-workflows", "argo-events"])
def test_a_prefix_the_platform_writes_in_its_fallback_bucket_is_refused(project, name):
    write(project, registration(name, environments=["dev"], artifactBucket=None))
    assert only(project).startswith(
        at(project, name, "name", "metadata.name") + f"'{name}' would be granted s3://calypr-dev-argo-artifacts/{name}/ in "
        "environment dev, a prefix the platform writes itself in its fallback bucket"
    )


def test_a_bad_record_is_a_problem_at_its_line(project):
    retire(project, {"bucket": "Not_A_Bucket", "registration": "old", "environment": "dev"})
    assert only(project).startswith("tenants/_retired-buckets.yaml:2: retiredBuckets[0].bucket: 'Not_A_Bucket'")


# --- Names: one (environment, registration) pair, one set of names --------------------------------


def hyphen_project(tmp_path, monkeypatch, environments):
    monkeypatch.chdir(tmp_path)
    project = make_project(tmp_path, {"dev": {}})
    pulumi = yaml.safe_load((project / "Pulumi.yaml").read_text())
    pulumi["config"]["environments"]["default"] = environments
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(pulumi, sort_keys=False))
    for environment in environments[1:]:
        stack = yaml.safe_load((project / "Pulumi.dev.yaml").read_text())
        stack["config"]["argo-tenants:environment"] = environment
        stack["config"]["argo-tenants:bucketNames"] = {"suffix": f"-{environment}"}
        stack["config"]["argo-tenants:webhookBaseUrl"] = f"https://events.{environment}.example.org"
        (project / f"Pulumi.{environment}.yaml").write_text(yaml.safe_dump(stack, sort_keys=False))
    return project


def test_two_environments_cannot_give_two_registrations_one_iam_user(tmp_path, monkeypatch):
    project = hyphen_project(tmp_path, monkeypatch, ["dev", "dev-eu"])
    write(project, registration("x", environments=["dev-eu"]))
    write(project, registration("eu-x", environments=["dev"]))
    assert only(project) == at(project, "eu-x", "metadata.name", "metadata.name") + (
        "'eu-x' in environment dev gets the IAM user, Vault policy and role "
        "argo-tenants-dev-eu-x, which are also those of a registration 'x' in environment dev-eu; "
        "choose a name that does not start with 'eu-'"
    )


def test_an_environment_that_continues_another_into_the_webhook_policy_is_refused():
    from tenancy.model.problems import SettingsError

    with pytest.raises(SettingsError, match="'d-webhooks' continues environment 'd' with 'webhooks'"):
        make_settings(environments=["dev", "d", "d-webhooks", "prod"])


ENVIRONMENTS = ("dev", "dev-eu", "dev-eu-1", "d", "prod", "prod-x")
NAMES = ("x", "eu", "eu-x", "eu-1-x", "1-x", "ev-eu-x", "x-eu", "webhooks", "webhooks-a", "a", "deploy", "eu-webhooks")
SHARDS = (None, "a", "eu", "x")


def test_every_derived_name_is_one_pair_s_own_across_hyphenated_environments():
    """With the rules in force, no two (environment, registration) pairs and no stack-level name of any
    environment or shard share an IAM user, a Vault policy or a Vault role."""
    owners: dict[str, object] = {}
    for environment in ENVIRONMENTS:
        for name in NAMES:
            refused = naming.is_platform_name(name) or naming.environment_overlap(environment, name, ENVIRONMENTS)
            if refused:
                continue
            for derived in {naming.iam_user_name(environment, name), naming.vault_policy_name(environment, name)}:
                assert owners.setdefault(derived, (environment, name)) == (environment, name), derived
        for shard in SHARDS:
            derived = naming.webhook_vault_name(environment, shard)
            assert owners.setdefault(derived, (environment, "shard", shard)) == (environment, "shard", shard), derived


def test_without_the_rule_the_names_would_meet():
    # The test above can fail: the pair it guards against exists.
    assert naming.iam_user_name("dev", "eu-x") == naming.iam_user_name("dev-eu", "x")
    assert naming.environment_overlap("dev", "eu-x", ENVIRONMENTS) == ("dev-eu", "x")


@pytest.mark.parametrize("name", ["deploy", "preview", "readonly", "webhooks", "webhooks-a"])
def test_a_name_the_platform_keeps_is_refused(project, name):
    # docs/ci.md names CI's Vault policies argo-tenants-<env>-deploy, -preview and -readonly.
    write(project, registration(name))
    assert only(project).startswith(at(project, name, "metadata.name", "metadata.name") + f"'{name}' is a name the platform keeps for itself")


@pytest.mark.parametrize("name", ["true", "false", "nil", "in", "not", "and", "or", "matches", "contains", "let", "if", "else", "1-2", "0x1f", "1e5", "2024"])
def test_a_registration_named_like_an_expression_keyword_or_number_is_one_identifier_in_the_sensor(name):
    tenant = tenant_of(registration(name, repoUrl=f"https://github.com/acme/r{name}.git", artifactBucket={"bucket": f"b-{name}"}))
    sensor = argo_events.sensor(tenant)
    [dependency] = sensor["spec"]["dependencies"]
    [trigger] = sensor["spec"]["triggers"]
    assert identifier_problem(dependency["name"]) is None, dependency["name"]
    assert trigger["template"]["conditions"] == dependency["name"]


EDGE_NAMES = ("0", "1-2", "a", "true", "in", "x" * naming.MAX_REGISTRATION_NAME_LENGTH, "9" + "-9" * 17)


@pytest.mark.parametrize("name", EDGE_NAMES)
def test_every_derived_name_is_valid_where_it_lands(name):
    """Whatever valid name a file has, what is derived from it is valid, and inert, in each language."""
    import re

    from tenancy.model import formats

    environment = "e" * naming.MAX_ENVIRONMENT_LENGTH
    assert formats.dns_label_problem(name, max_length=naming.MAX_REGISTRATION_NAME_LENGTH) is None
    # IAM: user names of at most 64 of these characters.
    assert re.fullmatch(r"[A-Za-z0-9+=,.@_-]{1,64}", naming.iam_user_name(environment, name))
    # Vault: policy and role names, and paths in HCL strings, with no quote, glob (`*`, `+`) or newline.
    for text in (naming.vault_policy_name(environment, name), naming.default_vault_path("argo/apps", name, "data")):
        assert re.fullmatch(r"[a-z0-9/._-]+", text), text
    # Kubernetes: the Secrets and objects named after it are DNS names within their limits.
    for kubernetes_name in (
        naming.webhook_secret_name(name),
        naming.webhook_secret_volume_name(name),
        naming.event_source_service_name(name),
        naming.github_token_name(name, "contents"),
        naming.github_token_reader_name(name),
    ):
        assert formats.dns_label_problem(kubernetes_name) is None, kubernetes_name
    # Sensor conditions: one identifier of the expression language.
    assert identifier_problem(naming.sensor_dependency_name(name)) is None


def test_dependency_names_stay_apart():
    names = ["a-b", "a", "b", "ab", "true"]
    dependencies = [naming.sensor_dependency_name(name) for name in names]
    assert len(set(dependencies)) == len(names)


# --- Blame: the file this change brings is the one told --------------------------------------------


@pytest.fixture
def repo(project):
    git(project, "init", "-q", "-b", "main")
    write(project, registration("b", repoUrl="https://github.com/acme/shared.git"))
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "b is there")
    return project


def test_a_clash_is_blamed_on_the_new_file_though_it_sorts_first(repo):
    # a.yaml sorts before b.yaml: by name order alone, b (untouched) would have been blamed.
    write(repo, registration("a", repoUrl="https://github.com/acme/shared.git"))
    assert only(repo) == at(repo, "a", "repoUrl", "spec.repoUrl") + "repository acme/shared is already registered by tenants/b.yaml (b)"


def test_a_committed_change_on_a_branch_is_blamed_too(repo):
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, registration("a", repoUrl="https://github.com/acme/shared.git"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a")
    assert only(repo).startswith(at(repo, "a", "repoUrl", "spec.repoUrl"))


def test_an_edited_file_is_blamed_for_a_bucket_it_takes(repo):
    write(repo, registration("c", artifactBucket={"bucket": "c-artifacts"}))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "c")
    write(repo, registration("b", repoUrl="https://github.com/acme/shared.git", artifactBucket={"bucket": "c-artifacts"}))
    found = problems(repo)  # one for each environment's name of the bucket
    assert len(found) == 2 and all(
        problem.startswith(at(repo, "b", "artifactBucket.bucket", "spec.artifactBucket.bucket") + "bucket 'c-artifacts")
        and problem.endswith("is already claimed (as artifactBucket) by tenants/c.yaml (c)")
        for problem in found
    )


def test_without_git_the_later_file_is_blamed(project):
    write(project, registration("a", repoUrl="https://github.com/acme/shared.git"))
    write(project, registration("b", repoUrl="https://github.com/acme/shared.git"))
    assert only(project).startswith(at(project, "b", "repoUrl", "spec.repoUrl"))


@pytest.mark.parametrize("changed", ["tenants/a.yaml", "tenants/b.yaml", "tenants/c.yaml"])
def test_the_untouched_file_keeps_its_claim_whichever_file_changed(changed):
    from tenancy.loading.rules import across_registrations

    tenants = [tenant_of(registration(n, repoUrl="https://github.com/acme/same.git", artifactBucket={"bucket": f"{n}-x"})) for n in "abc"]
    found = list(across_registrations(tenants, frozenset({changed})))
    keeper = min({"tenants/a.yaml", "tenants/b.yaml", "tenants/c.yaml"} - {changed})
    assert changed in {problem.file for problem in found} and keeper not in {problem.file for problem in found}
    assert all(problem.message.endswith(f"already registered by {keeper} ({keeper[8]})") for problem in found)
