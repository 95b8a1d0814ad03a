import yaml

from tenancy.manifests import argo_workflows
from tests.support.program import GITHUB_APP, make_settings, registration, tenant_of

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


def test_configmap_answers_the_key_the_seed_documents_name():
    # Seed 001: `artifactRepositoryRef: {configMap: artifact-repositories, key: artifactRepositories.<name>}`;
    # Argo reads that key literally, so it is a key of its own, holding the same repository.
    data = argo_workflows.artifact_repositories_configmap(DEDICATED)["data"]
    assert sorted(data) == ["artifactRepositories.alpha", "default-v1"]
    assert data["artifactRepositories.alpha"] == data["default-v1"]


def test_workflow_template_uses_the_repository_and_parameters():
    wt = argo_workflows.workflow_template(DEDICATED)
    spec = wt["spec"]
    assert wt["metadata"]["name"] == "nextflow-repo-runner" and wt["metadata"]["namespace"] == "wf-acme-alpha"
    assert spec["artifactRepositoryRef"] == {"configMap": "artifact-repositories", "key": "default-v1"}
    assert spec["serviceAccountName"] == "wf-runner"
    params = {p["name"]: p["value"] for p in spec["arguments"]["parameters"]}
    # A run submitted by hand runs the tracked branch; a push fills in its commit, ref and branch or tag name.
    assert params == {"git_revision": "develop", "git_ref": "refs/heads/develop", "git_ref_name": "develop"}
    container = spec["templates"][0]["container"]
    assert container["args"][:4] == ["run", "https://github.com/acme/alpha.git", "-r", "{{workflow.parameters.git_revision}}"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert (env["GIT_REVISION"], env["GIT_REF"], env["GIT_REF_NAME"]) == (
        "{{workflow.parameters.git_revision}}",
        "{{workflow.parameters.git_ref}}",
        "{{workflow.parameters.git_ref_name}}",
    )


def test_every_parameter_is_used():
    spec = argo_workflows.workflow_template(tenant_of(registration("alpha"), make_settings(githubApp=GITHUB_APP)))["spec"]
    text = yaml.safe_dump(spec["templates"])
    for parameter in spec["arguments"]["parameters"]:
        assert "{{workflow.parameters.%s}}" % parameter["name"] in text, parameter["name"]


def test_without_the_github_app_there_is_no_credential_and_no_status():
    spec = argo_workflows.workflow_template(DEDICATED)["spec"]
    assert "onExit" not in spec and [t["name"] for t in spec["templates"]] == ["run"]
    assert [v["name"] for v in spec["templates"][0]["volumes"]] == ["scratch"] and "NXF_SCM_FILE" not in yaml.safe_dump(spec)


def test_with_the_github_app_nextflow_reads_the_token_from_its_scm_file():
    tenant = tenant_of(registration("alpha"), make_settings(githubApp=GITHUB_APP))
    [run, _] = argo_workflows.workflow_template(tenant)["spec"]["templates"]
    assert run["volumes"][1:] == [{"name": "git-credentials", "secret": {"secretName": "git-credentials"}}]
    assert run["container"]["volumeMounts"][1:] == [{"name": "git-credentials", "mountPath": "/etc/nextflow-scm", "readOnly": True}]
    env = {e["name"]: e for e in run["container"]["env"]}
    assert env["NXF_SCM_FILE"] == {"name": "NXF_SCM_FILE", "value": "/etc/nextflow-scm/scm"}
    # The token is in a file only: no environment variable of the runner carries it.
    assert not any("git-credentials" in str(e.get("valueFrom", "")) for e in env.values())


def test_with_the_github_app_an_exit_handler_reports_on_the_commit():
    tenant = tenant_of(registration("alpha"), make_settings(githubApp=GITHUB_APP, argoWorkflowsUrl="https://argo.example.org"))
    spec = argo_workflows.workflow_template(tenant)["spec"]
    assert spec["onExit"] == "report-status"
    handler = spec["templates"][1]
    env = {e["name"]: e["value"] for e in handler["script"]["env"]}
    assert env["GIT_REVISION"] == "{{workflow.parameters.git_revision}}"
    assert env["WORKFLOW_URL"] == "https://argo.example.org/workflows/wf-acme-alpha/{{workflow.name}}"
    assert env["GITHUB_REPOSITORY"] == "acme/alpha" and env["STATUS_CONTEXT"] == "argo-workflows/dev"
    assert handler["volumes"] == [{"name": "github-status-token", "secret": {"secretName": "github-status-token"}}]
    # Argo substitutes {{...}} in a script's source; every value comes through the environment instead.
    assert "{{" not in handler["script"]["source"]


def test_workflow_template_name_follows_the_registration():
    tenant = tenant_of(registration("alpha", workflowTemplateRef="custom-runner"))
    assert argo_workflows.workflow_template(tenant)["metadata"]["name"] == "custom-runner"


def test_data_bucket_is_handed_to_the_runner():
    tenant = tenant_of(registration("alpha", dataBucket={"bucket": "alpha-data", "keyPrefix": "raw"}))
    env = {e["name"]: e for e in argo_workflows.workflow_template(tenant)["spec"]["templates"][0]["container"]["env"]}
    assert env["DATA_LOCATION"]["value"] == "s3://alpha-data-dev/raw/"
    assert env["DATA_AWS_ACCESS_KEY_ID"]["valueFrom"]["secretKeyRef"] == {"name": "s3-credentials-alpha-data", "key": "AWS_ACCESS_KEY_ID"}


MINIO = "http://minio.minio-system.svc.cluster.local:9000"


def run_step(tenant):
    return argo_workflows.workflow_template(tenant)["spec"]["templates"][0]


def test_on_aws_s3_the_runner_needs_no_client_settings():
    step = run_step(DEDICATED)
    assert argo_workflows.runner_s3_config(DEDICATED) is None
    assert "inputs" not in step and "-c" not in step["container"]["args"]


def test_on_an_s3_compatible_service_the_runner_gets_its_endpoint_and_path_style():
    tenant = tenant_of(registration("alpha", artifactBucket=None), make_settings(s3Endpoint=MINIO, storage="minio"))
    assert argo_workflows.runner_s3_config(tenant) == (
        "aws {\n"
        "    region = 'us-west-2'\n"
        "    client {\n"
        f"        endpoint = '{MINIO}'\n"
        "        s3PathStyleAccess = true\n"
        "    }\n"
        "}\n"
    )
    step = run_step(tenant)
    assert step["inputs"]["artifacts"] == [
        {"name": "runner-config", "path": "/argo-tenants-config/runner.config", "raw": {"data": argo_workflows.runner_s3_config(tenant)}}
    ]
    assert step["container"]["args"][-2:] == ["-c", "/argo-tenants-config/runner.config"]


def test_path_style_asked_for_on_aws_reaches_the_runner_without_an_endpoint():
    tenant = tenant_of(registration("alpha", artifactBucket={"bucket": "alpha-artifacts", "pathStyle": True}))
    config = argo_workflows.runner_s3_config(tenant)
    assert "s3PathStyleAccess = true" in config and "endpoint" not in config


def option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def test_the_local_executor_works_in_the_pods_scratch_volume():
    # Nextflow's local executor refuses an s3:// work dir ("requires the use of POSIX compatible file system").
    step = run_step(DEDICATED)
    args = step["container"]["args"]
    assert option(args, "-w") == "/argo-tenants/work"
    assert {"name": "scratch", "emptyDir": {"sizeLimit": "20Gi"}} in step["volumes"]
    assert {"name": "scratch", "mountPath": "/argo-tenants"} in step["container"]["volumeMounts"]


def test_the_k8s_executor_works_on_the_artifact_bucket_under_the_registration_prefix():
    tenant = tenant_of(registration("alpha", artifactBucket={"bucket": "alpha-artifacts", "keyPrefix": "runs/"}, nextflow={"executor": "k8s"}))
    args = run_step(tenant)["container"]["args"]
    assert option(args, "-w") == "s3://alpha-artifacts-dev/runs/work/{{workflow.name}}"


def test_the_k8s_executor_starts_tasks_as_pods_of_the_task_account_with_fusion():
    tenant = tenant_of(registration("alpha", nextflow={"executor": "k8s"}))
    step = run_step(tenant)
    config = argo_workflows.runner_config(tenant)
    assert step["inputs"]["artifacts"][0]["raw"]["data"] == config
    assert option(step["container"]["args"], "-c") == "/argo-tenants-config/runner.config"
    for line in (
        "executor = 'k8s'",
        "namespace = 'wf-acme-alpha'",
        "serviceAccount = 'nextflow-task'",
        "computeResourceType = 'Pod'",
        "pod = [[automountServiceAccountToken: false]]",
        "privileged = false",
    ):
        assert f"    {line}\n" in config, line
    assert "fusion {\n    enabled = true" in config and "wave {\n    enabled = true" in config


def test_params_file_and_profile_reach_nextflow():
    tenant = tenant_of(registration("alpha", nextflow={"paramsFile": "conf/params.json", "profile": "test,docker"}))
    step = run_step(tenant)
    args = step["container"]["args"]
    # Nextflow clones the revision into NXF_ASSETS/<owner>/<repo> before it reads the params file.
    assert option(args, "-params-file") == "/argo-tenants/assets/acme/alpha/conf/params.json"
    assert {"name": "NXF_ASSETS", "value": "/argo-tenants/assets"} in step["container"]["env"]
    assert option(args, "-profile") == "test,docker"


def test_without_params_file_or_profile_nextflow_gets_neither():
    args = run_step(DEDICATED)["container"]["args"]
    assert "-params-file" not in args and "-profile" not in args


def test_the_runner_gets_the_stack_default_resources_as_requests_and_limits():
    assert run_step(DEDICATED)["container"]["resources"] == {
        "requests": {"cpu": "1", "memory": "2Gi"},
        "limits": {"cpu": "1", "memory": "2Gi"},
    }


def test_a_registration_sets_its_runner_resources():
    tenant = tenant_of(registration("alpha", nextflow={"resources": {"cpu": "2500m", "memory": "12Gi"}}))
    assert run_step(tenant)["container"]["resources"]["limits"] == {"cpu": "2500m", "memory": "12Gi"}


def test_reports_and_results_are_output_artifacts_readers_download_from_the_argo_ui():
    step = run_step(DEDICATED)
    args = step["container"]["args"]
    artifacts = {a["name"]: a for a in step["outputs"]["artifacts"]}
    assert set(artifacts) == {"report", "timeline", "trace", "results"}
    for name, flag in (("report", "-with-report"), ("timeline", "-with-timeline"), ("trace", "-with-trace")):
        assert option(args, flag) == artifacts[name]["path"]
    assert option(args, "--outdir") == artifacts["results"]["path"] == "/argo-tenants/results"
    for artifact in artifacts.values():
        # Files as they are (HTML opens in the browser), and a run that fails early still ends cleanly.
        assert artifact["archive"] == {"none": {}} and artifact["optional"] is True
        # On the scratch volume, which Argo's wait container sees too.
        assert artifact["path"].startswith("/argo-tenants/")
        # No location of their own: they go to the namespace's artifact repository, under keyFormat.
        assert "s3" not in artifact


def test_the_runner_drops_every_capability():
    assert run_step(DEDICATED)["container"]["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
