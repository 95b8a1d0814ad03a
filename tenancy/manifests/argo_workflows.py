"""Argo Workflows objects of a tenant: the artifact repository ConfigMap and the WorkflowTemplate a push submits."""

from __future__ import annotations

import yaml

from tenancy.model import labels, naming
from tenancy.model.tenant import BucketLocation, Tenant

DEFAULT_REPOSITORY_ANNOTATION = "workflows.argoproj.io/default-artifact-repository"

# Workflow parameters the Sensor fills from a push (see argo_events.PUSH_PARAMETERS).
PARAM_REPO_URL = "repo-url"
PARAM_REVISION = "revision"
PARAM_REF = "ref"
PARAM_DEFAULT_BRANCH = "default-branch"

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
        "data": {
            naming.ARTIFACT_REPOSITORY_KEY: yaml.dump(artifact_repository(tenant.artifacts), Dumper=_SafeDumper, sort_keys=False),
        },
    }


def _credential_env(location: BucketLocation, prefix: str = "") -> list[dict]:
    return [
        {"name": f"{prefix}{key}", "valueFrom": {"secretKeyRef": {"name": location.secret_name, "key": key}}}
        for key in (naming.ACCESS_KEY_ID_KEY, naming.SECRET_ACCESS_KEY_KEY)
    ]


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
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {
            "name": tenant.workflow_template,
            "namespace": tenant.namespace,
            "labels": labels.tenant_labels(tenant),
            "annotations": labels.tenant_annotations(tenant),
        },
        "spec": {
            "serviceAccountName": naming.RUNNER_SERVICE_ACCOUNT,
            "entrypoint": "run",
            "artifactRepositoryRef": {
                "configMap": naming.ARTIFACT_REPOSITORIES_CONFIGMAP,
                "key": naming.ARTIFACT_REPOSITORY_KEY,
            },
            "workflowMetadata": {"labels": labels.tenant_labels(tenant)},
            "arguments": {
                "parameters": [
                    {"name": PARAM_REPO_URL, "value": tenant.repo_url},
                    {"name": PARAM_REVISION, "value": tenant.default_branch},
                    {"name": PARAM_REF, "value": f"refs/heads/{tenant.default_branch}"},
                    {"name": PARAM_DEFAULT_BRANCH, "value": tenant.default_branch},
                ]
            },
            "templates": [
                {
                    "name": "run",
                    "container": {
                        "image": tenant.settings.runner_image,
                        "command": ["nextflow"],
                        "args": [
                            "run",
                            parameter % PARAM_REPO_URL,
                            "-r",
                            parameter % PARAM_REVISION,
                            "--outdir",
                            f"{artifacts.s3_uri}{{{{workflow.name}}}}",
                        ],
                        "env": env,
                    },
                }
            ],
        },
    }
