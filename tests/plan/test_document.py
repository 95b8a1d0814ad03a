import json
from pathlib import Path

import jsonschema

from tenancy.plan.document import plan_document

from tests.support.program import PROJECT_DIR, run_program

SCHEMA = json.loads((PROJECT_DIR / "docs" / "plan.schema.json").read_text())


def test_document_follows_the_schema_in_docs(dev_plan):
    jsonschema.validate(plan_document(dev_plan), SCHEMA)


def test_contract_header(dev_plan):
    doc = plan_document(dev_plan)
    assert (doc["version"], doc["project"], doc["stack"]) == (1, "argo-tenants", "dev")
    assert doc["tenants"] == ["alpha", "beta", "gamma"]


def test_every_resource_under_a_tenant_names_it(dev_plan):
    doc = plan_document(dev_plan)
    by_name = {(r["type"], r["name"]): r for r in doc["resources"]}
    assert by_name[("aws:s3/bucket:Bucket", "alpha-data")]["tenant"] == "alpha"
    assert by_name[("argo-tenants:index:TenantRepo", "gamma")]["tenant"] == "gamma"
    assert by_name[("kubernetes:argoproj.io/v1alpha1:Sensor", "alpha-webhook-sensor")]["tenant"] == "alpha"
    assert by_name[("kubernetes:core/v1:ServiceAccount", "event-routing-sensor-service-account")]["tenant"] is None
    assert by_name[("pulumi:providers:github", "github-acme")]["tenant"] is None


def test_parents_providers_and_dependencies_come_first(dev_plan):
    seen: set[str] = set()
    for resource in plan_document(dev_plan)["resources"]:
        named = {resource["provider"], *resource["dependsOn"]} - {None}
        if resource["parent"] and not resource["parent"].endswith("pulumi:pulumi:Stack::argo-tenants-dev"):
            named.add(resource["parent"])
        assert named <= seen, resource["urn"]
        seen.add(resource["urn"])


def test_same_input_gives_the_same_bytes():
    # The mock engine registers in whatever order asyncio resolves outputs; the document must not show it.
    first, second = (json.dumps(plan_document(run_program("dev"))) for _ in range(2))
    assert first == second


def test_key_rotation_is_visible_as_replacement_trigger(dev_plan):
    keys = [r for r in plan_document(dev_plan)["resources"] if r["type"] == "aws:iam/accessKey:AccessKey"]
    assert all(r["deleteBeforeReplace"] for r in keys)
    assert {r["replacementTrigger"] for r in keys if r["tenant"] == "gamma"} == {2, 3}


def test_no_secret_value_in_the_document(dev_plan):
    text = json.dumps(plan_document(dev_plan))
    assert "mock-secret" not in text and "mock-password" not in text and "AKIAMOCK" not in text
    assert '"[secret]"' in text
