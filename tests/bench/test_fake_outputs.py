"""The benchmark's monitor and the offline plan's engine answer a create with the same fake outputs."""

from __future__ import annotations

import pulumi
import pytest
from google.protobuf import json_format
from pulumi.runtime.proto import resource_pb2

from bench.language_host import EchoMonitor
from tenancy.plan.engine import FakeOutputs
from tenancy.plan.fake_outputs import COMPUTED

CASES = [
    *((type_, {}) for type_ in COMPUTED),
    ("aws:s3/bucket:Bucket", {"bucket": "acme-artifacts"}),
    ("aws:iam/user:User", {"name": "acme", "arn": "arn:aws:iam::1:user/acme"}),
    ("kubernetes:core/v1:Namespace", {"metadata": {"name": "wf-acme"}}),
]


@pytest.mark.parametrize(("type_", "inputs"), CASES)
def test_the_benchmarks_monitor_answers_what_the_plans_engine_answers(type_, inputs):
    request = resource_pb2.RegisterResourceRequest(type=type_, name="acme", custom=True)
    request.object.update(inputs)
    monitor = EchoMonitor()
    monitor.make_urn = lambda parent, type_, name: f"urn:{type_}:{name}"
    answer = monitor.RegisterResource(request)
    outputs = json_format.MessageToDict(answer.object)

    plan_id, plan_state = FakeOutputs().new_resource(
        pulumi.runtime.MockResourceArgs(typ=type_, name="acme", inputs=inputs, provider="", resource_id="", custom=True)
    )

    assert answer.id == plan_id
    assert outputs == {**inputs, **plan_state}
    # And the fakes are there to compare: every table entry computes something.
    assert type_ not in COMPUTED or plan_state

