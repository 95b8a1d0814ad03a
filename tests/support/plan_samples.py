"""Plan documents for the plan tests: one real tenant planned under the mock engine, cloned by name.

Planning 500 tenants through the engine takes well over a minute; cloning a planned tenant's
resources gives documents of any size, with the program's real shapes, in milliseconds.
"""

from __future__ import annotations

import copy
import functools
import json
import tempfile
from pathlib import Path
from typing import Any, Iterable

import yaml

from tenancy.plan.document import plan_document

from tests.support.program import registration, run_program

# A name that occurs nowhere else in a plan, so replacing it renames exactly one tenant.
TEMPLATE = "zqtemplate"


@functools.cache
def _planned_template() -> str:
    document = registration(TEMPLATE, dataBucket={"bucket": f"{TEMPLATE}-data", "region": "us-west-2"})
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / f"{TEMPLATE}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
        result = run_program("dev", Path(directory))
    assert result.error is None, result.error
    return json.dumps(plan_document(result))


def planned_template() -> dict[str, Any]:
    """The dev plan of one tenant with an artifacts and a data bucket (planned once per test session)."""
    return json.loads(_planned_template())


def _renamed(value: Any, name: str) -> Any:
    return json.loads(json.dumps(value).replace(TEMPLATE, name))


def _per_tenant(value: Any, names: list[str]) -> Any:
    """Every entry of a shared object that is about the template tenant, once per name."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == TEMPLATE:
                out.update({name: _renamed(item, name) for name in names})
            else:
                out[key] = _per_tenant(item, names)
        return out
    if isinstance(value, list):
        out = []
        for item in value:
            if TEMPLATE in json.dumps(item):
                out += [_renamed(item, name) for name in names]
            else:
                out.append(_per_tenant(item, names))
        return out
    if isinstance(value, str) and TEMPLATE in value:
        # A Vault policy: one block (blank-line separated) per tenant path.
        blocks = value.split("\n\n")
        return "\n\n".join(
            block.replace(TEMPLATE, name) if TEMPLATE in block else block
            for block in blocks
            for name in (names if TEMPLATE in block else [None])
        )
    return value


def with_tenants(template: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """A copy of `template` whose one tenant is replaced by clones named `names`; shared objects
    (EventSource entries, Sensor triggers, the webhook policy) get one entry per clone."""
    names = sorted(names)
    shared = [r for r in template["resources"] if r["tenant"] != TEMPLATE]
    own = json.dumps([r for r in template["resources"] if r["tenant"] == TEMPLATE])
    resources = [{**copy.deepcopy(r), "inputs": _per_tenant(r["inputs"], names)} for r in shared]
    for name in names:
        resources += json.loads(own.replace(TEMPLATE, name))
    summary = json.dumps((template["outputs"].get("tenants") or {}).get(TEMPLATE))
    return {
        **template,
        "tenants": names,
        "resources": resources,
        "outputs": {**template["outputs"], "tenants": {name: json.loads(summary.replace(TEMPLATE, name)) for name in names}},
    }


def resource(document: dict[str, Any], tenant: str | None, type_token: str, suffix: str = "") -> dict[str, Any]:
    """The one resource of `tenant` with this type (and name ending in `suffix`)."""
    found = [
        r for r in document["resources"] if r["tenant"] == tenant and r["type"] == type_token and r["name"].endswith(suffix)
    ]
    assert len(found) == 1, [r["name"] for r in found]
    return found[0]


def synthetic_names(count: int) -> list[str]:
    return [f"tenant-{index:04d}" for index in range(count)]
