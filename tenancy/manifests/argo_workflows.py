"""Argo Workflows objects of a tenant: the artifact repository ConfigMap and the WorkflowTemplate a push submits."""

from __future__ import annotations

import yaml

from tenancy.manifests import commit_status, github_app
from tenancy.model import labels, naming
from tenancy.model.tenant import BucketLocation, Tenant

DEFAULT_REPOSITORY_ANNOTATION = "workflows.argoproj.io/default-artifact-repository"

# Workflow parameters the Sensor fills from a push (see argo_events.PUSH_PARAMETERS): the commit (the platform
# guide's `git_revision`), the full ref, and the branch or tag name. The repository is the template's own.
PARAM_GIT_REVISION = "git_revision"
PARAM_GIT_REF = "git_ref"
PARAM_GIT_REF_NAME = "git_ref_name"
# The same values as the runner's environment, for pipelines that record what they ran.
GIT_ENV = {"GIT_REVISION": PARAM_GIT_REVISION, "GIT_REF": PARAM_GIT_REF, "GIT_REF_NAME": PARAM_GIT_REF_NAME}
SCM_VOLUME = "git-credentials"
SCM_DIRECTORY = "/etc/nextflow-scm"

# libyaml's emitter where PyYAML has it: the same text (tests/manifests/test_argo_workflows.py) at a fifth of
# the cost, paid once per tenant on every plan and preview.
_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def key_format(location: BucketLocation) -> str:
    """Where Argo puts each step's artifacts and logs: <prefix><workflow>/<pod>, so a run's outputs
    share one s3://bucket/prefix/workflow-name/ folder (`keyPrefix` is deprecated in Argo)."""
    return f"{location.key_prefix}{{{{workflow.name}}}}/{{{{pod.name}}}}"


def artifact_repository(location: BucketLocation) -> dict:
    """A valid Argo `ArtifactRepository`: nothing Argo doesn't know (it has no `pathStyle`)."""
    return {
        "archiveLogs": True,
        "s3": {
            "bucket": location.bucket,
            "endpoint": location.endpoint,
            "region": location.region,
            "insecure": location.insecure,
            "keyFormat": key_format(location),
            "accessKeySecret": {"name": location.secret_name, "key": naming.ACCESS_KEY_ID_KEY},
            "secretKeySecret": {"name": location.secret_name, "key": naming.SECRET_ACCESS_KEY_KEY},
        },
    }


def artifact_repositories_configmap(tenant: Tenant) -> dict:
    repository = yaml.dump(artifact_repository(tenant.artifacts), Dumper=_SafeDumper, sort_keys=False)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": naming.ARTIFACT_REPOSITORIES_CONFIGMAP,
            "namespace": tenant.namespace,
            "labels": labels.tenant_labels(tenant),
            "annotations": {
                **labels.tenant_annotations(tenant),
                DEFAULT_REPOSITORY_ANNOTATION: naming.ARTIFACT_REPOSITORY_KEY,
            },
        },
        "data": {key: repository for key in artifact_repository_keys(tenant)},
    }


def artifact_repository_keys(tenant: Tenant) -> tuple[str, ...]:
    """The namespace default (`default-v1`, which a workflow without `artifactRepositoryRef` gets) and
    the key the seed documents tell workflows to name (`artifactRepositories.<name>`); both hold the
    same repository."""
    return (naming.ARTIFACT_REPOSITORY_KEY, naming.artifact_repository_ref_key(tenant.name))


def _credential_env(location: BucketLocation, prefix: str = "") -> list[dict]:
    return [
        {"name": f"{prefix}{key}", "valueFrom": {"secretKeyRef": {"name": location.secret_name, "key": key}}}
        for key in (naming.ACCESS_KEY_ID_KEY, naming.SECRET_ACCESS_KEY_KEY)
    ]


def git_parameters(tenant: Tenant) -> list[dict]:
    """Defaults are what a run submitted by hand uses: the tracked branch (Nextflow's -r takes a branch too)."""
    branch = tenant.default_branch
    return [
        {"name": PARAM_GIT_REVISION, "value": branch},
        {"name": PARAM_GIT_REF, "value": f"refs/heads/{branch}"},
        {"name": PARAM_GIT_REF_NAME, "value": branch},
    ]


def git_env() -> list[dict]:
    return [{"name": env, "value": "{{workflow.parameters.%s}}" % parameter} for env, parameter in GIT_ENV.items()]


def scm_credentials(tenant: Tenant) -> tuple[list[dict], list[dict], list[dict]]:
    """(volumes, mounts, env) that give Nextflow the repository's read-only token through its SCM file: a
    file, not an environment variable, so the pipeline's tasks and `env` dumps never carry it. Nothing
    without the GitHub App: public repositories need no credential."""
    if tenant.settings.github_app is None:
        return [], [], []
    return (
        [{"name": SCM_VOLUME, "secret": {"secretName": naming.GIT_CREDENTIALS_SECRET}}],
        [{"name": SCM_VOLUME, "mountPath": SCM_DIRECTORY, "readOnly": True}],
        [{"name": "NXF_SCM_FILE", "value": f"{SCM_DIRECTORY}/{github_app.SCM_FILE_KEY}"}],
    )


def _with_status_report(tenant: Tenant, spec: dict) -> dict:
    """`spec` with the exit handler that reports the outcome on the commit (with the GitHub App only)."""
    if tenant.settings.github_app is None:
        return spec
    return {
        **spec,
        "onExit": commit_status.TEMPLATE_NAME,
        "templates": [*spec["templates"], commit_status.exit_handler(tenant, PARAM_GIT_REVISION)],
    }


# The runner's scratch volume (an emptyDir, `runner.scratchSize`): Nextflow's clone of the pipeline
# (NXF_ASSETS, where -params-file finds the repository's file), the local executor's work dir, and the
# reports and --outdir results that Argo uploads as the step's output artifacts when it ends.
SCRATCH_VOLUME = "scratch"
SCRATCH = "/argo-tenants"
ASSETS_DIRECTORY = f"{SCRATCH}/assets"
LOCAL_WORK_DIRECTORY = f"{SCRATCH}/work"
RESULTS_DIRECTORY = f"{SCRATCH}/results"
REPORTS_DIRECTORY = f"{SCRATCH}/reports"
# Nextflow's run reports (-with-report, -with-timeline, -with-trace), each an output artifact of its own
# so the Argo UI shows it beside the run: (artifact name, file, nextflow option).
REPORTS = (
    ("report", "report.html", "-with-report"),
    ("timeline", "timeline.html", "-with-timeline"),
    ("trace", "trace.txt", "-with-trace"),
)
RESULTS_ARTIFACT = "results"
# The runner's Nextflow settings, handed to it as a file: `nextflow run -c` adds it to the pipeline's own
# nextflow.config and takes precedence over it.
RUNNER_CONFIG_ARTIFACT = "runner-config"
RUNNER_CONFIG_PATH = f"{SCRATCH}-config/runner.config"


def work_dir(tenant: Tenant) -> str:
    """Nextflow's work dir. With the k8s executor: on the artifact bucket, under the registration's prefix
    (its credentials reach exactly that), one folder per run. With the local executor: the pod's scratch
    volume, because Nextflow's local executor refuses an object-storage work dir without Fusion ("Local
    executor requires the use of POSIX compatible file system", LocalExecutor.register), and Fusion
    needs a container engine there."""
    if tenant.spec.nextflow.executor == "k8s":
        return f"{tenant.artifacts.s3_uri}work/{{{{workflow.name}}}}"
    return LOCAL_WORK_DIRECTORY


def nextflow_arguments(tenant: Tenant) -> list[str]:
    """`nextflow run` at the pushed revision, with the registration's params file and profile."""
    nextflow = tenant.spec.nextflow
    args = ["run", tenant.repo_url, "-r", "{{workflow.parameters.%s}}" % PARAM_GIT_REVISION]
    args += ["-w", work_dir(tenant), "--outdir", RESULTS_DIRECTORY]
    for _, file, option in REPORTS:
        args += [option, f"{REPORTS_DIRECTORY}/{file}"]
    if nextflow.params_file is not None:
        # Read after Nextflow has cloned and checked out the revision into NXF_ASSETS/<owner>/<repo>
        # (CmdRun.run: getScriptFile, then the ConfigBuilder that parses the params file).
        args += ["-params-file", f"{ASSETS_DIRECTORY}/{tenant.owner}/{tenant.repo}/{nextflow.params_file}"]
    if nextflow.profile is not None:
        args += ["-profile", nextflow.profile]
    if runner_config(tenant) is not None:
        args += ["-c", RUNNER_CONFIG_PATH]
    return args


def output_artifacts(tenant: Tenant) -> list[dict]:
    """The run's reports and its --outdir results, uploaded by Argo to the namespace's artifact repository
    and listed under the step's outputs in the Argo UI, where every reader downloads them. On a volume the
    wait container mirrors and with `archive: none`, Argo keys each at <keyFormat>/<file name>
    (workflow/executor/executor.go, stageArchiveFile): <prefix><workflow>/<pod>/report.html, …/results/.
    `archive: none` keeps them files (HTML opens in the browser, results stay a folder of objects);
    `optional` because a run that fails early writes none."""
    artifacts = [
        {"name": name, "path": f"{REPORTS_DIRECTORY}/{file}", "archive": {"none": {}}, "optional": True}
        for name, file, _ in REPORTS
    ]
    artifacts.append({"name": RESULTS_ARTIFACT, "path": RESULTS_DIRECTORY, "archive": {"none": {}}, "optional": True})
    return artifacts


def runner_resources(tenant: Tenant) -> dict:
    """Requests equal to limits: the runner's pod is never the first evicted, and never takes more than it asked."""
    resources = tenant.runner_resources
    amounts = {"cpu": resources.cpu, "memory": resources.memory}
    return {"requests": dict(amounts), "limits": dict(amounts)}


def run_step(tenant: Tenant) -> dict:
    artifacts = tenant.artifacts
    env = [
        *_credential_env(artifacts),
        {"name": "AWS_REGION", "value": artifacts.region},
        {"name": "ARTIFACT_LOCATION", "value": f"{artifacts.s3_uri}{{{{workflow.name}}}}/"},
        {"name": "NXF_ASSETS", "value": ASSETS_DIRECTORY},
    ]
    if tenant.data is not None:
        env += [
            {"name": "DATA_LOCATION", "value": tenant.data.s3_uri},
            *_credential_env(tenant.data, prefix="DATA_"),
        ]
    volumes, mounts, scm_env = scm_credentials(tenant)
    container = {
        "image": tenant.settings.runner_image,
        "command": ["nextflow"],
        "args": nextflow_arguments(tenant),
        "env": [*env, *git_env(), *scm_env],
        "resources": runner_resources(tenant),
        # Nothing a pipeline needs from root's powers: what Pod Security's restricted level asks, except
        # runAsNonRoot (the Nextflow image runs as root).
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [{"name": SCRATCH_VOLUME, "mountPath": SCRATCH}, *mounts],
    }
    step = {
        "name": "run",
        "container": container,
        "volumes": [{"name": SCRATCH_VOLUME, "emptyDir": {"sizeLimit": tenant.settings.runner.scratch_size}}, *volumes],
        "outputs": {"artifacts": output_artifacts(tenant)},
    }
    config = runner_config(tenant)
    if config is not None:
        step["inputs"] = {"artifacts": [{"name": RUNNER_CONFIG_ARTIFACT, "path": RUNNER_CONFIG_PATH, "raw": {"data": config}}]}
    return step


def workflow_template(tenant: Tenant) -> dict:
    """Runs the repository's Nextflow pipeline at the pushed revision; its reports and results are the
    run step's output artifacts."""
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {
            "name": tenant.workflow_template,
            "namespace": tenant.namespace,
            "labels": labels.tenant_labels(tenant),
            "annotations": labels.tenant_annotations(tenant),
        },
        "spec": _with_status_report(tenant, {
            "serviceAccountName": naming.RUNNER_SERVICE_ACCOUNT,
            "entrypoint": "run",
            "artifactRepositoryRef": {
                "configMap": naming.ARTIFACT_REPOSITORIES_CONFIGMAP,
                "key": naming.ARTIFACT_REPOSITORY_KEY,
            },
            "workflowMetadata": {"labels": labels.tenant_labels(tenant)},
            "arguments": {"parameters": git_parameters(tenant)},
            "templates": [run_step(tenant)],
        }),
    }


def _groovy_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def runner_s3_config(tenant: Tenant) -> str | None:
    """Nextflow's `aws` settings for an S3-compatible service (its endpoint, path-style requests), or for
    a registration that asks for path-style requests; None for AWS S3 addressed as usual, where the
    region from AWS_REGION is all the client needs."""
    location = tenant.artifacts
    compatible = location.service.aws_region is None
    if not compatible and not location.path_style:
        return None
    client = [f"endpoint = {_groovy_string(location.service.origin)}"] if compatible else []
    client.append(f"s3PathStyleAccess = {'true' if location.path_style else 'false'}")
    lines = ["aws {", f"    region = {_groovy_string(location.region)}", "    client {"]
    lines += [f"        {line}" for line in client]
    lines += ["    }", "}"]
    return "\n".join(lines) + "\n"


def k8s_executor_config(tenant: Tenant) -> str | None:
    """With the k8s executor: each process a pod in the tenant namespace (not a Job: the runner's Role
    grants pods only), run as the task service account without its token (a task calls no API), its work
    dir on S3 through Fusion. Fusion unprivileged: under Pod Security baseline the task pods cannot be
    privileged, so the cluster provides /dev/fuse through a FUSE device plugin (docs/onboarding.md)."""
    if tenant.spec.nextflow.executor != "k8s":
        return None
    lines = [
        "process {",
        "    executor = 'k8s'",
        "    pod = [[automountServiceAccountToken: false]]",
        "}",
        "k8s {",
        f"    namespace = {_groovy_string(tenant.namespace)}",
        f"    serviceAccount = {_groovy_string(naming.NEXTFLOW_TASK_SERVICE_ACCOUNT)}",
        "    computeResourceType = 'Pod'",
        "}",
        "fusion {",
        "    enabled = true",
        "    privileged = false",
        "    exportStorageCredentials = true",
        "}",
        "wave {",
        "    enabled = true",
        "}",
    ]
    return "\n".join(lines) + "\n"


def runner_config(tenant: Tenant) -> str | None:
    """The file `nextflow run -c` reads: the S3 client's settings and the executor's, or None when neither is needed."""
    parts = [part for part in (runner_s3_config(tenant), k8s_executor_config(tenant)) if part is not None]
    return "".join(parts) if parts else None
