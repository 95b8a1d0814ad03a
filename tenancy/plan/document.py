"""The JSON plan (version 1): every resource the program registers, as a stable document other tools read.

```
{"version": 1, "project": "...", "stack": "dev", "tenants": ["name", ...],
 "resources": [{"urn", "type", "name", "custom", "parent", "tenant", "inputs", "protect",
                "retainOnDelete", "deleteBeforeReplace", "replacementTrigger", "dependsOn", "provider"}],
 "outputs": {...}}
```

Field by field in docs/plan-format.md; docs/plan.schema.json is its JSON Schema. Every value
Pulumi marks secret is "[secret]" (see tenancy.plan.engine); nothing is guessed from key names.

Resources are in registration order, made repeatable: the mock engine registers in whatever order
asyncio resolves outputs, so the document lists them in an order the engine could have used
(every parent, provider and dependency before the resources that name it), ties broken by URN.
The same tenant files and settings give the same bytes.
"""

from __future__ import annotations

import heapq
import json
from typing import Any

from tenancy.plan.facts import TENANT_REPO
from tenancy.plan.engine import Registration, Simulation

PLAN_VERSION = 1


def tenant_of_resource(resources: list[Registration]) -> dict[str, str | None]:
    """URN -> name of the registration (TenantRepo) it belongs to, or None for stack-level objects."""
    by_urn = {resource.urn: resource for resource in resources}
    owner: dict[str, str | None] = {}

    def find(urn: str) -> str | None:
        if urn not in owner:
            resource = by_urn[urn]
            if resource.type == TENANT_REPO:
                owner[urn] = resource.name
            else:
                owner[urn] = find(resource.parent) if resource.parent in by_urn else None
        return owner[urn]

    for resource in resources:
        find(resource.urn)
    return owner


def stable_order(resources: list[Registration]) -> list[Registration]:
    """Topological order over parent, provider and dependsOn; ties by URN."""
    by_urn = {resource.urn: resource for resource in resources}
    waits: dict[str, set[str]] = {}
    dependents: dict[str, list[str]] = {urn: [] for urn in by_urn}
    for resource in resources:
        before = {resource.parent, resource.provider, *resource.depends_on}
        waits[resource.urn] = {urn for urn in before if urn in by_urn and urn != resource.urn}
        for urn in waits[resource.urn]:
            dependents[urn].append(resource.urn)
    ready = [urn for urn, pending in waits.items() if not pending]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        urn = heapq.heappop(ready)
        ordered.append(urn)
        for dependent in dependents[urn]:
            waits[dependent].discard(urn)
            if not waits[dependent]:
                heapq.heappush(ready, dependent)
    # The engine refuses cycles, so this is only a guard: whatever is left still gets listed.
    ordered += sorted(set(by_urn) - set(ordered))
    return [by_urn[urn] for urn in ordered]


def _sorted_data(value: Any) -> Any:
    """sorted_keys of what the engine recorded (tenancy.plan.engine: plain JSON data, string keys),
    done by the json module's C code: a stack's event routing alone holds megabytes of it."""
    return json.loads(json.dumps(value, sort_keys=True))


def sorted_keys(value: Any) -> Any:
    """Mapping keys in sorted order at every depth (the engine's maps carry no order); lists keep theirs."""
    if isinstance(value, dict):
        return {key: sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sorted_keys(item) for item in value]
    return value


def plan_document(simulation: Simulation) -> dict[str, Any]:
    resources = stable_order(simulation.resources)
    owner = tenant_of_resource(resources)
    return {
        "version": PLAN_VERSION,
        "project": simulation.project,
        "stack": simulation.stack,
        # From the program's exports, first for a reader: how the stack reaches GitHub, and what the
        # tenant files write that is ignored (added within version 1; absent when not exported).
        **{key: sorted_keys(simulation.outputs[key]) for key in ("github", "warnings") if key in simulation.outputs},
        "tenants": sorted(r.name for r in resources if r.type == TENANT_REPO),
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "custom": r.custom,
                "parent": r.parent,
                "tenant": owner[r.urn],
                "inputs": _sorted_data(r.inputs),
                "protect": r.protect,
                "retainOnDelete": r.retain_on_delete,
                "deleteBeforeReplace": r.delete_before_replace,
                "replacementTrigger": _sorted_data(r.replacement_trigger),
                "dependsOn": sorted(r.depends_on),
                "provider": r.provider,
            }
            for r in resources
        ],
        "outputs": sorted_keys(simulation.outputs),
    }
