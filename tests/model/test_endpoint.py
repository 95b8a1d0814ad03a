"""The Endpoint value: one parse of an HTTP(S) URL into scheme, host[:port] and path."""

import pytest

from tenancy.model.endpoint import Endpoint


@pytest.mark.parametrize("url, parsed", [
    ("https://s3.us-west-2.amazonaws.com", Endpoint("https", "s3.us-west-2.amazonaws.com")),
    ("http://minio.minio.svc:9000", Endpoint("http", "minio.minio.svc:9000")),
    ("https://events.example.org/hooks/a", Endpoint("https", "events.example.org", "/hooks/a")),
])
def test_a_url_is_split_into_scheme_host_and_path(url, parsed):
    assert Endpoint.parse(url) == parsed


def test_the_port_stays_with_the_host():
    assert Endpoint.parse("https://s3.example.org:8443").host == "s3.example.org:8443"


def test_a_bare_host_gets_the_default_scheme():
    assert Endpoint.parse("minio:9000") == Endpoint("https", "minio:9000")
    assert Endpoint.parse("minio:9000", default_scheme="http") == Endpoint("http", "minio:9000")


def test_a_lone_trailing_slash_is_no_path():
    assert Endpoint.parse("https://minio.example.org/").path == ""
    assert Endpoint.parse("https://minio.example.org//").path == "//"


def test_http_is_insecure_and_https_is_not():
    assert Endpoint.parse("http://minio:9000").insecure
    assert not Endpoint.parse("https://minio:9000").insecure


def test_origin_leaves_out_the_path_and_url_keeps_it():
    endpoint = Endpoint.parse("https://events.example.org:8443/hooks")
    assert (endpoint.origin, endpoint.url) == ("https://events.example.org:8443", "https://events.example.org:8443/hooks")


def test_equal_when_scheme_host_and_path_are():
    assert Endpoint.parse("http://minio:9000/") == Endpoint.parse("minio:9000", default_scheme="http")
    assert Endpoint.parse("http://minio:9000") != Endpoint.parse("https://minio:9000")
    assert Endpoint.parse("http://minio:9000") != Endpoint.parse("http://minio:9001")
    assert Endpoint.parse("http://minio:9000") != Endpoint.parse("http://minio:9000/s3")


@pytest.mark.parametrize("host, region", [
    ("s3.us-west-2.amazonaws.com", "us-west-2"),
    ("s3-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
    ("s3.dualstack.eu-central-1.amazonaws.com:443", "eu-central-1"),
    ("s3.amazonaws.com", "us-east-1"),
    ("minio:9000", None),
    ("s3.us-west-2.amazonaws.com.evil.org", None),
])
def test_the_aws_region_an_s3_host_names(host, region):
    assert Endpoint("https", host).aws_region == region


def test_the_aws_s3_endpoint_of_a_region():
    assert Endpoint.aws_s3("eu-west-1") == Endpoint.parse("https://s3.eu-west-1.amazonaws.com")
