"""Two shard stacks of one environment, side by side: each plan's references resolve within it, and
together they still resolve, with no object of one shard's taken by the other's (docs/sharding.md)."""

from __future__ import annotations

import json

import pytest
import yaml

from tenancy.plan.document import plan_document
from tenancy.plan.engine import simulate
from tests.integration.graph_checks import cross_reference_problems
from tests.integration.plan import GITHUB_APP_CONFIG, PROJECT_DIR, Plan, TENANTS_DIR, manifest_id

pytestmark = pytest.mark.integration

SHARDS = ("a", "b")


@pytest.fixture(scope="module")
def shard_plans(tmp_path_factory) -> dict[str, dict]:
    """The integration tenants dealt out over shards a and b; the dev stack planned as each shard."""
    directory = tmp_path_factory.mktemp("tenants")
    for index, path in enumerate(sorted(TENANTS_DIR.glob("*.yaml"))):
        document = yaml.safe_load(path.read_text())
        document["spec"]["shard"] = SHARDS[index % len(SHARDS)]
        (directory / path.name).write_text(yaml.safe_dump(document, sort_keys=False))
    plans = {}
    for shard in SHARDS:
        simulation = simulate(
            PROJECT_DIR,
            "dev",
            {
                "argo-tenants:tenantsDir": str(directory),
                "argo-tenants:shard": {"name": shard, "of": list(SHARDS)},
                "argo-tenants:webhookBaseUrl": f"https://events.dev.argo.example.org/{shard}",
                # The integration stack's App (the committed stacks' ids are placeholders).
                **GITHUB_APP_CONFIG,
            },
        )
        assert simulation.error is None, simulation.error
        plans[shard] = json.loads(json.dumps(plan_document(simulation)))
    return plans


def test_the_shards_deploy_what_the_unsharded_stack_deploys_each_tenant_once(shard_plans, plan_doc):
    tenants = [name for plan in shard_plans.values() for name in plan["tenants"]]
    assert sorted(tenants) == plan_doc["tenants"]


@pytest.mark.parametrize("shard", SHARDS)
def test_every_reference_of_a_shard_resolves_within_it(shard_plans, shard):
    assert cross_reference_problems(Plan(shard_plans[shard])) == []


def test_the_shards_together_still_resolve_every_reference(shard_plans):
    both = {"resources": [r for plan in shard_plans.values() for r in plan["resources"]]}
    assert cross_reference_problems(Plan(both)) == []


def test_no_kubernetes_object_is_registered_by_both_shards(shard_plans):
    a, b = ({manifest_id(m) for m in Plan(plan).manifests()} for plan in shard_plans.values())
    assert a & b == set()
