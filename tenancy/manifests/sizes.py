"""The sizes of what is built for one registration, against the limits of what receives it (tenancy.model.limits).

Names are checked where they are derived (tenancy.loading.rules.derived_limits); here, the objects and
policies whose size grows with what a tenant file says (a long keyPrefix, a branch name, a thousand
emails). The loader runs this for every registration (`checks=(sizes.registration_problems,)`), in
`validate` and in the program alike, and blames the field that makes the object grow.
"""

from __future__ import annotations

from typing import Iterator

from tenancy.manifests import argo_events, argo_workflows, iam_policy, rbac
from tenancy.model import limits
from tenancy.model.problems import Problem
from tenancy.model.tenant import Tenant

def kubernetes_objects(tenant: Tenant) -> list[dict]:
    """Every Kubernetes object of the registration whose size depends on its file."""
    return [
        *argo_events.event_route(tenant),
        argo_workflows.artifact_repositories_configmap(tenant),
        argo_workflows.workflow_template(tenant),
        *rbac.sso_service_accounts(tenant),
    ]


def registration_problems(tenant: Tenant) -> Iterator[Problem]:
    chars = limits.iam_policy_chars(iam_policy.s3_access_policy(tenant))
    if chars > limits.IAM_USER_INLINE_POLICIES_CHARS_MAX:
        yield Problem(
            ("spec", "artifactBucket", "keyPrefix") if tenant.spec.artifact_bucket else ("spec", "dataBucket", "keyPrefix"),
            f"makes the IAM policy of {tenant.iam_user_name} {chars} characters (whitespace not counted), over IAM's "
            f"{limits.IAM_USER_INLINE_POLICIES_CHARS_MAX} for a user's inline policies; `pulumi up` would fail for the whole stack",
            hint="use shorter keyPrefix values",
        )
    for manifest in kubernetes_objects(tenant):
        yield from _object_problems(manifest)


def _object_problems(manifest: dict) -> Iterator[Problem]:
    what = f"{manifest['kind']} {manifest['metadata']['name']}"
    size = limits.serialized_bytes(manifest)
    if size > limits.ETCD_OBJECT_BYTES_MAX:
        yield Problem(("spec",), f"makes {what} {size} bytes, over the {limits.ETCD_OBJECT_BYTES_MAX} etcd stores")
    if manifest["kind"] in ("EventSource", "Sensor"):
        # The controller hands the pod the whole object, base64, in one environment variable.
        carried = limits.base64_bytes(size)
        if carried > limits.ENV_STRING_BYTES_MAX:
            yield Problem(
                ("spec",),
                f"makes {what} {carried} bytes in its pod's environment, over Linux's {limits.ENV_STRING_BYTES_MAX}: the pod could not start",
            )
    annotations = manifest["metadata"].get("annotations") or {}
    annotation_bytes = sum(len(key.encode()) + len(value.encode()) for key, value in annotations.items())
    if annotation_bytes > limits.ANNOTATIONS_BYTES_MAX:
        yield Problem(
            ("spec", "adminUsers") if manifest["metadata"]["name"] == "tenant-admin" else ("spec", "readUsers"),
            f"makes the annotations of {what} {annotation_bytes} bytes, over Kubernetes' {limits.ANNOTATIONS_BYTES_MAX}",
            hint="list fewer people: grant a group through the platform instead",
        )
