"""No run that a pull request starts holds a credential before a maintainer approves that exact run.

tests/support/workflows.py follows every job through the reusable workflows it calls (`uses: ./…`,
`uses: $/…`) and says what it really gets. The attacks below are edits a pull request could make to
the files its own `pull_request` run uses; each must be caught. What no workflow file decides is
held on the cloud side: every role trusts exactly one environment's OIDC subject (docs/ci.md), and
the last tests hold the documentation to that.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable

import pytest

from tests.support.program import PROJECT_DIR
from tests.support.workflows import MAIN_ONLY, REVIEWED, load, load_all, running_jobs, triggers, trust_violations

CI_DOC = (PROJECT_DIR / "docs" / "ci.md").read_text()
PREVIEW_JOB = "preview.yml:pulumi-preview > pulumi-stack.yml:pulumi"


def test_no_pull_request_reaches_a_credential_before_approval():
    assert trust_violations(running_jobs()) == []


def test_the_real_preview_is_the_only_pull_request_job_with_a_credential():
    holding = {job.name: job.environment for job in running_jobs() if job.pull_request and (job.oidc or job.secrets)}
    assert holding == {PREVIEW_JOB: "${{ matrix.environment }}-preview"}


def test_no_job_reaches_a_stored_secret():
    # There are none to reach: every credential comes from an OIDC token.
    assert [job.name for job in running_jobs() if job.secrets] == []


Workflows = dict[str, dict[str, Any]]


def _preview_job(workflows: Workflows, job_id: str) -> dict[str, Any]:
    return workflows["preview.yml"]["jobs"][job_id]


def drift_roles_for_the_preview(w: Workflows) -> None:
    _preview_job(w, "pulumi-preview")["with"]["environment"] = "${{ matrix.environment }}-readonly"


def deploy_from_the_pull_request(w: Workflows) -> None:
    w["preview.yml"]["jobs"]["up"] = {
        "permissions": {"contents": "read", "id-token": "write"},
        "uses": "./.github/workflows/pulumi-stack.yml",
        "with": {"stack": "dev", "environment": "dev", "command": "up"},
    }


def oidc_without_an_environment(w: Workflows) -> None:
    _preview_job(w, "program-plan")["permissions"]["id-token"] = "write"


def called_workflow_picks_its_own_environment(w: Workflows) -> None:
    w["pulumi-stack.yml"]["jobs"]["pulumi"]["environment"] = "prod"


def stored_secret_in_a_step(w: Workflows) -> None:
    _preview_job(w, "program-plan")["steps"][-1]["env"]["KEY"] = "${{ secrets.AWS_SECRET_ACCESS_KEY }}"


def secrets_inherited_by_a_called_workflow(w: Workflows) -> None:
    _preview_job(w, "stacks")["secrets"] = "inherit"


def write_all_at_the_top(w: Workflows) -> None:
    w["preview.yml"]["permissions"] = "write-all"
    del _preview_job(w, "program-plan")["permissions"]


def token_for_the_trusted_plan(w: Workflows) -> None:
    w["plan-verdict.yml"]["jobs"]["plan"]["permissions"]["id-token"] = "write"


def environment_for_the_trusted_report(w: Workflows) -> None:
    w["plan-verdict.yml"]["jobs"]["report"]["environment"] = "dev-preview"


def comment_command(w: Workflows) -> None:
    w["chatops.yml"] = {
        "on": {"issue_comment": {"types": ["created"]}},
        "permissions": {},
        "jobs": {"run": {"permissions": {"id-token": "write"}, "environment": "dev-preview", "runs-on": "ubuntu-latest", "steps": []}},
    }


def environment_nobody_set_up(w: Workflows) -> None:
    _preview_job(w, "program-plan")["environment"] = "staging"


def preview_environment_on_a_schedule(w: Workflows) -> None:
    w["drift.yml"]["jobs"]["refresh"]["with"]["environment"] = "${{ matrix.environment }}-preview"


ATTACKS: list[Callable[[Workflows], None]] = [
    drift_roles_for_the_preview,
    deploy_from_the_pull_request,
    oidc_without_an_environment,
    called_workflow_picks_its_own_environment,
    stored_secret_in_a_step,
    secrets_inherited_by_a_called_workflow,
    write_all_at_the_top,
    token_for_the_trusted_plan,
    environment_for_the_trusted_report,
    comment_command,
    environment_nobody_set_up,
    preview_environment_on_a_schedule,
]


@pytest.mark.parametrize("attack", ATTACKS, ids=[attack.__name__ for attack in ATTACKS])
def test_each_attack_on_the_workflows_is_caught(attack):
    workflows = copy.deepcopy(load_all())
    attack(workflows)
    assert trust_violations(running_jobs(workflows)) != []


# The verdict: main's code, the pull request's files as data only.

VERDICT = load("plan-verdict.yml")


def verdict_steps(job_id: str) -> list[dict[str, Any]]:
    return VERDICT["jobs"][job_id]["steps"]


def test_the_verdict_runs_mains_workflow_for_pull_requests_into_main():
    assert triggers(VERDICT) == {
        "pull_request_target": {"types": ["opened", "synchronize", "reopened", "labeled", "unlabeled"], "branches": ["main"]}
    }


def test_the_verdict_never_checks_out_the_pull_request():
    checkouts = [step for job in VERDICT["jobs"] for step in verdict_steps(job) if "actions/checkout" in step.get("uses", "")]
    assert checkouts and all(set(step.get("with", {})) <= {"fetch-depth", "persist-credentials"} for step in checkouts)
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_jobs_that_can_write_run_no_project_code():
    for job_id, job in VERDICT["jobs"].items():
        if "write" not in job["permissions"].values():
            continue
        for step in job["steps"]:
            assert "actions/checkout" not in step.get("uses", ""), job_id
            assert not re.search(r"\bmake\b|python|\.venv|tenancy", step.get("run", "")), job_id


def test_the_job_that_reads_the_pull_requests_files_can_only_read():
    assert VERDICT["jobs"]["plan"]["permissions"] == {"contents": "read"}
    names = [step.get("name", step.get("uses", "")) for step in verdict_steps("plan")]
    scripts = [step.get("run", "") for step in verdict_steps("plan")]
    fetch = next(i for i, script in enumerate(scripts) if 'refs/pull/$PR/head' in script)
    # main's requirements are installed before any of the pull request's objects are fetched
    assert scripts.index("make setup") < fetch, names
    # and from then on, the only program that runs is main's plan
    assert not re.search(r"\b(make|pip|source|bash|sh|eval|exec)\b|\./", "\n".join(scripts[fetch + 1:]))


def test_new_commits_withdraw_every_approval():
    record, _ = [step["run"] for step in verdict_steps("approval")]
    synchronize = record[record.index("synchronize)"):record.index(";;", record.index("synchronize)"))]
    assert "for label in $APPROVAL_LABELS" in synchronize
    assert '--method DELETE "repos/$REPOSITORY/issues/$PR/labels/$label"' in synchronize
    assert VERDICT["env"]["APPROVAL_LABELS"].split() == ["allow-offboarding", "approve-platform-change", "approve-access-change"]
    assert 'status success "$APPROVAL_CONTEXT/$kind" "@$SENDER"' in record and 'statuses/$HEAD_SHA' in record


def test_only_a_platform_owner_approves_and_never_the_author():
    record, _ = [step["run"] for step in verdict_steps("approval")]
    assert 'if [ "$SENDER" = "$AUTHOR" ]' in record
    assert 'collaborators/$SENDER/permission' in record
    platform = record.index('if [ "$permission" = admin ] || [ "$permission" = maintain ]; then')
    # Anyone else's access-change label is an `owner` approval, which plan counts only for registrations they own.
    assert record.index('status success "$APPROVAL_CONTEXT/$kind" "@$SENDER"') > platform
    assert record.index('status success "$APPROVAL_CONTEXT/owner" "@$SENDER"') > platform


def test_the_verdict_counts_an_approval_only_on_the_commit_it_was_given_for():
    _, read = [step["run"] for step in verdict_steps("approval")]
    assert 'commits/$HEAD_SHA/statuses' in read and "$APPROVAL_CONTEXT/$kind" in read
    assert 'issues/$PR/labels' in read  # and the label must still be there
    assert 'github-actions[bot]' in read and 'approved="$approved $kind=$login@$HEAD_SHA"' in read
    plan = next(step for step in verdict_steps("plan") if step.get("id") == "plan")
    assert plan["env"]["APPROVED"] == "${{ needs.approval.outputs.approved }}" and '--commit "$HEAD_SHA"' in plan["run"]
    [report] = [step["run"] for step in verdict_steps("report") if "run" in step]
    assert '"repos/$REPOSITORY/statuses/$HEAD_SHA" -f state="$state" -f context="$VERDICT_CONTEXT"' in report
    head = "${{ github.event.pull_request.head.sha }}"
    assert all(
        step["env"]["HEAD_SHA"] == head for job in VERDICT["jobs"] for step in verdict_steps(job) if "HEAD_SHA" in step.get("env", {})
    )


# The cloud side, as docs/ci.md tells an admin to set it up.

def _table_after(heading: str) -> list[list[str]]:
    section = CI_DOC[CI_DOC.index(heading):]
    lines = []
    for line in section.splitlines()[1:]:
        if line.startswith("|"):
            lines.append([cell.strip() for cell in line.strip("|").split("|")])
        elif lines:
            break
    return lines[2:]


def test_docs_list_every_running_job_with_its_credentials():
    rows = _table_after("## Who runs what")
    documented = {row[0] for row in rows}
    jobs = {f"`{job.path[0].replace(':', '` › `')}`" for job in running_jobs()}
    assert documented == jobs


def test_each_trust_policy_accepts_one_environment_subject_and_nothing_else():
    rows = _table_after("### The trust policies")
    subjects = {row[0]: row[1] for row in rows}
    assert subjects, "no trust-policy table in docs/ci.md"
    environments = set()
    for role, subject in subjects.items():
        match = re.fullmatch(r"`repo:<owner>/<repo>:environment:([\w-]+)`", subject)
        assert match, (role, subject)
        environments.add(match.group(1))
    assert all(MAIN_ONLY.match(name) or REVIEWED.match(name) for name in environments)
    assert environments == {"dev", "prod", "dev-readonly", "prod-readonly", "dev-preview", "prod-preview"}
