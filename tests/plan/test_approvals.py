"""Approvals: their form, the commit they are for, who they count from, and docs/ci.md's table saying the same."""

import re

import pytest

from tenancy.plan.approvals import (
    ACCESS_CHANGE,
    LABELS,
    PLANNED_SETTINGS,
    PLATFORM_CHANGE,
    Approval,
    ApprovalError,
    Approvals,
    Requirement,
    setting_needs_platform,
)
from tenancy.plan.render_values import log_safe

from tests.support.program import PROJECT_DIR

SHA = "0123456789abcdef0123456789abcdef01234567"
CI_DOC = (PROJECT_DIR / "docs" / "ci.md").read_text()


def test_an_approval_names_its_kind_login_and_commit():
    assert Approval.parse(f"platform-change=alice@{SHA}") == Approval(PLATFORM_CHANGE, "alice", SHA)


@pytest.mark.parametrize("text", ["platform-change=alice", f"everything=alice@{SHA}", f"owner=al ice@{SHA}", f"owner=alice@{SHA[:6]}", f"owner=-x@{SHA}"])
def test_a_malformed_approval_is_refused(text):
    with pytest.raises(ApprovalError):
        Approval.parse(text)


def test_an_approval_counts_only_for_its_commit():
    approvals = Approvals((Approval(PLATFORM_CHANGE, "alice", SHA[:12]),), commit="f" * 40)
    assert approvals.of(PLATFORM_CHANGE) is None and approvals.stale()
    assert Approvals(approvals.given, commit=SHA).of(PLATFORM_CHANGE) is not None


def test_the_author_approves_nothing():
    approvals = Approvals((Approval(PLATFORM_CHANGE, "mallory", SHA),), commit=SHA, author="mallory")
    assert approvals.of(PLATFORM_CHANGE) is None


def test_an_owner_approves_only_the_access_changes_of_registrations_they_own():
    approvals = Approvals((Approval("owner", "Alice", SHA),), commit=SHA)
    owned = Requirement(ACCESS_CHANGE, "alpha: spec.adminUsers", "", owners=("@alice",))
    other = Requirement(ACCESS_CHANGE, "beta: spec.adminUsers", "", owners=("@bob",))
    assert approvals.for_requirement(owned) and approvals.for_requirement(other) is None
    assert approvals.for_requirement(Requirement(PLATFORM_CHANGE, "x", "")) is None


@pytest.mark.parametrize("path", ["aws:region", "vault:address", "kubernetes:context", "argo-tenants:vault.address", "argo-tenants:namespaces.argoEvents", "argo-tenants:githubApp.installations.acme", "argo-tenants:unknownKey"])
def test_settings_that_redirect_a_deploy_need_a_platform_owner(path):
    assert setting_needs_platform(path)


@pytest.mark.parametrize("path", ["argo-tenants:environments", "argo-tenants:bucketNames.suffix", "argo-tenants:shard.of[1]"])
def test_settings_the_plan_shows_in_full_need_only_the_plan(path):
    assert not setting_needs_platform(path)


def test_docs_ci_table_lists_the_labels_and_the_planned_settings_the_code_uses():
    table = CI_DOC[CI_DOC.index("### What each kind of change needs"):]
    table = table[: table.index("\n\n", table.index("| ---"))]
    for label in set(LABELS.values()):
        assert f"(`{label}`)" in table
    row = next(line for line in table.splitlines() if line.startswith("| `environment`, "))
    documented = set(re.findall(r"`([A-Za-z]+)`", row.split(" | ")[0]))
    assert {f"argo-tenants:{key}" for key in documented} == PLANNED_SETTINGS - {"argo-tenants:protectDataBuckets"}


@pytest.mark.parametrize("line", ["::error::pwned", "  ::add-mask::x", "Pulumi.::warning::x.yaml"])
def test_no_line_of_a_log_starts_a_workflow_command(line):
    assert not any(text.lstrip().startswith("::") for text in log_safe(f"plan: ok\n{line}\n").splitlines())
