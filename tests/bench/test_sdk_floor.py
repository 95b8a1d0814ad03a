"""The benchmark's SDK floor registers exactly what the program registers, through the bare SDKs."""

from __future__ import annotations

import pytest

from bench.sdk_floor import PROVIDER_CLASSES, replay
from tenancy.plan.engine import Registration, run_under_mocks

COMPARED = ("type", "name", "custom", "parent", "inputs", "protect", "retain_on_delete", "delete_before_replace", "provider", "replacement_trigger")


def _replayed(registrations: list[Registration]):
    result = run_under_mocks(
        lambda: replay(registrations), project="argo-tenants", stack="dev", config={}, root_directory="."
    )
    assert result.error is None, result.error
    return {resource.urn: resource for resource in result.resources}


def test_the_floor_registers_the_programs_resources_unchanged(dev_plan):
    replayed = _replayed(dev_plan.resources)
    assert set(replayed) == {resource.urn for resource in dev_plan.resources}
    for original in dev_plan.resources:
        again = replayed[original.urn]
        for field in COMPARED:
            assert getattr(again, field) == getattr(original, field), f"{original.urn}: {field}"
        assert sorted(again.depends_on) == sorted(original.depends_on), original.urn


def test_an_unknown_resource_type_stops_the_floor():
    unknown = Registration(
        urn="urn:pulumi:dev::argo-tenants::aws:sqs/queue:Queue::q", type="aws:sqs/queue:Queue", name="q", custom=True,
        parent=None, inputs={}, protect=False, retain_on_delete=False, delete_before_replace=False, depends_on=[], provider=None,
    )
    with pytest.raises(KeyError, match="aws:sqs/queue:Queue"):
        replay([unknown])


def test_every_provider_class_matches_its_type_token():
    for token, cls in PROVIDER_CLASSES.items():
        if token.startswith("pulumi:providers:"):
            continue
        module = cls.__module__.split(".")[0].removeprefix("pulumi_")
        assert token.startswith(f"{module}:"), f"{token} -> {cls}"
        assert token.rsplit(":", 1)[1] == cls.__name__, f"{token} -> {cls}"
