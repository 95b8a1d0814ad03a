"""examples/minio: the repository's program on a MinIO-backed cluster, planned from that directory's own
settings and tenant file (the seed's MinIO registration): buckets, user, policy and keys through MinIO's
API, nothing in AWS, and Argo and the runner pointed at MinIO."""

from __future__ import annotations

import json

import pytest
import yaml

from tenancy.manifests import argo_workflows
from tenancy.plan.engine import simulate
from tests.support.cli_project import run_cli
from tests.support.policy_checks import iam_allows
from tests.support.program import PROJECT_DIR, children_of, component, registration, run_program

EXAMPLE = PROJECT_DIR / "examples" / "minio"
MINIO = "http://minio.minio-system.svc.cluster.local:9000"


@pytest.fixture(scope="module")
def example():
    result = simulate(EXAMPLE, "local")
    assert result.error is None, result.error
    return result


def of_type(plan, token: str) -> list:
    return [resource for resource in plan.resources if resource.type == token]


def manifest(plan, kind: str) -> dict:
    [found] = [r.inputs for r in plan.resources if r.type.startswith("kubernetes:") and r.inputs.get("kind") == kind]
    return found


def test_the_seed_registration_plans_with_the_repositorys_program(example):
    assert [repo.name for repo in example.by_type("argo-tenants:index:TenantRepo")] == ["dev-pipeline"]
    assert not [r.type for r in example.resources if r.type.startswith(("aws:", "pulumi:providers:aws"))]
    buckets = {r.inputs["bucket"]: r for r in of_type(example, "minio:index/s3Bucket:S3Bucket")}
    assert sorted(buckets) == ["dev-artifacts", "dev-data"]
    assert all(bucket.retain_on_delete and bucket.inputs["acl"] == "private" for bucket in buckets.values())
    versioning = of_type(example, "minio:index/s3BucketVersioning:S3BucketVersioning")
    assert sorted(v.inputs["bucket"] for v in versioning) == ["dev-artifacts", "dev-data"]


def test_credentials_come_from_minio_and_reach_vault(example):
    credentials = component(example, "MinioCredentials", "dev-pipeline-credentials")
    parts = {r.name: r for r in children_of(example, credentials.urn)}
    user, policy, attachment = parts["dev-pipeline-credentials-user"], parts["dev-pipeline-credentials-s3"], parts["dev-pipeline-credentials-s3-attachment"]
    assert user.inputs["name"] == policy.inputs["name"] == "argo-tenants.local.dev-pipeline"
    assert (attachment.inputs["userName"], attachment.inputs["policyName"]) == (user.inputs["name"], policy.inputs["name"])
    for slot in ("a", "b"):
        key = parts[f"dev-pipeline-credentials-key-{slot}"]
        assert key.type == "minio:index/iamServiceAccount:IamServiceAccount"
        assert key.inputs["targetUser"] == user.inputs["name"] and attachment.urn in key.depends_on
    for purpose in ("artifacts", "data"):
        written = parts[f"dev-pipeline-credentials-{purpose}"]
        assert written.inputs["dataJson"] == "[secret]"
        assert parts["dev-pipeline-credentials-key-a"].urn in written.depends_on
    assert example.outputs["tenants"]["dev-pipeline"]["iamUser"] == "argo-tenants.local.dev-pipeline"


def test_the_policy_reaches_the_registrations_buckets_only(example):
    [policy] = of_type(example, "minio:index/iamPolicy:IamPolicy")
    document = json.loads(policy.inputs["policy"])
    assert iam_allows(document, "s3:PutObject", "arn:aws:s3:::dev-artifacts/workflows/run/out.txt")
    assert iam_allows(document, "s3:GetObject", "arn:aws:s3:::dev-data/reads/sample.fastq")
    assert not iam_allows(document, "s3:PutObject", "arn:aws:s3:::dev-artifacts/outside.txt")
    assert not iam_allows(document, "s3:GetObject", "arn:aws:s3:::argo-artifacts/other/secret.txt")


def test_argo_and_the_runner_are_pointed_at_minio(example):
    s3 = yaml.safe_load(manifest(example, "ConfigMap")["data"]["artifactRepositories.dev-pipeline"])["s3"]
    assert (s3["endpoint"], s3["insecure"], s3["bucket"]) == ("minio.minio-system.svc.cluster.local:9000", True, "dev-artifacts")
    [step] = manifest(example, "WorkflowTemplate")["spec"]["templates"]
    [config] = step["inputs"]["artifacts"]
    assert f"endpoint = '{MINIO}'" in config["raw"]["data"] and "s3PathStyleAccess = true" in config["raw"]["data"]
    assert step["container"]["args"][-2:] == ["-c", argo_workflows.RUNNER_CONFIG_PATH]


def test_the_plan_command_plans_the_example(capsys):
    code, out, err = run_cli(capsys, "plan", "--project-dir", str(EXAMPLE), "--stack", "local", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["tenants"] == ["dev-pipeline"]


# The policy of each registration on a MinIO stack, by the checks the IAM policies get: neighbours
# on the fallback bucket (beta, beta-2) and a dedicated bucket (gamma) refuse one another.


@pytest.fixture(scope="module")
def neighbours(tmp_path_factory):
    tenants = tmp_path_factory.mktemp("tenants")
    for document in (
        registration("beta", artifactBucket=None),
        registration("beta-2", artifactBucket=None),
        registration("gamma", artifactBucket={"bucket": "gamma-artifacts"}),
    ):
        (tenants / f"{document['metadata']['name']}.yaml").write_text(yaml.safe_dump(document))
    result = run_program("dev", tenants=tenants, storage="minio", s3Endpoint=MINIO)
    assert result.error is None, result.error
    policies = {r.inputs["name"]: json.loads(r.inputs["policy"]) for r in of_type(result, "minio:index/iamPolicy:IamPolicy")}
    return {name.rsplit(".", 1)[1]: policy for name, policy in policies.items()}


OWN = {
    "beta": ("calypr-dev-argo-artifacts", "beta/"),
    "beta-2": ("calypr-dev-argo-artifacts", "beta-2/"),
    "gamma": ("gamma-artifacts-dev", "workflows/"),
}


@pytest.mark.parametrize("tenant", sorted(OWN))
def test_each_minio_policy_reaches_its_own_prefix(neighbours, tenant):
    bucket, prefix = OWN[tenant]
    policy = neighbours[tenant]
    for action in ("s3:PutObject", "s3:GetObject", "s3:DeleteObject"):
        assert iam_allows(policy, action, f"arn:aws:s3:::{bucket}/{prefix}run/file")
    assert iam_allows(policy, "s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": prefix})


@pytest.mark.parametrize("tenant", sorted(OWN))
def test_each_minio_policy_refuses_every_other_registration(neighbours, tenant):
    policy = neighbours[tenant]
    for other, (bucket, prefix) in OWN.items():
        if other == tenant:
            continue
        for action in ("s3:PutObject", "s3:GetObject", "s3:DeleteObject"):
            assert not iam_allows(policy, action, f"arn:aws:s3:::{bucket}/{prefix}run/file"), (tenant, other, action)
        assert not iam_allows(policy, "s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": prefix}), (tenant, other)
