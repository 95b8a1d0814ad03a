from tenancy.manifests import argo_workflows
from tenancy.manifests.iam_policy import s3_access_policy
from tests.support.program import registration, tenant_of
from tests.support.policy_checks import iam_allows

ALPHA = registration("alpha", artifactBucket={"bucket": "alpha-artifacts", "keyPrefix": "workflows/"}, dataBucket={"bucket": "alpha-data"})
BETA = registration("beta", artifactBucket=None)  # fallback bucket
GAMMA = registration("gamma", artifactBucket=None)


def test_only_object_and_list_actions_never_wildcards():
    policy = s3_access_policy(tenant_of(ALPHA))
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            assert action.startswith("s3:") and "*" not in action
        for resource in statement["Resource"]:
            assert resource != "*" and resource.startswith("arn:aws:s3:::")


def test_own_prefix_is_writable_and_listable():
    policy = s3_access_policy(tenant_of(ALPHA))
    key = "arn:aws:s3:::alpha-artifacts-dev/workflows/wf-1/pod-1/main.log"
    for action in ("s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"):
        assert iam_allows(policy, action, key)
    assert iam_allows(policy, "s3:ListBucket", "arn:aws:s3:::alpha-artifacts-dev", {"s3:prefix": "workflows/wf-1/"})


def test_outside_the_prefix_is_refused_in_the_own_bucket():
    policy = s3_access_policy(tenant_of(ALPHA))
    assert not iam_allows(policy, "s3:PutObject", "arn:aws:s3:::alpha-artifacts-dev/other/x")
    assert not iam_allows(policy, "s3:PutObject", "arn:aws:s3:::alpha-artifacts-dev/workflows-evil/x")
    assert not iam_allows(policy, "s3:ListBucket", "arn:aws:s3:::alpha-artifacts-dev", {"s3:prefix": "other/"})
    assert not iam_allows(policy, "s3:ListBucket", "arn:aws:s3:::alpha-artifacts-dev")


def test_data_bucket_without_prefix_is_wholly_its_own():
    policy = s3_access_policy(tenant_of(ALPHA))
    assert iam_allows(policy, "s3:GetObject", "arn:aws:s3:::alpha-data-dev/any/key")
    assert iam_allows(policy, "s3:ListBucket", "arn:aws:s3:::alpha-data-dev")


def test_bucket_level_and_admin_actions_are_refused():
    policy = s3_access_policy(tenant_of(ALPHA))
    for action in ("s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutBucketAcl", "s3:PutObjectAcl", "s3:CreateBucket"):
        assert not iam_allows(policy, action, "arn:aws:s3:::alpha-data-dev")
        assert not iam_allows(policy, action, "arn:aws:s3:::alpha-data-dev/key")


def test_another_tenant_is_refused():
    alpha = s3_access_policy(tenant_of(ALPHA))
    assert not iam_allows(alpha, "s3:GetObject", "arn:aws:s3:::platform-artifacts/beta/wf/pod/main.log")
    assert not iam_allows(alpha, "s3:ListBucket", "arn:aws:s3:::platform-artifacts", {"s3:prefix": "beta/"})


def test_fallback_tenants_are_confined_to_their_own_prefix():
    beta = s3_access_policy(tenant_of(BETA))
    assert iam_allows(beta, "s3:PutObject", "arn:aws:s3:::platform-artifacts/beta/wf/pod/main.log")
    assert iam_allows(beta, "s3:ListBucket", "arn:aws:s3:::platform-artifacts", {"s3:prefix": "beta/wf/"})
    assert not iam_allows(beta, "s3:GetObject", "arn:aws:s3:::platform-artifacts/gamma/wf/pod/main.log")
    assert not iam_allows(beta, "s3:ListBucket", "arn:aws:s3:::platform-artifacts", {"s3:prefix": "gamma/"})
    assert not iam_allows(beta, "s3:ListBucket", "arn:aws:s3:::platform-artifacts", {"s3:prefix": ""})
    # A name that extends another's must not reach it: "beta/" is not a prefix of "beta-2/".
    assert not iam_allows(beta, "s3:GetObject", "arn:aws:s3:::platform-artifacts/beta-2/x")


def test_the_k8s_executors_work_dir_is_within_the_registrations_prefix_and_nowhere_else():
    for name, artifact_bucket in (("alpha", {"bucket": "alpha-artifacts"}), ("beta", None)):
        tenant = tenant_of(registration(name, artifactBucket=artifact_bucket, nextflow={"executor": "k8s"}))
        work = argo_workflows.work_dir(tenant).replace("{{workflow.name}}", f"{name}-x7k2p").removeprefix("s3://")
        bucket, _, key = work.partition("/")
        policy = s3_access_policy(tenant)
        for action in ("s3:PutObject", "s3:GetObject", "s3:DeleteObject"):
            assert iam_allows(policy, action, f"arn:aws:s3:::{bucket}/{key}/3a/1f2e/.command.run"), (name, action)
        # A neighbour on the fallback bucket (beta-2 beside beta) is out of reach.
        neighbour = key.replace(f"{name}/", f"{name}-2/", 1) if artifact_bucket is None else f"other/{key}"
        assert not iam_allows(policy, "s3:PutObject", f"arn:aws:s3:::{bucket}/{neighbour}/x"), name
