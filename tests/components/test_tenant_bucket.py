import pytest

from components.tenant_bucket import TenantBucket, TenantBucketArgs
from tenancy.model.endpoint import Endpoint
from tenancy.model.tenant import BucketLocation
from tests.support.one_component import build_alone, child_types, children, waiting_for
from tests.support.program import children_of, component, of_tenant

BUCKET_CHILDREN = {
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
}


def bucket_parts(plan, name):
    return {r.type: r for r in children_of(plan, component(plan, "TenantBucket", name).urn)}


def test_each_dedicated_bucket_gets_every_safety_setting(dev_plan):
    for name in ("alpha-artifacts", "alpha-data", "gamma-artifacts"):
        assert set(bucket_parts(dev_plan, name)) == BUCKET_CHILDREN, name


def test_bucket_name_region_and_tags(dev_plan):
    bucket = bucket_parts(dev_plan, "alpha-data")["aws:s3/bucket:Bucket"]
    assert bucket.inputs["bucket"] == "alpha-data-dev"
    assert bucket.inputs["region"] == "us-east-1"
    assert bucket.inputs["forceDestroy"] is False
    assert bucket.inputs["tags"] == {"tenant": "research", "registration": "alpha", "environment": "dev", "managed-by": "argo-tenants"}


def test_nothing_of_a_bucket_is_ever_deleted_with_its_tenant(dev_plan, prod_plan):
    for plan in (dev_plan, prod_plan):
        for part in plan.resources:
            if part.type in BUCKET_CHILDREN:
                assert part.retain_on_delete, part.urn


def test_every_bucket_is_protected_where_the_stack_says_so(dev_plan, prod_plan):
    # Artifact buckets too: a pipeline's --outdir results are as valuable as its data bucket.
    for name in ("alpha-data", "alpha-artifacts"):
        assert bucket_parts(prod_plan, name)["aws:s3/bucket:Bucket"].protect is True
        assert bucket_parts(dev_plan, name)["aws:s3/bucket:Bucket"].protect is False


def test_protection_settings(dev_plan):
    parts = bucket_parts(dev_plan, "alpha-artifacts")
    assert parts["aws:s3/bucketVersioning:BucketVersioning"].inputs["versioningConfiguration"] == {"status": "Enabled"}
    sse = parts["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"].inputs["rules"][0]
    assert sse["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    block = parts["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"].inputs
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    assert parts["aws:s3/bucketOwnershipControls:BucketOwnershipControls"].inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    [rule] = parts["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"].inputs["rules"]
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7} and rule["status"] == "Enabled"


def test_settings_wait_for_their_bucket(dev_plan):
    parts = bucket_parts(dev_plan, "alpha-artifacts")
    bucket = parts.pop("aws:s3/bucket:Bucket")
    for part in parts.values():
        assert bucket.urn in part.depends_on and part.inputs["bucket"] == "alpha-artifacts-dev"


def test_fallback_registrations_create_no_bucket(dev_plan):
    assert not [r for r in of_tenant(dev_plan, "beta") if r.type.startswith("aws:s3/")]


# Built alone, its arguments written out.

LOCATION = BucketLocation(
    purpose="data", bucket="lab-data-test", region="eu-west-1", service=Endpoint.aws_s3("eu-west-1"),
    key_prefix="", managed=True, vault_path="apps/lab/s3/data", secret_name="s3-credentials-lab-data", path_style=False,
)
TAGS = {"registration": "lab", "environment": "test"}


def bucket_alone(protect: bool):
    return build_alone(lambda: TenantBucket("lab-data", TenantBucketArgs(location=LOCATION, tags=TAGS, protect=protect)))


@pytest.fixture(scope="module")
def alone():
    return bucket_alone(protect=False)


def test_alone_the_bucket_and_one_child_per_safety_setting(alone):
    assert child_types(alone, "TenantBucket", "lab-data") == {
        "lab-data": "aws:s3/bucket:Bucket",
        "lab-data-versioning": "aws:s3/bucketVersioning:BucketVersioning",
        "lab-data-encryption": "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "lab-data-public-access-block": "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "lab-data-ownership": "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "lab-data-lifecycle": "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    }


def test_alone_every_child_is_retained_on_delete(alone):
    for part in children(alone, "TenantBucket", "lab-data").values():
        assert part.retain_on_delete, part.urn


@pytest.mark.parametrize("protect", [True, False])
def test_alone_protect_is_the_arguments_and_on_the_bucket_only(protect):
    protected = [name for name, part in children(bucket_alone(protect), "TenantBucket", "lab-data").items() if part.protect]
    assert protected == (["lab-data"] if protect else [])


def test_alone_bucket_name_region_and_tags_are_the_arguments(alone):
    bucket = children(alone, "TenantBucket", "lab-data")["lab-data"].inputs
    assert (bucket["bucket"], bucket["region"], bucket["tags"]) == ("lab-data-test", "eu-west-1", TAGS)
    assert bucket["forceDestroy"] is False


def test_alone_each_setting_waits_for_the_bucket_and_applies_to_it_in_its_region(alone):
    found = children(alone, "TenantBucket", "lab-data")
    assert waiting_for(alone, found["lab-data"].urn) == set(found) - {"lab-data"}
    assert {(part.inputs["bucket"], part.inputs["region"]) for part in found.values()} == {("lab-data-test", "eu-west-1")}
