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


def workflow_template(tenant: Tenant) -> dict:
    """Runs the repository's Nextflow pipeline at the pushed revision, publishing to the artifact location."""
    artifacts = tenant.artifacts
    parameter = "{{workflow.parameters.%s}}"
    env = [
        *_credential_env(artifacts),
        {"name": "AWS_REGION", "value": artifacts.region},
        {"name": "ARTIFACT_LOCATION", "value": f"{artifacts.s3_uri}{{{{workflow.name}}}}/"},
    ]
    if tenant.data is not None:
        env += [
            {"name": "DATA_LOCATION", "value": tenant.data.s3_uri},
            *_credential_env(tenant.data, prefix="DATA_"),
        ]
    volumes, mounts, scm_env = scm_credentials(tenant)
    runner = {
        "image": tenant.settings.runner_image,
        "command": ["nextflow"],
        "args": [
            "run",
            tenant.repo_url,
            "-r",
            parameter % PARAM_GIT_REVISION,
            "--outdir",
            f"{artifacts.s3_uri}{{{{workflow.name}}}}",
        ],
        "env": [*env, *git_env(), *scm_env],
    }
    if mounts:
        runner["volumeMounts"] = mounts
    run = {"name": "run", "container": runner}
    if volumes:
        run["volumes"] = volumes
    template = {
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
            "templates": [run],
        }),
    }
    return _with_runner_s3_config(template, tenant)


# The runner's S3 client settings, handed to Nextflow as a file: `nextflow run -c` adds it to the
# pipeline's own nextflow.config and takes precedence over it.
RUNNER_S3_CONFIG_ARTIFACT = "s3-client-config"
RUNNER_S3_CONFIG_PATH = "/argo-tenants/s3-client.config"


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


def _with_runner_s3_config(template: dict, tenant: Tenant) -> dict:
    """The WorkflowTemplate whose runner step reads `runner_s3_config` (a raw input artifact, written
    into the pod before the step starts), unchanged when there is none."""
    config = runner_s3_config(tenant)
    if config is None:
        return template
    for step in template["spec"]["templates"]:
        if step["name"] != "run":
            continue
        artifacts = step.setdefault("inputs", {}).setdefault("artifacts", [])
        artifacts.append({"name": RUNNER_S3_CONFIG_ARTIFACT, "path": RUNNER_S3_CONFIG_PATH, "raw": {"data": config}})
        step["container"]["args"] = [*step["container"]["args"], "-c", RUNNER_S3_CONFIG_PATH]
    return template
