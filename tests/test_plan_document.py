import json

from tenancy.plan_document import plan_document


def test_contract_fields(dev_plan):
    doc = plan_document(dev_plan)
    assert (doc["version"], doc["project"], doc["stack"]) == (1, "argo-tenants", "dev")
    assert doc["tenants"] == ["alpha", "beta", "gamma"]
    for resource in doc["resources"]:
        assert set(resource) == {"urn", "type", "name", "custom", "parent", "tenant", "inputs", "protect", "retainOnDelete", "dependsOn", "provider"}
    json.dumps(doc)


def test_every_resource_under_a_tenant_names_it(dev_plan):
    doc = plan_document(dev_plan)
    by_name = {(r["type"], r["name"]): r for r in doc["resources"]}
    assert by_name[("aws:s3/bucket:Bucket", "alpha-data")]["tenant"] == "alpha"
    assert by_name[("argo-tenants:index:TenantRepo", "gamma")]["tenant"] == "gamma"
    assert by_name[("kubernetes:argoproj.io/v1alpha1:Sensor", "event-routing-sensor")]["tenant"] is None
    assert by_name[("pulumi:providers:github", "github-acme")]["tenant"] is None


def test_no_secret_value_in_the_document(dev_plan):
    text = json.dumps(plan_document(dev_plan))
    assert "mock-secret" not in text and "mock-password" not in text and "AKIAMOCK" not in text
    assert '"[secret]"' in text
