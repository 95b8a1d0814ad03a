"""Each tenant's facts come from the summary the program exports; the resources add a bucket's region
and options, and the counts."""

import pytest

from tenancy.plan.diff import diff_plans
from tenancy.plan.document import plan_document
from tenancy.plan.facts import tenant_facts

from tests.support.plan_samples import TEMPLATE, planned_template, resource

BUCKET = "aws:s3/bucket:Bucket"


@pytest.fixture(scope="module")
def document(dev_plan):
    return plan_document(dev_plan)


def only(document, tenant, type_token):
    (found,) = [r for r in document["resources"] if r["tenant"] == tenant and r["type"] == type_token]
    return found


def test_facts_are_the_exported_summary(document):
    for name, facts in tenant_facts(document).items():
        summary = document["outputs"]["tenants"][name]
        assert facts["repository"] == f"https://github.com/{summary['repository']}.git"
        for key in ("namespace", "artifacts", "iamUser", "webhookUrl", "paused", "workflowTemplate"):
            assert facts[key] == summary[key], f"{name}: {key}"
        assert facts["vaultPaths"] == sorted(summary["vaultPaths"]), name
        assert {bucket["purpose"]: bucket["bucket"] for bucket in facts["buckets"]} == summary["buckets"], name


def test_the_summary_says_what_the_resources_do(document):
    """The plan trusts the exports: here they are checked against what the program registers."""
    for name, facts in tenant_facts(document).items():
        namespace = only(document, name, "kubernetes:core/v1:Namespace")["inputs"]["metadata"]
        webhook = only(document, name, "github:index/repositoryWebhook:RepositoryWebhook")["inputs"]
        template = only(document, name, "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate")["inputs"]["metadata"]
        secrets = [r["inputs"] for r in document["resources"] if r["tenant"] == name and r["type"] == "vault:kv/secretV2:SecretV2"]
        assert facts["repository"] == namespace["annotations"]["repo-registration/repo-url"], name
        assert facts["namespace"] == namespace["name"], name
        assert facts["iamUser"] == only(document, name, "aws:iam/user:User")["inputs"]["name"], name
        assert facts["vaultPaths"] == sorted(f"{secret['mount']}/{secret['name']}" for secret in secrets), name
        assert (facts["webhookUrl"], facts["paused"]) == (webhook["configuration"]["url"], not webhook["active"]), name
        assert facts["workflowTemplate"] == template["name"], name
        registered = {r["inputs"]["bucket"]: r["name"] for r in document["resources"] if r["tenant"] == name and r["type"] == BUCKET}
        # Every bucket the summary names is registered (TenantRepo names it `<tenant>-<purpose>`), and no other.
        assert {bucket["bucket"]: f"{name}-{bucket['purpose']}" for bucket in facts["buckets"]} == registered, name


def test_a_paused_tenant_and_one_on_the_fallback_bucket(document):
    facts = tenant_facts(document)
    assert facts["gamma"]["paused"] is True and facts["alpha"]["paused"] is False
    assert facts["beta"]["buckets"] == [] and facts["beta"]["artifacts"].endswith("/beta/")


def test_a_bucket_has_its_purpose_from_the_summary_and_its_options_from_its_resource():
    document = planned_template()
    data = resource(document, TEMPLATE, BUCKET, "-data")
    data["name"] = "renamed"
    data["inputs"]["region"] = "eu-west-1"
    data["protect"] = True
    (bucket,) = [b for b in tenant_facts(document)[TEMPLATE]["buckets"] if b["bucket"] == data["inputs"]["bucket"]]
    assert bucket == {"purpose": "data", "bucket": data["inputs"]["bucket"], "region": "eu-west-1", "protect": True, "retainOnDelete": True}


def test_only_cloud_objects_are_counted():
    document = planned_template()
    facts = tenant_facts(document)[TEMPLATE]
    custom = [r for r in document["resources"] if r["tenant"] == TEMPLATE and r["custom"]]
    assert facts["resources"] == len(custom) == sum(facts["resourceTypes"].values())
    assert "TenantRepo" not in facts["resourceTypes"]


def test_a_leaving_bucket_has_its_purpose_from_the_base_summary():
    base = planned_template()
    resource(base, TEMPLATE, BUCKET, "-data")["name"] = "renamed"
    head = {**base, "tenants": [], "resources": [r for r in base["resources"] if r["tenant"] is None], "outputs": {}}
    leaving = diff_plans(base, head)["offboarding"]["buckets"]
    assert sorted(bucket["purpose"] for bucket in leaving) == ["artifacts", "data"]
