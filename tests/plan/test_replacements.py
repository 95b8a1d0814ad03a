"""The table of inputs that replace a resource: it covers every type the program registers, and says
what the providers do for the cases the plan must get right."""

import json

import pytest

from tenancy.plan.replacements import EVERY_INPUT, REPLACING, replaces

from tests.support.program import registration, run_program

NAMESPACE = "kubernetes:core/v1:Namespace"


@pytest.fixture(scope="module")
def app_plan(tmp_path_factory):
    """The program with the GitHub App, which registers what a token-only stack does not."""
    tenants = tmp_path_factory.mktemp("tenants")
    document = registration("alpha", dataBucket={"bucket": "alpha-data", "region": "us-west-2"})
    (tenants / "alpha.yaml").write_text(json.dumps(document))
    plan = run_program(
        "dev", tenants, githubApp={"appId": 123456, "installations": {"acme": 1111}}, githubAppPrivateKey="planted-pem"
    )
    assert plan.error is None, plan.error
    return plan


@pytest.fixture(scope="module")
def minio_plan(tmp_path_factory):
    """The program on a MinIO stack: buckets, users and keys through MinIO's API."""
    tenants = tmp_path_factory.mktemp("tenants")
    document = registration("alpha", artifactBucket={"bucket": "alpha-artifacts"})
    (tenants / "alpha.yaml").write_text(json.dumps(document))
    plan = run_program("dev", tenants, storage="minio", s3Endpoint="http://minio.minio-system.svc.cluster.local:9000")
    assert plan.error is None, plan.error
    return plan


@pytest.fixture(scope="module")
def registered_types(dev_plan, prod_plan, app_plan, minio_plan) -> set[str]:
    plans = (dev_plan, prod_plan, app_plan, minio_plan)
    return {resource.type for plan in plans for resource in plan.resources if resource.custom}


def test_every_type_the_program_registers_has_a_row(registered_types):
    # A new resource type needs its row before the plan can tell its updates from its replacements.
    missing = registered_types - set(REPLACING)
    assert missing == set(), f"add to tenancy/plan/replacements.py: {sorted(missing)}"


def test_every_row_is_a_type_the_program_registers(registered_types):
    assert set(REPLACING) - registered_types == set()


@pytest.mark.parametrize(
    ("resource_type", "path", "replaced"),
    [
        # Kubernetes cannot rename: a new name or namespace is a new object.
        (NAMESPACE, "metadata.name", True),
        (NAMESPACE, "metadata.labels.tenant", False),
        ("kubernetes:core/v1:ServiceAccount", "metadata.namespace", True),
        ("kubernetes:argoproj.io/v1alpha1:WorkflowTemplate", "apiVersion", True),
        ("kubernetes:argoproj.io/v1alpha1:WorkflowTemplate", "spec.templates[0].name", False),
        # Updated in place: every stack sets the provider's enableConfigMapMutable (tests/model/test_settings.py).
        ('kubernetes:core/v1:ConfigMap', 'data["default-v1"]', False),
        ("kubernetes:core/v1:ConfigMap", "metadata.name", True),
        ("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "roleRef.name", True),
        ("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "subjects[name=a@example.org]", False),
        ("kubernetes:external-secrets.io/v1:ExternalSecret", "metadata.name", True),
        # Vault: a secret at another mount or path is another secret.
        ("vault:kv/secretV2:SecretV2", "mount", True),
        ("vault:kv/secretV2:SecretV2", "name", True),
        ("vault:kv/secretV2:SecretV2", "dataJson", False),
        # IAM renames a user in place; its keys and inline policy belong to a user and follow it by replacement.
        ("aws:iam/user:User", "name", False),
        ("aws:iam/user:User", "path", False),
        ("aws:iam/accessKey:AccessKey", "user", True),
        ("aws:iam/userPolicy:UserPolicy", "user", True),
        ("aws:iam/userPolicy:UserPolicy", "policy.Statement[Sid=ListData]", False),
        ("aws:s3/bucket:Bucket", "bucket", True),
        ("aws:s3/bucket:Bucket", "region", True),
        ("aws:s3/bucket:Bucket", "tags.tenant", False),
        ("aws:s3/bucketVersioning:BucketVersioning", "bucket", True),
        ("github:index/repositoryWebhook:RepositoryWebhook", "repository", True),
        ("github:index/repositoryWebhook:RepositoryWebhook", "active", False),
        ("random:index/randomPassword:RandomPassword", "length", True),
        # MinIO cannot rename a user: a new name is a new user.
        ("minio:index/iamUser:IamUser", "name", True),
        ("minio:index/s3Bucket:S3Bucket", "bucket", True),
        ("minio:index/iamServiceAccount:IamServiceAccount", "targetUser", True),
        ("an:unknown:Type", "name", False),
    ],
)
def test_what_replaces(resource_type, path, replaced):
    assert replaces(resource_type, path) is replaced


def test_every_row_says_where_it_comes_from():
    assert all(row.source for row in REPLACING.values())
    assert all(EVERY_INPUT not in row.inputs or row.inputs == (EVERY_INPUT,) for row in REPLACING.values())
