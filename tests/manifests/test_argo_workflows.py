import yaml

from tenancy.manifests import argo_workflows
from tests.support.program import make_settings, registration, tenant_of

DEDICATED = tenant_of(registration("alpha", artifactBucket={"bucket": "alpha-artifacts", "keyPrefix": "workflows/"}, defaultBranch="develop"))
FALLBACK = tenant_of(registration("beta", artifactBucket=None))


def test_artifact_repository_is_what_argo_knows():
    repo = argo_workflows.artifact_repository(DEDICATED.artifacts)
    assert repo == {
        "archiveLogs": True,
        "s3": {
            "bucket": "alpha-artifacts-dev",
            "endpoint": "s3.us-west-2.amazonaws.com",
            "region": "us-west-2",
            "insecure": False,
            "keyFormat": "workflows/{{workflow.name}}/{{pod.name}}",
            "accessKeySecret": {"name": "s3-credentials-alpha", "key": "AWS_ACCESS_KEY_ID"},
            "secretKeySecret": {"name": "s3-credentials-alpha", "key": "AWS_SECRET_ACCESS_KEY"},
        },
    }


def test_endpoint_has_no_scheme_and_insecure_follows_http():
    settings = make_settings(s3Endpoint="http://minio.minio.svc:9000")
    tenant = tenant_of(registration("alpha", artifactBucket={"bucket": "alpha-artifacts", "hostname": "http://minio.minio.svc:9000", "insecure": True}), settings)
    s3 = argo_workflows.artifact_repository(tenant.artifacts)["s3"]
    assert s3["endpoint"] == "minio.minio.svc:9000" and s3["insecure"] is True


def test_no_path_style_even_when_the_registration_sets_it():
    tenant = tenant_of(registration("alpha", artifactBucket={"bucket": "alpha-artifacts", "pathStyle": True}))
    assert "pathStyle" not in argo_workflows.artifact_repository(tenant.artifacts)["s3"]
    assert "keyPrefix" not in argo_workflows.artifact_repository(tenant.artifacts)["s3"]


def test_fallback_bucket_entry_uses_the_registration_prefix():
    s3 = argo_workflows.artifact_repository(FALLBACK.artifacts)["s3"]
    assert s3["bucket"] == "platform-artifacts"
    assert s3["keyFormat"] == "beta/{{workflow.name}}/{{pod.name}}"
    assert s3["accessKeySecret"]["name"] == "s3-credentials-beta"


def test_configmap_is_the_namespace_default_repository():
    cm = argo_workflows.artifact_repositories_configmap(DEDICATED)
    assert cm["metadata"]["name"] == "artifact-repositories"
    assert cm["metadata"]["namespace"] == "wf-acme-alpha"
    assert cm["metadata"]["annotations"]["workflows.argoproj.io/default-artifact-repository"] == "default-v1"
    assert yaml.safe_load(cm["data"]["default-v1"]) == argo_workflows.artifact_repository(DEDICATED.artifacts)


def test_workflow_template_uses_the_repository_and_parameters():
    wt = argo_workflows.workflow_template(DEDICATED)
    spec = wt["spec"]
    assert wt["metadata"]["name"] == "nextflow-repo-runner" and wt["metadata"]["namespace"] == "wf-acme-alpha"
    assert spec["artifactRepositoryRef"] == {"configMap": "artifact-repositories", "key": "default-v1"}
    assert spec["serviceAccountName"] == "wf-runner"
    params = {p["name"]: p["value"] for p in spec["arguments"]["parameters"]}
    assert params == {
        "repo-url": "https://github.com/acme/alpha.git",
        "revision": "develop",
        "ref": "refs/heads/develop",
        "default-branch": "develop",
    }
    container = spec["templates"][0]["container"]
    assert "{{workflow.parameters.revision}}" in container["args"]
    assert "s3://alpha-artifacts-dev/workflows/{{workflow.name}}" in container["args"]


def test_workflow_template_name_follows_the_registration():
    tenant = tenant_of(registration("alpha", workflowTemplateRef="custom-runner"))
    assert argo_workflows.workflow_template(tenant)["metadata"]["name"] == "custom-runner"


def test_data_bucket_is_handed_to_the_runner():
    tenant = tenant_of(registration("alpha", dataBucket={"bucket": "alpha-data", "keyPrefix": "raw"}))
    env = {e["name"]: e for e in argo_workflows.workflow_template(tenant)["spec"]["templates"][0]["container"]["env"]}
    assert env["DATA_LOCATION"]["value"] == "s3://alpha-data-dev/raw/"
    assert env["DATA_AWS_ACCESS_KEY_ID"]["valueFrom"]["secretKeyRef"] == {"name": "s3-credentials-alpha-data", "key": "AWS_ACCESS_KEY_ID"}
