"""One component built on its own under the recording mock engine, its arguments written out by the test.

The whole-program tests (tests/support/program.py) run `__main__.py` over tenant files; these run
only what a test builds, with the same engine (`tenancy.plan.engine.run_under_mocks`), so the
recorded registrations carry the same options, dependencies and secret markers.
"""

from __future__ import annotations

from typing import Any, Callable

import pulumi

from tenancy.plan.engine import Registration, Simulation, run_under_mocks
from tenancy.project.stacks import project_name
from tests.support.program import PROJECT_DIR, children_of, component

STAND_IN = "test:index:StandIn"


def build_alone(program: Callable[[], Any]) -> Simulation:
    """Run `program` as the whole Pulumi program, with no stack config (a component reads none), and
    return what it registered. A program error fails the test with the error."""
    result = run_under_mocks(program, project=project_name(PROJECT_DIR), stack="test", config={}, root_directory=PROJECT_DIR)
    assert result.error is None, result.error
    return result


def children(plan: Simulation, type_name: str, name: str) -> dict[str, Registration]:
    """The direct children of component `argo-tenants:index:<type_name>` `name`, by logical name."""
    return {resource.name: resource for resource in children_of(plan, component(plan, type_name, name).urn)}


def child_types(plan: Simulation, type_name: str, name: str) -> dict[str, str]:
    """Logical name -> type token of each direct child: what a component registers, at a glance."""
    return {child: resource.type for child, resource in children(plan, type_name, name).items()}


def waiting_for(plan: Simulation, urn: str) -> set[str]:
    """Logical names of the resources that depend on `urn`: what waits for it."""
    return {resource.name for resource in plan.resources if urn in resource.depends_on}


class StandIn(pulumi.CustomResource):
    """What a component is wired to (a namespace, a Vault role, a store), reduced to one Output `value`:
    a test passes `value` and checks that the component waits for this resource."""

    value: pulumi.Output[str]

    def __init__(self, name: str, value: str):
        super().__init__(STAND_IN, name, {"value": value})


def stand_in_urn(plan: Simulation, name: str) -> str:
    return plan.get(STAND_IN, name).urn
