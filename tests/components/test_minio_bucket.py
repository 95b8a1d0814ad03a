"""MinioBucket built alone, its arguments written out."""

import pytest

from components.minio_bucket import MinioBucket
from components.tenant_bucket import TenantBucketArgs
from tenancy.model.endpoint import Endpoint
from tenancy.model.tenant import BucketLocation
from tests.support.one_component import build_alone, child_types, children

LOCATION = BucketLocation(
    purpose="data",
    bucket="lab-data",
    region="us-east-1",
    service=Endpoint.parse("http://minio.minio-system.svc:9000"),
    key_prefix="",
    managed=True,
    vault_path="apps/lab/s3/data",
    secret_name="s3-credentials-lab-data",
    path_style=True,
)


@pytest.fixture(scope="module")
def alone():
    return build_alone(lambda: MinioBucket("lab-data", TenantBucketArgs(location=LOCATION, tags={}, protect=True)))


def test_alone_a_private_bucket_and_its_versioning(alone):
    assert child_types(alone, "MinioBucket", "lab-data") == {
        "lab-data": "minio:index/s3Bucket:S3Bucket",
        "lab-data-versioning": "minio:index/s3BucketVersioning:S3BucketVersioning",
    }
    found = children(alone, "MinioBucket", "lab-data")
    assert found["lab-data"].inputs == {"bucket": "lab-data", "acl": "private", "forceDestroy": False}
    assert found["lab-data-versioning"].inputs == {"bucket": "lab-data", "versioningConfiguration": {"status": "Enabled"}}
    assert found["lab-data"].urn in found["lab-data-versioning"].depends_on


def test_alone_both_are_kept_and_the_bucket_protected_when_asked(alone):
    found = children(alone, "MinioBucket", "lab-data")
    assert all(part.retain_on_delete for part in found.values())
    assert (found["lab-data"].protect, found["lab-data-versioning"].protect) == (True, False)
