"""Which inputs make a provider replace a resource instead of updating it, for every resource type the
program registers, so that the plan calls such a change a `replace` (docs/plan-format.md).

A replacement is not an update with a new value: Kubernetes cannot rename a namespace, so a new name
deletes the namespace with everything in it; a Vault secret at a new path is a new secret. Pulumi
learns it from the provider at preview time; offline, this table stands in for the providers:

- AWS, MinIO, Vault, GitHub, random: the Terraform providers they bridge mark these arguments
  ForceNew (in the random provider, every argument), and Pulumi replaces on exactly those;
- Kubernetes: pulumi-kubernetes replaces every object whose `metadata.name` or `metadata.namespace`
  changes, a Secret whose `type` or data changes (unless the provider sets enableSecretMutable, which
  this program does not), a ConfigMap whose `data` changes unless the provider sets
  enableConfigMapMutable (every stack does: Pulumi.yaml sets it, and the settings refuse a stack
  without it), and a
  RoleBinding whose `roleRef` changes (immutable in the API); a custom resource's `apiVersion` and
  `kind` name its type, so a change is a new object.

tests/plan/test_replacements.py fails when the program registers a type this table does not name:
a new resource type needs its row before the plan can be trusted to tell updates from replacements.
"""

from __future__ import annotations

from dataclasses import dataclass

# Stands for "every input": any change replaces the resource.
EVERY_INPUT = "*"


@dataclass(frozen=True)
class Replacing:
    inputs: tuple[str, ...]  # input paths as registered (camelCase); a change at or below one replaces
    source: str  # where the provider says so


_METADATA = ("metadata.name", "metadata.namespace")
_CUSTOM_RESOURCE = Replacing(
    ("apiVersion", "kind", *_METADATA), "pulumi-kubernetes: metadata.name/namespace; apiVersion and kind are the type"
)
_S3_BUCKET_SETTING = Replacing(
    ("bucket", "expectedBucketOwner", "region"), "terraform-provider-aws: bucket, expected_bucket_owner, region ForceNew"
)

REPLACING: dict[str, Replacing] = {
    "aws:s3/bucket:Bucket": Replacing(
        ("bucket", "bucketPrefix", "objectLockEnabled", "region"),
        "terraform-provider-aws aws_s3_bucket: bucket, bucket_prefix, object_lock_enabled, region ForceNew",
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _S3_BUCKET_SETTING,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _S3_BUCKET_SETTING,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": Replacing(
        ("bucket", "region"), "terraform-provider-aws: bucket, region ForceNew"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": Replacing(
        ("bucket", "region"), "terraform-provider-aws: bucket, region ForceNew"
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _S3_BUCKET_SETTING,
    # UpdateUser renames a user (and moves it to another path) in place: no argument is ForceNew.
    "aws:iam/user:User": Replacing((), "terraform-provider-aws aws_iam_user: name and path update in place"),
    "aws:iam/userPolicy:UserPolicy": Replacing(
        ("name", "namePrefix", "user"), "terraform-provider-aws aws_iam_user_policy: name, name_prefix, user ForceNew"
    ),
    "aws:iam/accessKey:AccessKey": Replacing(
        ("pgpKey", "user"), "terraform-provider-aws aws_iam_access_key: pgp_key, user ForceNew"
    ),
    "minio:index/s3Bucket:S3Bucket": Replacing(
        ("bucket", "bucketPrefix"), "terraform-provider-minio minio_s3_bucket: bucket, bucket_prefix ForceNew"
    ),
    "minio:index/s3BucketVersioning:S3BucketVersioning": Replacing(
        ("bucket",), "terraform-provider-minio minio_s3_bucket_versioning: bucket ForceNew"
    ),
    # MinIO has no rename: unlike an IAM user, a MinIO user with a new name is a new user.
    "minio:index/iamUser:IamUser": Replacing(("name",), "terraform-provider-minio minio_iam_user: name ForceNew"),
    "minio:index/iamPolicy:IamPolicy": Replacing(
        ("name", "namePrefix"), "terraform-provider-minio minio_iam_policy: name, name_prefix ForceNew"
    ),
    "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment": Replacing(
        (EVERY_INPUT,), "terraform-provider-minio minio_iam_user_policy_attachment: no update, every argument ForceNew"
    ),
    "minio:index/iamServiceAccount:IamServiceAccount": Replacing(
        ("targetUser",), "terraform-provider-minio minio_iam_service_account: target_user ForceNew"
    ),
    "vault:kv/secretV2:SecretV2": Replacing(
        ("mount", "name", "namespace"), "terraform-provider-vault vault_kv_secret_v2: mount, name, namespace ForceNew"
    ),
    "vault:index/policy:Policy": Replacing(
        ("name", "namespace"), "terraform-provider-vault vault_policy: name, namespace ForceNew"
    ),
    "vault:kubernetes/authBackendRole:AuthBackendRole": Replacing(
        ("backend", "namespace", "roleName"),
        "terraform-provider-vault vault_kubernetes_auth_backend_role: backend, namespace, role_name ForceNew",
    ),
    "github:index/repositoryWebhook:RepositoryWebhook": Replacing(
        ("repository",), "terraform-provider-github github_repository_webhook: repository ForceNew"
    ),
    # A provider is configuration, not an object in GitHub: a new owner or token is an update of it.
    "pulumi:providers:github": Replacing((), "a provider's configuration changes in place"),
    "random:index/randomPassword:RandomPassword": Replacing(
        (EVERY_INPUT,), "terraform-provider-random random_password: every argument ForceNew"
    ),
    "kubernetes:core/v1:Namespace": Replacing(_METADATA, "pulumi-kubernetes: metadata.name/namespace"),
    "kubernetes:core/v1:ServiceAccount": Replacing(_METADATA, "pulumi-kubernetes: metadata.name/namespace"),
    "kubernetes:core/v1:ConfigMap": Replacing(
        _METADATA, "pulumi-kubernetes: metadata.name/namespace (data is updated in place: enableConfigMapMutable)"
    ),
    "kubernetes:core/v1:Secret": Replacing(
        (*_METADATA, "data", "stringData", "type"),
        "pulumi-kubernetes: metadata.name/namespace; type, data, stringData (immutable Secrets)",
    ),
    "kubernetes:core/v1:ResourceQuota": Replacing(_METADATA, "pulumi-kubernetes: metadata.name/namespace"),
    "kubernetes:core/v1:LimitRange": Replacing(_METADATA, "pulumi-kubernetes: metadata.name/namespace"),
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": Replacing(_METADATA, "pulumi-kubernetes: metadata.name/namespace"),
    "kubernetes:rbac.authorization.k8s.io/v1:Role": Replacing(_METADATA, "pulumi-kubernetes: metadata.name/namespace"),
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": Replacing(
        (*_METADATA, "roleRef"), "pulumi-kubernetes: metadata.name/namespace; roleRef (immutable in the API)"
    ),
    "kubernetes:external-secrets.io/v1:SecretStore": _CUSTOM_RESOURCE,
    "kubernetes:external-secrets.io/v1:ExternalSecret": _CUSTOM_RESOURCE,
    "kubernetes:generators.external-secrets.io/v1alpha1:GithubAccessToken": _CUSTOM_RESOURCE,
    "kubernetes:argoproj.io/v1alpha1:EventSource": _CUSTOM_RESOURCE,
    "kubernetes:argoproj.io/v1alpha1:Sensor": _CUSTOM_RESOURCE,
    "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate": _CUSTOM_RESOURCE,
    "kubernetes:networking.k8s.io/v1:Ingress": Replacing(_METADATA, "pulumi-kubernetes: metadata.name/namespace"),
}


def _under(path: str, prefix: str) -> bool:
    return path == prefix or (path.startswith(prefix) and path[len(prefix)] in ".[(")


def replaces(resource_type: str, input_path: str) -> bool:
    """Whether a change at `input_path` (as the diff names it, without `inputs.`) replaces a resource
    of `resource_type`; False for a type the table does not know (a test keeps that from happening)."""
    replacing = REPLACING.get(resource_type)
    if replacing is None:
        return False
    return any(prefix == EVERY_INPUT or _under(input_path, prefix) for prefix in replacing.inputs)

