"""The diff between two plan documents, on documents cloned from one planned tenant."""

import json
from pathlib import Path

import jsonschema
import pytest

from tenancy.plan.comment import diff_markdown
from tenancy.plan.diff import diff_plans, setting_changes, value_changes
from tenancy.plan.render import plan_text

from tests.support.program import PROJECT_DIR
from tests.support.plan_samples import planned_template, resource, with_tenants

SCHEMA = json.loads((PROJECT_DIR / "docs" / "plan-diff.schema.json").read_text())
BASE_REF = {"ref": "origin/main", "commit": "0" * 40, "newStack": False}
BUCKET = "aws:s3/bucket:Bucket"
WEBHOOK = "github:index/repositoryWebhook:RepositoryWebhook"


@pytest.fixture(scope="module")
def template():
    return planned_template()


def plans(template, before, after):
    return with_tenants(template, before), with_tenants(template, after)


def tenant(diff, name):
    return next(entry for entry in diff["tenants"] if entry["name"] == name)


def test_diff_follows_the_schema_in_docs(template):
    base, head = plans(template, ["alpha", "beta"], ["alpha", "gamma"])
    resource(head, "alpha", WEBHOOK)["inputs"]["active"] = False
    jsonschema.validate(diff_plans(base, head, BASE_REF), SCHEMA)


def test_same_plans_have_no_changes(template):
    base, head = plans(template, ["alpha"], ["alpha"])
    diff = diff_plans(base, head, BASE_REF)
    assert diff["tenants"] == [] and diff["shared"] == []
    assert diff["summary"]["tenants"]["untouched"] == 1


def test_new_tenant_is_onboarded_with_every_resource_created(template):
    base, head = plans(template, ["alpha"], ["alpha", "beta"])
    entry = tenant(diff_plans(base, head, BASE_REF), "beta")
    assert entry["status"] == "onboarded"
    assert {change["action"] for change in entry["resources"]} == {"create"}


def test_removed_tenant_is_offboarded_and_blocking(template):
    base, head = plans(template, ["alpha", "beta"], ["alpha"])
    diff = diff_plans(base, head, BASE_REF)
    assert tenant(diff, "beta")["status"] == "offboarded"
    assert diff["offboarding"]["tenants"] == ["beta"]
    assert diff["offboarding"]["blocking"] is True


def test_offboarded_buckets_are_retained_not_deleted(template):
    base, head = plans(template, ["alpha", "beta"], ["alpha"])
    changes = tenant(diff_plans(base, head, BASE_REF), "beta")["resources"]
    actions = {c["name"]: c["action"] for c in changes if c["type"] in (BUCKET, "aws:iam/user:User")}
    assert actions == {"beta-artifacts": "retain", "beta-data": "retain", "beta-credentials-user": "delete"}


def test_every_bucket_of_an_offboarded_tenant_is_listed_as_leaving(template):
    base, head = plans(template, ["alpha", "beta"], ["alpha"])
    leaving = diff_plans(base, head, BASE_REF)["offboarding"]["buckets"]
    assert [(b["bucket"], b["purpose"], b["reason"]) for b in leaving] == [
        ("beta-artifacts-dev", "artifacts", "removed"),
        ("beta-data-dev", "data", "removed"),
    ]


def test_a_removed_data_bucket_blocks_without_offboarding_the_tenant(template):
    base, head = plans(template, ["alpha"], ["alpha"])
    head["resources"] = [r for r in head["resources"] if "alpha-data" not in r["name"]]
    diff = diff_plans(base, head, BASE_REF)
    assert diff["offboarding"]["tenants"] == []
    assert [b["bucket"] for b in diff["offboarding"]["buckets"]] == ["alpha-data-dev"]


def test_a_renamed_bucket_is_a_replacement_that_leaves_the_old_one(template):
    base, head = plans(template, ["alpha"], ["alpha"])
    resource(head, "alpha", BUCKET, "-data")["inputs"]["bucket"] = "alpha-renamed-dev"
    diff = diff_plans(base, head, BASE_REF)
    assert [c["action"] for c in tenant(diff, "alpha")["resources"] if c["type"] == BUCKET] == ["replace"]
    assert [(b["bucket"], b["reason"]) for b in diff["offboarding"]["buckets"]] == [("alpha-data-dev", "replaced")]


def test_changed_tenant_names_the_input_path(template):
    base, head = plans(template, ["alpha", "beta"], ["alpha", "beta"])
    resource(head, "beta", WEBHOOK)["inputs"]["active"] = False
    entry = tenant(diff_plans(base, head, BASE_REF), "beta")
    assert entry["status"] == "changed"
    assert entry["resources"][0]["changes"] == [{"path": "inputs.active", "before": True, "after": False}]


def test_the_artifact_repositories_configmap_is_updated_in_place(template):
    # Replaced, it would be deleted before it is created again: runs started between find no repository.
    base, head = plans(template, ["alpha"], ["alpha"])
    configmap = resource(head, "alpha", "kubernetes:core/v1:ConfigMap")
    configmap["inputs"]["data"] = {key: value.replace("us-west-2", "us-east-1") for key, value in configmap["inputs"]["data"].items()}
    [entry] = tenant(diff_plans(base, head, BASE_REF), "alpha")["resources"]
    assert (entry["type"], entry["action"]) == ("kubernetes:core/v1:ConfigMap", "update")


def test_untouched_tenants_are_counted_not_listed(template):
    base, head = plans(template, ["alpha", "beta", "gamma"], ["alpha", "beta", "gamma"])
    resource(head, "beta", WEBHOOK)["inputs"]["active"] = False
    diff = diff_plans(base, head, BASE_REF)
    assert [entry["name"] for entry in diff["tenants"]] == ["beta"]
    assert diff["summary"]["tenants"]["untouched"] == 2


def test_stack_level_objects_are_reported_once_as_shared(template):
    base, head = plans(template, ["alpha"], ["alpha", "beta", "gamma"])
    shared = diff_plans(base, head, BASE_REF)["shared"]
    # The webhook Secrets' Vault policy names every registration's path; routes are each registration's own.
    assert [c["name"] for c in shared] == ["webhooks-policy"]
    assert all(c["tenant"] is None for c in shared)


def test_onboarding_is_not_blocking(template):
    base, head = plans(template, ["alpha"], ["alpha", "beta"])
    assert diff_plans(base, head, BASE_REF)["offboarding"]["blocking"] is False


def test_a_changed_replacement_trigger_is_a_replacement(template):
    base, head = plans(template, ["alpha"], ["alpha"])
    resource(head, "alpha", "aws:iam/accessKey:AccessKey", "-key-b")["replacementTrigger"] = 1
    changes = tenant(diff_plans(base, head, BASE_REF), "alpha")["resources"]
    assert [(c["name"], c["action"]) for c in changes] == [("alpha-credentials-key-b", "replace")]


def test_list_items_with_names_are_matched_by_name():
    before = {"subjects": [{"name": "a", "kind": "User"}, {"name": "b", "kind": "User"}]}
    after = {"subjects": [{"name": "b", "kind": "User"}]}
    assert list(value_changes(before, after))[0][0] == ".subjects[name=a]"


def test_json_text_is_compared_as_json():
    before = {"policy": json.dumps({"Statement": [{"Sid": "List", "Resource": ["arn:a"]}]})}
    after = {"policy": json.dumps({"Statement": [{"Sid": "List", "Resource": ["arn:b"]}]})}
    assert [(path, old, new) for path, old, new in value_changes(before, after)] == [
        (".policy.Statement[Sid=List].Resource[0]", "arn:a", "arn:b")
    ]


def test_keys_with_dots_are_quoted_in_paths():
    before = {"labels": {"app.kubernetes.io/part-of": "x"}}
    after = {"labels": {"app.kubernetes.io/part-of": "y"}}
    assert list(value_changes(before, after))[0][0] == '.labels["app.kubernetes.io/part-of"]'


def test_dependency_order_is_not_a_change(template):
    base, head = plans(template, ["alpha"], ["alpha"])
    for r in head["resources"]:
        r["dependsOn"] = list(reversed(r["dependsOn"]))
    assert diff_plans(base, head, BASE_REF)["tenants"] == []


def test_accepted_offboarding_is_recorded(template):
    base, head = plans(template, ["alpha", "beta"], ["alpha"])
    head["outputs"]["retiredBuckets"] = ["beta-artifacts-dev", "beta-data-dev"]
    offboarding = diff_plans(base, head, BASE_REF, accepted=True)["offboarding"]
    assert offboarding["accepted"] is True and offboarding["unrecorded"] == []
    assert {bucket["bucket"]: bucket["recorded"] for bucket in offboarding["buckets"]} == {
        "beta-artifacts-dev": True, "beta-data-dev": True,
    }


def test_a_bucket_leaving_unrecorded_cannot_be_accepted(template):
    # Nobody in tenants/ owns it any more: unless the head knows it as retired, the next tenant
    # file that names it would be granted it.
    base, head = plans(template, ["alpha", "beta"], ["alpha"])
    head["outputs"]["retiredBuckets"] = ["beta-artifacts-dev"]
    diff = diff_plans(base, head, BASE_REF, accepted=True)
    assert diff["offboarding"]["accepted"] is False and diff["offboarding"]["unrecorded"] == ["beta-data-dev"]
    jsonschema.validate(diff, SCHEMA)


def on_the_fallback_bucket(plan, name):
    """`plan` with tenant `name`'s artifacts under its prefix of the fallback bucket, as the program exports it."""
    summary = plan["outputs"]["tenants"][name]
    summary["buckets"].pop("artifacts")
    summary["artifacts"] = f"s3://calypr-dev-argo-artifacts/{name}/"
    return plan


def test_a_fallback_prefix_leaving_unrecorded_cannot_be_accepted(template):
    # Its objects stay in the platform's bucket: the next registration called beta would be granted them.
    base, head = plans(template, ["alpha", "beta"], ["alpha"])
    head["outputs"]["retiredBuckets"] = ["beta-artifacts-dev", "beta-data-dev"]
    diff = diff_plans(on_the_fallback_bucket(base, "beta"), head, BASE_REF, accepted=True)
    assert diff["offboarding"]["accepted"] is False
    assert diff["offboarding"]["unrecorded"] == ["s3://calypr-dev-argo-artifacts/beta/"]


def test_a_recorded_fallback_prefix_may_leave(template):
    base, head = plans(template, ["alpha", "beta"], ["alpha"])
    head["outputs"]["retiredBuckets"] = ["beta-artifacts-dev", "beta-data-dev"]
    head["outputs"]["retiredPrefixes"] = ["s3://calypr-dev-argo-artifacts/beta/"]
    diff = diff_plans(on_the_fallback_bucket(base, "beta"), head, BASE_REF, accepted=True)
    assert diff["offboarding"]["accepted"] is True and diff["offboarding"]["unrecorded"] == []


def test_a_registration_taking_a_bucket_of_its_own_leaves_its_fallback_prefix(template):
    base, head = plans(template, ["alpha", "beta"], ["alpha", "beta"])
    diff = diff_plans(on_the_fallback_bucket(base, "beta"), head, BASE_REF)
    assert diff["offboarding"]["unrecorded"] == ["s3://calypr-dev-argo-artifacts/beta/"]


# Moves between the stacks of one environment (tenancy.project.shard_layout places each registration).

def places(stacks):
    """name -> {"stack": "dev-<shard>", "shard": shard} from {name: shard}."""
    return {name: {"stack": f"dev-{shard}", "shard": shard} for name, shard in stacks.items()}


def of_stack(document, stack):
    """The same plan document as stack `stack` would have it (URNs name their stack)."""
    return {**json.loads(json.dumps(document).replace("urn:pulumi:dev::", f"urn:pulumi:{stack}::")), "stack": stack}


def moved_out(template):
    """beta leaves this stack (shard a) for shard b; the documents are of stack dev-a."""
    base, head = (of_stack(document, "dev-a") for document in plans(template, ["alpha", "beta"], ["alpha"]))
    return diff_plans(base, head, BASE_REF, places=(places({"alpha": "a", "beta": "a"}), places({"alpha": "a", "beta": "b"})))


def test_a_tenant_leaving_for_another_shard_is_a_move_not_just_an_offboarding(template):
    diff = moved_out(template)
    move = tenant(diff, "beta")["move"]
    assert (move["direction"], move["from"], move["to"]) == ("out", {"stack": "dev-a", "shard": "a"}, {"stack": "dev-b", "shard": "b"})
    assert diff["offboarding"]["moves"] == ["beta"]


def test_a_move_is_blocking_like_an_offboarding(template):
    diff = moved_out(template)
    assert diff["offboarding"]["blocking"] is True and tenant(diff, "beta")["status"] == "offboarded"


def test_a_move_gives_the_state_move_of_its_tenant_repo(template):
    move = tenant(moved_out(template), "beta")["move"]
    root = "urn:pulumi:dev-a::argo-tenants::argo-tenants:index:TenantRepo::beta"
    assert move["urns"] == [root]
    assert move["command"] == f"pulumi state move --source <org>/argo-tenants/dev-a --dest <org>/argo-tenants/dev-b '{root}'"
    assert move["providers"] == ["github-acme"]


def test_a_tenant_arriving_from_another_shard_is_a_move_from_its_urn_there(template):
    base, head = (of_stack(document, "dev-b") for document in plans(template, ["alpha"], ["alpha", "beta"]))
    diff = diff_plans(base, head, BASE_REF, places=(places({"alpha": "b", "beta": "a"}), places({"alpha": "b", "beta": "b"})))
    move = tenant(diff, "beta")["move"]
    assert (move["direction"], move["from"]["stack"], tenant(diff, "beta")["status"]) == ("in", "dev-a", "onboarded")
    assert move["urns"] == ["urn:pulumi:dev-a::argo-tenants::argo-tenants:index:TenantRepo::beta"]
    assert diff["offboarding"]["blocking"] is True


def test_a_tenant_deployed_nowhere_else_is_still_a_plain_offboarding(template):
    base, head = plans(template, ["alpha", "beta"], ["alpha"])
    diff = diff_plans(base, head, BASE_REF, places=(places({"alpha": "a", "beta": "a"}), places({"alpha": "a"})))
    assert "move" not in tenant(diff, "beta") and diff["offboarding"]["moves"] == []


def test_a_move_follows_the_schema_in_docs(template):
    jsonschema.validate(moved_out(template), SCHEMA)


def test_plan_and_plan_base_count_resources_one_way(template):
    # Onboarding a tenant creates exactly the cloud objects its plan lists; components are counted apart.
    head = with_tenants(template, ["alpha"])
    diff = diff_plans(with_tenants(template, []), head, BASE_REF)
    [tenant] = diff["tenants"]
    created = [entry for entry in tenant["resources"] if entry["custom"]]
    assert diff["summary"]["resources"]["create"] == len(created) == tenant["facts"]["resources"]
    assert diff["summary"]["components"]["create"] == sum(1 for r in head["resources"] if r["tenant"] == "alpha" and not r["custom"])
    assert plan_text(head).splitlines()[0].endswith(f"1 tenant · {sum(r['custom'] for r in head['resources'])} resources "
                                                    f"(+{sum(not r['custom'] for r in head['resources'])} components)")
    assert f"· {len(created)} to create" in diff_markdown(diff)


def test_the_settings_a_change_edits_are_named_and_secrets_stay_hidden():
    before = {"argo-tenants:runnerImage": "a:1", "argo-tenants:vault": {"address": "https://v:8200"}, "argo-tenants:githubToken": "[secret]"}
    after = {"argo-tenants:runnerImage": "a:2", "argo-tenants:vault": {"address": "https://w:8200"}, "argo-tenants:githubToken": "[secret]"}
    assert setting_changes(before, after) == [
        {"path": "argo-tenants:runnerImage", "before": "a:1", "after": "a:2"},
        {"path": "argo-tenants:vault.address", "before": "https://v:8200", "after": "https://w:8200"},
    ]


NAMESPACE = "kubernetes:core/v1:Namespace"
SECRET = "vault:kv/secretV2:SecretV2"
USER = "aws:iam/user:User"


def test_a_renamed_namespace_is_replaced_and_blocks(template):
    base, head = plans(template, ["alpha"], ["alpha"])
    resource(head, "alpha", NAMESPACE)["inputs"]["metadata"]["name"] = "wf-acme-renamed"
    diff = diff_plans(base, head, BASE_REF)
    [entry] = [entry for entry in tenant(diff, "alpha")["resources"] if entry["type"] == NAMESPACE]
    assert entry["action"] == "replace"
    assert diff["offboarding"]["blocking"] is True
    [destroyed] = diff["offboarding"]["objects"]
    assert (destroyed["kind"], destroyed["action"]) == ("namespace", "replace")
    assert destroyed["object"] == resource(base, "alpha", NAMESPACE)["inputs"]["metadata"]["name"]


def test_a_vault_secret_at_a_new_path_is_replaced_and_blocks(template):
    base, head = plans(template, ["alpha"], ["alpha"])
    resource(head, "alpha", SECRET, "-credentials-artifacts")["inputs"]["name"] = "elsewhere/s3/artifacts"
    diff = diff_plans(base, head, BASE_REF)
    assert [(entry["kind"], entry["action"]) for entry in diff["offboarding"]["objects"]] == [("Vault secret", "replace")]


def test_a_renamed_iam_user_is_an_update_and_does_not_block(template):
    # IAM renames a user in place (UpdateUser); its access keys follow the new name by replacement.
    base, head = plans(template, ["alpha"], ["alpha"])
    resource(head, "alpha", USER)["inputs"]["name"] = "argo-tenants-dev-renamed"
    diff = diff_plans(base, head, BASE_REF)
    [entry] = [entry for entry in tenant(diff, "alpha")["resources"] if entry["type"] == USER]
    assert entry["action"] == "update" and diff["offboarding"]["blocking"] is False


def test_dropping_retain_on_delete_blocks(template):
    base, head = plans(template, ["alpha"], ["alpha"])
    resource(head, "alpha", BUCKET, "-artifacts")["retainOnDelete"] = False
    diff = diff_plans(base, head, BASE_REF)
    assert diff["offboarding"]["blocking"] is True
    assert [entry["dropped"] for entry in diff["offboarding"]["unprotected"]] == [["retainOnDelete"]]


def test_adding_protection_does_not_block(template):
    base, head = plans(template, ["alpha"], ["alpha"])
    resource(head, "alpha", BUCKET, "-data")["protect"] = True
    assert diff_plans(base, head, BASE_REF)["offboarding"]["blocking"] is False


def test_an_offboarded_tenants_objects_are_its_offboarding_not_listed_again(template):
    base, head = plans(template, ["alpha", "beta"], ["alpha"])
    assert diff_plans(base, head, BASE_REF)["offboarding"]["objects"] == []


def test_blocking_changes_follow_the_schema_in_docs(template):
    base, head = plans(template, ["alpha"], ["alpha"])
    resource(head, "alpha", NAMESPACE)["inputs"]["metadata"]["name"] = "wf-acme-renamed"
    resource(head, "alpha", BUCKET, "-data")["protect"] = False
    resource(base, "alpha", BUCKET, "-data")["protect"] = True
    head_ref = {"ref": "pr", "commit": "1" * 40}
    jsonschema.validate(diff_plans(base, head, BASE_REF, head_ref=head_ref, program="current"), SCHEMA)
