"""Where a registration's objects live once resolved against its stack: prefixes and addressing by bucket kind."""

import pytest

from tests.support.program import make_settings, registration, tenant_of

MINIO = "http://minio.minio-system.svc.cluster.local:9000"


def locations(settings=None, **spec):
    tenant = tenant_of(registration("alpha", **spec), settings)
    return {location.purpose: location for location in tenant.locations}


def test_an_artifact_bucket_without_key_prefix_puts_everything_under_workflows():
    artifacts = locations()["artifacts"]
    assert artifacts.key_prefix == "workflows/"
    assert artifacts.s3_uri == "s3://alpha-artifacts-dev/workflows/"
    assert artifacts.objects_arn == "arn:aws:s3:::alpha-artifacts-dev/workflows/*"


def test_an_empty_key_prefix_is_the_bucket_root():
    assert locations(artifactBucket={"bucket": "alpha-artifacts", "keyPrefix": ""})["artifacts"].s3_uri == "s3://alpha-artifacts-dev/"


def test_a_data_bucket_without_key_prefix_is_reached_whole():
    data = locations(dataBucket={"bucket": "alpha-data"})["data"]
    assert data.key_prefix == "" and data.objects_arn == "arn:aws:s3:::alpha-data-dev/*"


def test_the_fallback_bucket_keeps_the_registration_prefix():
    artifacts = locations(artifactBucket=None)["artifacts"]
    assert artifacts.s3_uri == "s3://platform-artifacts/alpha/"


@pytest.mark.parametrize(
    "spec, expected",
    [
        ({}, False),
        ({"artifactBucket": {"bucket": "alpha-artifacts", "pathStyle": True}}, True),
    ],
)
def test_aws_s3_is_addressed_path_style_only_when_asked(spec, expected):
    assert locations(**spec)["artifacts"].path_style is expected


def test_an_s3_compatible_service_is_always_addressed_path_style():
    settings = make_settings(s3Endpoint=MINIO)
    found = locations(settings, dataBucket={"bucket": "alpha-data"})
    assert {purpose: location.path_style for purpose, location in found.items()} == {"artifacts": True, "data": True}
    assert locations(settings, artifactBucket=None)["artifacts"].path_style is True
