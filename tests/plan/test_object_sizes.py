"""The plan's Kubernetes objects at 1,000 tenants of the longest names: none nears etcd's object limit, and
none grows with the number of tenants (each registration's route is its own; tenancy/manifests/argo_events.py).

Measured 2026-12-07: the largest object at 1,000 tenants is a WorkflowTemplate of 2,518 bytes, 0.16 % of
etcd's 1,572,864; the largest EventSource or Sensor (a Sensor, 2,140 bytes) carries 2,856 bytes in its
pod's environment, 2 % of the 131,072 Linux allows. The one Sensor for every tenant this replaced grew
about 1.7 KB per tenant (about 1.7 MB at 1,000).
"""

from __future__ import annotations

import pytest

from tenancy.model import limits, naming
from tests.support.plan_samples import planned_template, with_tenants


def longest_names(count: int) -> list[str]:
    return [f"tenant-{index:04d}-".ljust(naming.MAX_REGISTRATION_NAME_LENGTH, "x") for index in range(count)]


def kubernetes_objects(document: dict) -> list[dict]:
    return [resource["inputs"] for resource in document["resources"] if resource["type"].startswith("kubernetes:")]


@pytest.fixture(scope="module")
def at_1000():
    return with_tenants(planned_template(), longest_names(1000))


def test_the_largest_object_at_1000_tenants_is_far_below_the_etcd_limit(at_1000):
    objects = kubernetes_objects(at_1000)
    assert len(objects) >= 16 * 1000
    largest = max(limits.serialized_bytes(manifest) for manifest in objects)
    assert largest < limits.ETCD_OBJECT_BYTES_MAX / 100, largest


def test_every_event_source_and_sensor_fits_its_pods_environment_many_times_over(at_1000):
    routes = [m for m in kubernetes_objects(at_1000) if m["kind"] in ("EventSource", "Sensor")]
    assert len(routes) == 2 * 1000
    carried = max(limits.base64_bytes(limits.serialized_bytes(manifest)) for manifest in routes)
    assert carried < limits.ENV_STRING_BYTES_MAX / 10, carried


def test_no_object_grows_with_the_number_of_tenants(at_1000):
    ten = with_tenants(planned_template(), longest_names(10))
    largest = max(limits.serialized_bytes(manifest) for manifest in kubernetes_objects(ten))
    assert max(limits.serialized_bytes(manifest) for manifest in kubernetes_objects(at_1000)) == largest
