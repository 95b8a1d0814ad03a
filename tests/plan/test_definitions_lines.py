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
