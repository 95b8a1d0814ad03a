"""The JSON plan (version 1): every resource the program registers, as a stable document other tools read.

```
{"version": 1, "project": "...", "stack": "dev", "tenants": ["name", ...],
 "resources": [{"urn", "type", "name", "custom", "parent", "tenant", "inputs", "protect",
                "retainOnDelete", "dependsOn", "provider"}],
 "outputs": {...}}
```

Resources are in registration order, components included. Every value Pulumi marks secret is
"[secret]" (see tenancy.simulation); nothing is guessed from key names.
"""

from __future__ import annotations

from typing import Any

from tenancy.simulation import Registration, Simulation

PLAN_VERSION = 1
TENANT_COMPONENT = "argo-tenants:index:TenantRepo"


def tenant_of_resource(resources: list[Registration]) -> dict[str, str | None]:
    """URN -> name of the registration (TenantRepo) it belongs to, or None for stack-level objects."""
    owner: dict[str, str | None] = {}
    for resource in resources:  # registration order: a parent is always registered before its children
        if resource.type == TENANT_COMPONENT:
            owner[resource.urn] = resource.name
        else:
            owner[resource.urn] = owner.get(resource.parent) if resource.parent else None
    return owner


def plan_document(simulation: Simulation) -> dict[str, Any]:
    owner = tenant_of_resource(simulation.resources)
    return {
        "version": PLAN_VERSION,
        "project": simulation.project,
        "stack": simulation.stack,
        "tenants": sorted(r.name for r in simulation.resources if r.type == TENANT_COMPONENT),
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "custom": r.custom,
                "parent": r.parent,
                "tenant": owner[r.urn],
                "inputs": r.inputs,
                "protect": r.protect,
                "retainOnDelete": r.retain_on_delete,
                "dependsOn": r.depends_on,
                "provider": r.provider,
            }
            for r in simulation.resources
        ],
        "outputs": simulation.outputs,
    }
