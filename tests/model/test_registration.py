import pytest
from pydantic import ValidationError

from tenancy.model.endpoint import Endpoint
from tenancy.model.registration import RepoRegistration
from tests.support.program import registration


def validate(document, mount="kv"):
    return RepoRegistration.model_validate(document, context={"kv_mount": mount})


def errors(document):
    with pytest.raises(ValidationError) as err:
        validate(document)
    return {".".join(str(p) for p in e["loc"]): e for e in err.value.errors()}


def test_seed_defaults():
    doc = registration("simple", artifactBucket=None)
    spec = validate(doc).spec
    assert spec.default_branch == "main"
    assert spec.workflow_template_ref == "nextflow-repo-runner"
    assert spec.is_public is False
    assert spec.github_secret_name is None
    assert spec.environments is None and spec.paused is False and spec.credentials_rotation == 0


def test_bucket_defaults():
    bucket = validate(registration("a", artifactBucket={"bucket": "a-artifacts"})).spec.artifact_bucket
    # keyPrefix left out is None here: which prefix that means depends on the bucket's purpose (test_tenant.py).
    assert (bucket.region, bucket.insecure, bucket.path_style, bucket.key_prefix) == ("us-west-2", False, False, None)


def test_metadata_namespace_labels_and_annotations_are_accepted():
    doc = registration("a")
    doc["metadata"].update(namespace="argo", labels={"x": "y"}, annotations={"note": "z"})
    assert validate(doc).name == "a"


@pytest.mark.parametrize("where", ["top", "metadata", "spec", "bucket"])
def test_unknown_fields_are_forbidden(where):
    doc = registration("a")
    target = {"top": doc, "metadata": doc["metadata"], "spec": doc["spec"], "bucket": doc["spec"]["artifactBucket"]}[where]
    target["surprise"] = 1
    assert any(e["type"] == "extra_forbidden" for e in errors(doc).values())


def test_status_from_a_cluster_is_refused():
    doc = registration("a")
    doc["status"] = {"phase": "Ready"}
    assert "status" in errors(doc)


def test_wrong_kind_and_api_version():
    doc = registration("a")
    doc["kind"] = "Registration"
    doc["apiVersion"] = "v1"
    found = errors(doc)
    assert "kind" in found and "apiVersion" in found


def test_yaml_numbers_and_bools_are_not_turned_into_strings():
    found = errors(registration("a", defaultBranch=2024, tenant=True))
    assert found["spec.defaultBranch"]["type"] == "string_type"
    assert found["spec.tenant"]["type"] == "string_type"


def test_name_longer_than_derived_names_allow_is_refused():
    found = errors(registration("n" * 36))
    assert "at most 35" in found["metadata.name"]["msg"]


def test_key_prefix_gets_a_trailing_slash():
    doc = registration("a", artifactBucket={"bucket": "a-artifacts", "keyPrefix": "workflows"})
    assert validate(doc).spec.artifact_bucket.key_prefix == "workflows/"


@pytest.mark.parametrize("written", ["kv/argo/apps/a/s3/artifacts", "kv/data/argo/apps/a", "/kv/argo/apps/a", "argo/../apps/a", "x"])
def test_a_written_vault_path_is_kept_as_written_whatever_it_is(written):
    # Never used (the path is derived; tenancy/loading/ignored.py warns when it differs): any text pastes in.
    doc = registration("a", artifactBucket={"bucket": "a-artifacts", "externalSecretPath": written})
    assert validate(doc).spec.artifact_bucket.external_secret_path == written


def test_a_written_vault_path_is_still_text():
    doc = registration("a", artifactBucket={"bucket": "a-artifacts", "externalSecretPath": 7})
    assert errors(doc)["spec.artifactBucket.externalSecretPath"]["type"] == "string_type"


def test_http_hostname_requires_insecure():
    doc = registration("a", artifactBucket={"bucket": "a-artifacts", "hostname": "http://minio:9000"})
    assert "insecure" in errors(doc)["spec.artifactBucket"]["msg"]


def test_https_hostname_refuses_insecure():
    doc = registration("a", artifactBucket={"bucket": "a-artifacts", "hostname": "https://s3.us-west-2.amazonaws.com", "insecure": True})
    assert "insecure" in errors(doc)["spec.artifactBucket"]["msg"]


def test_hostname_without_scheme_is_read_from_insecure():
    bucket = {"bucket": "a-artifacts", "hostname": "minio:9000"}
    assert validate(registration("a", artifactBucket=bucket)).spec.artifact_bucket.service == Endpoint("https", "minio:9000")
    insecure = validate(registration("a", artifactBucket={**bucket, "insecure": True})).spec.artifact_bucket.service
    assert insecure == Endpoint("http", "minio:9000")


def test_hostname_with_a_path_is_refused():
    doc = registration("a", artifactBucket={"bucket": "a-artifacts", "hostname": "https://s3.us-west-2.amazonaws.com/bucket"})
    assert "without a path" in errors(doc)["spec.artifactBucket.hostname"]["msg"]


def test_repo_url_must_be_a_github_https_git_url():
    assert "https://github.com/<owner>/<repo>.git" in errors(registration("a", repoUrl="https://github.com/acme/a"))["spec.repoUrl"]["msg"]


def test_a_repo_url_missing_only_its_git_suffix_is_given_the_fix():
    message = errors(registration("a", repoUrl="https://github.com/acme/a/"))["spec.repoUrl"]["msg"]
    assert message.endswith("; write https://github.com/acme/a.git")


def test_empty_environment_list_is_refused():
    assert "at least one environment" in errors(registration("a", environments=[]))["spec.environments"]["msg"]


def test_negative_rotation_is_refused():
    assert "spec.credentialsRotation" in errors(registration("a", credentialsRotation=-1))


def test_model_is_frozen():
    reg = validate(registration("a"))
    with pytest.raises(ValidationError):
        reg.spec.tenant = "other"


def test_runner_defaults():
    nextflow = validate(registration("a")).spec.nextflow
    assert (nextflow.params_file, nextflow.profile, nextflow.executor, nextflow.resources) == (None, None, "local", None)


@pytest.mark.parametrize(
    "nextflow, field, message",
    [
        ({"paramsFile": "../secrets.json"}, "paramsFile", "no empty, '.' or '..' path components"),
        ({"paramsFile": "/etc/passwd"}, "paramsFile", "must be relative"),
        ({"paramsFile": "params.config"}, "paramsFile", "must end in .json, .yml or .yaml"),
        ({"paramsFile": "params.JSON"}, "paramsFile", "must end in .json, .yml or .yaml"),
        ({"profile": "test -c /tmp/x"}, "profile", "not a Nextflow profile list"),
        ({"profile": "test,"}, "profile", "not a Nextflow profile list"),
        ({"executor": "awsbatch"}, "executor", "'local' or 'k8s'"),
        ({"resources": {"cpu": "2 cores", "memory": "8Gi"}}, "resources.cpu", "not a CPU quantity"),
        ({"resources": {"cpu": "2", "memory": "8GB"}}, "resources.memory", "not a memory quantity"),
        ({"resources": {"cpu": "0", "memory": "8Gi"}}, "resources.cpu", "more than 0"),
    ],
)
def test_runner_fields_refuse_what_nextflow_or_kubernetes_would_misread(nextflow, field, message):
    found = errors(registration("a", nextflow=nextflow))
    assert message in found[f"spec.nextflow.{field}"]["msg"]


def test_refs_name_a_branch_or_tags():
    spec = validate(registration("a", refs={"dev": {"branch": "develop"}, "prod": {"tags": True}})).spec
    assert spec.refs["dev"].branch == "develop" and spec.refs["prod"].tags is True
    found = errors(registration("a", refs={"prod": {}}))
    assert "names neither a branch nor tags" in found["spec.refs.prod"]["msg"]
    assert "not a valid git branch name" in errors(registration("a", refs={"dev": {"branch": "a..b"}}))["spec.refs.dev.branch"]["msg"]


def test_guardrails_may_not_name_a_level_below_baseline():
    assert "'baseline' or 'restricted'" in errors(registration("a", guardrails={"podSecurity": "privileged"}))["spec.guardrails.podSecurity"]["msg"]


@pytest.mark.parametrize("owner", ["@alice", "@acme/genomics-team", "@a-b/x_y"])
def test_owners_are_github_users_or_teams(owner):
    assert validate(registration("alpha", owners=[owner])).spec.owners == (owner,)


@pytest.mark.parametrize("owner", ["alice", "@", "@acme/Team Space", "alice@example.org", "@-bad"])
def test_owners_that_codeowners_could_not_read_are_refused(owner):
    assert "spec.owners.0" in errors(registration("alpha", owners=[owner]))
