"""The plan's line for a registration's own definitions, and what `plan --base` says when they stop."""

from tenancy.plan.diff_render import diff_text
from tenancy.plan.facts import APPLICATION, definitions_change, definitions_line
from tenancy.plan.render import fact_rows

DEFINITIONS = {
    "repository": "https://github.com/acme/alpha.git",
    "ref": "main",
    "path": "argo/dev",
    "kinds": ["WorkflowTemplate"],
    "application": "argocd/tenant-dev-alpha",
    "entrypoint": "alpha-main",
}


def test_one_line_says_where_definitions_come_from():
    assert definitions_line(DEFINITIONS) == "definitions synced by Argo CD from https://github.com/acme/alpha.git@main:argo/dev"
    assert definitions_line(None) is None


def entry(action):
    return {"type": APPLICATION, "name": "alpha-definitions-application", "physicalName": "argocd/tenant-dev-alpha", "action": action}


def test_removing_definitions_says_the_synced_objects_stay():
    line = definitions_change([entry("delete")])
    assert line.startswith("definitions no longer synced: Application argocd/tenant-dev-alpha is deleted without cascade")
    assert "stay in the namespace" in line
    assert definitions_change([{**entry("delete"), "type": "kubernetes:core/v1:ConfigMap"}]) is None


def test_adding_definitions_is_named():
    assert definitions_change([entry("create")]) == "definitions now synced by Argo CD (Application argocd/tenant-dev-alpha)"


def test_the_rows_show_definitions_only_where_there_are_some():
    facts = {"repository": "r", "namespace": "n", "buckets": [], "artifacts": "s3://b/", "iamUser": "u", "vaultPaths": [],
             "webhookUrl": "w", "paused": False, "workflowTemplate": "t", "outputs": "o", "definitions": DEFINITIONS, "deployers": ["jdoe"]}
    labels = [label for label, _ in fact_rows(facts)]
    assert labels[-2:] == ["definitions", "deployers"]
    assert "definitions" not in [label for label, _ in fact_rows({**facts, "definitions": None, "deployers": []})]


def _plan(tmp_path, name, **spec):
    import json

    import yaml

    from tenancy.plan.document import plan_document
    from tests.support.program import registration, run_program

    directory = tmp_path / name
    directory.mkdir()
    (directory / "alpha.yaml").write_text(yaml.safe_dump(registration("alpha", **spec), sort_keys=False))
    result = run_program("dev", directory)
    assert result.error is None, result.error
    return json.loads(json.dumps(plan_document(result)))


def test_plan_base_says_what_removing_definitions_leaves(tmp_path):
    from tenancy.plan.comment import diff_markdown
    from tenancy.plan.diff import diff_plans

    before = _plan(tmp_path, "before", definitions={"path": "argo"})
    after = _plan(tmp_path, "after")
    diff = diff_plans(before, after)
    text = diff_text(diff)
    assert (
        "    definitions no longer synced: Application argocd/tenant-dev-alpha is deleted without cascade, so the objects "
        "it synced stay in the namespace, unmanaged (delete them by hand if they should go)"
    ) in text.splitlines()
    assert "definitions no longer synced" in diff_markdown(diff)
    back = diff_text(diff_plans(after, before))
    assert "    definitions now synced by Argo CD (Application argocd/tenant-dev-alpha)" in back.splitlines()
