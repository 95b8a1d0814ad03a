"""The benchmark's floor: the same registrations as the program, made with the bare Pulumi SDKs.

Given what the program registered (tenancy.plan.engine.Registration), `replay` registers resources
of the same types and names, with the same parents, inputs (secrets still secret), options,
dependencies and providers, each through its provider SDK's own class (aws.s3.Bucket, ...; a
component through a plain ComponentResource of the same type): no tenant files, no validation,
no policies or manifests computed, no Outputs passed between resources. Run under the same
recording mock engine (tenancy.plan.engine.run_under_mocks), its time is what Pulumi and the
provider SDKs charge for this resource graph; the program can only add to it.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_github as github
import pulumi_kubernetes as k8s
import pulumi_random as random
import pulumi_vault as vault

from tenancy.plan.engine import Registration
from tenancy.project.stacks import SECRET

# A subclass with its own __init__, as every component class of the program is: the SDK records the
# caller's stack for each registration once it has passed three __init__ frames, and the floor
# pays that as the program does.
class _Component(pulumi.ComponentResource):
    def __init__(self, type_: str, name: str, opts: pulumi.ResourceOptions):
        super().__init__(type_, name, None, opts)
        self.register_outputs({})


# The provider SDK class of every type the program registers. A type missing here stops the
# benchmark (KeyError), so a new kind of resource cannot silently leave the floor.
PROVIDER_CLASSES: dict[str, type[pulumi.CustomResource]] = {
    "aws:s3/bucket:Bucket": aws.s3.Bucket,
    "aws:s3/bucketVersioning:BucketVersioning": aws.s3.BucketVersioning,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": aws.s3.BucketServerSideEncryptionConfiguration,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": aws.s3.BucketPublicAccessBlock,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": aws.s3.BucketOwnershipControls,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": aws.s3.BucketLifecycleConfiguration,
    "aws:iam/user:User": aws.iam.User,
    "aws:iam/accessKey:AccessKey": aws.iam.AccessKey,
    "aws:iam/userPolicy:UserPolicy": aws.iam.UserPolicy,
    "vault:kv/secretV2:SecretV2": vault.kv.SecretV2,
    "vault:index/policy:Policy": vault.Policy,
    "vault:kubernetes/authBackendRole:AuthBackendRole": vault.kubernetes.AuthBackendRole,
    "random:index/randomPassword:RandomPassword": random.RandomPassword,
    "github:index/repositoryWebhook:RepositoryWebhook": github.RepositoryWebhook,
    "pulumi:providers:github": github.Provider,
    "kubernetes:core/v1:Namespace": k8s.core.v1.Namespace,
    "kubernetes:core/v1:ServiceAccount": k8s.core.v1.ServiceAccount,
    "kubernetes:core/v1:ResourceQuota": k8s.core.v1.ResourceQuota,
    "kubernetes:core/v1:LimitRange": k8s.core.v1.LimitRange,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": k8s.networking.v1.NetworkPolicy,
    "kubernetes:core/v1:ConfigMap": k8s.core.v1.ConfigMap,
    "kubernetes:core/v1:Secret": k8s.core.v1.Secret,
    "kubernetes:rbac.authorization.k8s.io/v1:Role": k8s.rbac.v1.Role,
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": k8s.rbac.v1.RoleBinding,
}
# Every other Kubernetes type is a custom resource (Argo, External Secrets).
_KUBERNETES_PREFIX = "kubernetes:"
_CUSTOM_RESOURCE = k8s.apiextensions.CustomResource
# Set by the typed Kubernetes classes themselves.
_SET_BY_CLASS = ("apiVersion", "kind")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _typed(registration: Registration, opts: pulumi.ResourceOptions) -> pulumi.Resource:
    inputs = _with_secrets(registration.inputs)
    cls = PROVIDER_CLASSES.get(registration.type)
    if cls is None and registration.type.startswith(_KUBERNETES_PREFIX):
        return _CUSTOM_RESOURCE(
            registration.name,
            api_version=inputs["apiVersion"],
            kind=inputs["kind"],
            metadata=inputs.get("metadata"),
            spec=inputs.get("spec"),
            opts=opts,
        )
    if cls is None:
        raise KeyError(f"{registration.type}: no provider SDK class in bench.sdk_floor.PROVIDER_CLASSES")
    if registration.type.startswith(_KUBERNETES_PREFIX):
        inputs = {key: value for key, value in inputs.items() if key not in _SET_BY_CLASS}
    # Top-level arguments are Python names; nested dicts may keep the wire (camelCase) names.
    return cls(registration.name, opts=opts, **{_snake(key): value for key, value in inputs.items()})


def _with_secrets(value: Any) -> Any:
    """Recorded inputs show secrets as "[secret]"; give the SDK a secret Output in their place."""
    if value == SECRET:
        return pulumi.Output.secret(SECRET)
    if isinstance(value, dict):
        return {key: _with_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_secrets(item) for item in value]
    return value


def replay(registrations: list[Registration]) -> None:
    """Register every recorded resource again, in the recorded order (parents come first)."""
    by_urn: dict[str, pulumi.Resource] = {}
    for registration in registrations:
        opts = pulumi.ResourceOptions(
            parent=by_urn.get(registration.parent) if registration.parent else None,
            protect=registration.protect or None,
            retain_on_delete=registration.retain_on_delete or None,
            delete_before_replace=registration.delete_before_replace or None,
            depends_on=[by_urn[urn] for urn in registration.depends_on if urn in by_urn] or None,
            provider=by_urn.get(registration.provider) if registration.provider else None,
            replacement_trigger=registration.replacement_trigger,
        )
        if registration.custom:
            resource = _typed(registration, opts)
        else:
            resource = _Component(registration.type, registration.name, opts)
        by_urn[registration.urn] = resource
