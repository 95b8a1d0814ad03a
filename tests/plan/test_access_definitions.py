"""Adding or loosening a registration's own definitions, or whose pushes deploy, is an access change."""

import pytest

from tenancy.plan.access import access_changes

BASE = {"alpha": {"repoUrl": "https://github.com/acme/alpha.git", "tenant": "t", "owners": ["@lead"], "deployers": {"prod": ["alice"]}}}


@pytest.mark.parametrize(
    "field, after",
    [("definitions", {"path": "argo", "kinds": ["WorkflowTemplate", "CronWorkflow", "Workflow"]}), ("deployers", {})],
)
def test_definitions_and_deployers_changes_need_the_owners_or_the_platform(field, after):
    head = {"alpha": {**BASE["alpha"], field: after}}
    [change] = access_changes(BASE, head)
    assert (change.registration, change.field, change.after, change.owners) == ("alpha", field, after, ("@lead",))
