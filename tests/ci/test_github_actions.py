"""The GitHub workflows: zizmor (offline), actionlint and the workflow JSON Schema, then the rules
docs/ci.md promises. Who may reach which credential is tests/ci/test_workflow_trust.py."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.program import PROJECT_DIR
from tests.support.workflows import WORKFLOWS, load, triggers

ROOT = PROJECT_DIR
FILES = sorted(WORKFLOWS.glob("*.yml"))
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    assert found, f"{name} is not installed: make setup-test"
    return str(found)


def steps(workflow: dict):
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def uses_lines():
    for path in FILES:
        for line in path.read_text().splitlines():
            match = re.match(r"^\s*(?:-\s+)?uses:\s*(.+)$", line)
            if match:
                yield path.name, match.group(1).strip()


def test_workflows_exist():
    assert {path.name for path in FILES} >= {"preview.yml", "plan-verdict.yml", "deploy.yml", "drift.yml"}


def test_zizmor_offline_finds_nothing():
    result = subprocess.run([tool("zizmor"), "--offline", str(WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_nothing():
    # actionlint also checks each call of a reusable workflow: its inputs, and that the called jobs
    # ask for no permission the calling job does not grant (GitHub refuses to start such a run).
    result = subprocess.run([tool("actionlint"), "-no-color", *map(str, FILES)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_match_the_github_workflow_schema():
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, FILES)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version():
    remote = [(name, ref) for name, ref in uses_lines() if not ref.startswith("$/")]
    assert remote and all(PINNED.match(ref) for _, ref in remote), [r for r in remote if not PINNED.match(r[1])]


def test_no_expression_inside_run_scripts():
    scripts = [step["run"] for path in FILES for step in steps(load(path.name)) if "run" in step]
    assert scripts and not [script for script in scripts if "${{" in script]


def reusable(name: str) -> bool:
    return set(triggers(load(name))) == {"workflow_call"}


def test_triggered_workflows_grant_no_default_permissions():
    assert {path.name: load(path.name).get("permissions") for path in FILES if not reusable(path.name)} == {
        path.name: {} for path in FILES if not reusable(path.name)
    }


def test_reusable_workflows_leave_their_callers_grant_as_it_is():
    # A called workflow can only lower its caller's grant: `permissions: {}` there would leave its
    # jobs no token at all (no checkout, no OIDC token).
    assert [path.name for path in FILES if reusable(path.name) and "permissions" in load(path.name)] == []
    assert [
        (path.name, job_id)
        for path in FILES
        if reusable(path.name)
        for job_id, job in load(path.name)["jobs"].items()
        if "permissions" in job
    ] == []


def test_every_job_of_a_triggered_workflow_declares_its_permissions():
    missing = [
        (path.name, job_id)
        for path in FILES
        if not reusable(path.name)
        for job_id, job in load(path.name)["jobs"].items()
        if "permissions" not in job
    ]
    assert missing == []


def test_only_jobs_that_reach_the_cloud_get_oidc_tokens():
    with_oidc = {
        (path.name, job_id)
        for path in FILES
        for job_id, job in load(path.name)["jobs"].items()
        if (job.get("permissions") or {}).get("id-token") == "write"
    }
    assert with_oidc == {
        ("preview.yml", "pulumi-preview"),
        ("deploy.yml", "dev"),
        ("deploy.yml", "prod"),
        ("drift.yml", "refresh"),
    }


def test_pulumi_preview_runs_only_for_branches_of_this_repository():
    job = load("preview.yml")["jobs"]["pulumi-preview"]
    assert job["if"] == "github.event.pull_request.head.repo.full_name == github.repository"


def test_program_plan_needs_no_secret():
    job = load("preview.yml")["jobs"]["program-plan"]
    assert job["permissions"] == {"contents": "read"} and "secrets." not in (WORKFLOWS / "preview.yml").read_text()


def plan_script(workflow: str, job: str) -> str:
    return next(step["run"] for step in load(workflow)["jobs"][job]["steps"] if "tenancy plan" in step.get("run", ""))


def test_program_plan_plans_each_side_with_its_own_program():
    script = plan_script("preview.yml", "program-plan")
    assert '--base "$BASE_SHA"' in script and "--program each" in script and "--format markdown" in script


def test_the_verdict_plans_the_merged_files_with_mains_program():
    script = plan_script("plan-verdict.yml", "plan")
    assert '--base "$BASE"' in script and '--head "$merged"' in script and "--program current" in script
    # Planned once: the approvals verified for the head commit go in, the verdict comes out as the exit code.
    calls = [command(call) for call in script.split("-m tenancy plan")[1:] if '--base "$BASE"' in command(call)]
    assert len(calls) == 1
    [call] = calls
    # One comment for every stack of either side, verdict first (plan --all-stacks), the whole report in the job summary.
    assert "--all-stacks" in call and "--format markdown" in call and '--summary "$GITHUB_STEP_SUMMARY"' in call
    assert '--commit "$HEAD_SHA"' in call and '--author "$AUTHOR"' in call and '"${approvals[@]}"' in call
    assert "--allow-offboarding" not in call


def command(text: str) -> str:
    """A shell command from its first line through its `\\` continuation lines."""
    lines = []
    for line in text.splitlines():
        lines.append(line)
        if not line.rstrip().endswith("\\"):
            break
    return "\n".join(lines)


def test_prod_deploys_only_after_dev_through_its_environment():
    prod = load("deploy.yml")["jobs"]["prod"]
    assert "dev" in prod["needs"] and prod["with"]["environment"] == "prod"


def test_deploys_never_run_concurrently_on_a_stack():
    jobs = load("deploy.yml")["jobs"]
    assert {job_id: jobs[job_id]["concurrency"] for job_id in ("dev", "prod")} == {
        "dev": {"group": "pulumi-${{ matrix.stack }}", "cancel-in-progress": False},
        "prod": {"group": "pulumi-${{ matrix.stack }}", "cancel-in-progress": False},
    }


def test_deploy_runs_on_push_to_main_or_by_hand():
    assert triggers(load("deploy.yml")) == {"push": {"branches": ["main"]}, "workflow_dispatch": {}}


# Stack lists come from `python -m tenancy shards` (stacks.yml), never from a hand-written matrix.
PULUMI_JOBS = {
    ("deploy.yml", "dev"): "dev",
    ("deploy.yml", "prod"): "prod",
    ("drift.yml", "refresh"): "all",
    ("preview.yml", "pulumi-preview"): "all",
}


def test_every_pulumi_job_takes_its_stacks_from_the_shards_command():
    for (name, job_id), output in PULUMI_JOBS.items():
        workflow = load(name)
        job = workflow["jobs"][job_id]
        assert workflow["jobs"]["stacks"]["uses"] == "$/.github/workflows/stacks.yml", name
        assert "stacks" in job["needs"], (name, job_id)
        assert job["strategy"]["matrix"] == {"include": f"${{{{ fromJSON(needs.stacks.outputs.{output}) }}}}"}, (name, job_id)
        assert job["with"]["stack"] == "${{ matrix.stack }}", (name, job_id)


def test_the_stack_list_is_the_shards_commands_json():
    [script] = [step["run"] for step in load("stacks.yml")["jobs"]["list"]["steps"] if "tenancy shards --format json" in step.get("run", "")]
    assert "set -euo pipefail" in script
    assert set(triggers(load("stacks.yml"))["workflow_call"]["outputs"]) == {"dev", "prod", "all"}


def test_drift_uses_the_main_only_read_only_environment_and_previews_the_reviewed_one():
    assert load("drift.yml")["jobs"]["refresh"]["with"]["environment"] == "${{ matrix.environment }}-readonly"
    assert load("preview.yml")["jobs"]["pulumi-preview"]["with"]["environment"] == "${{ matrix.environment }}-preview"


def test_drift_is_scheduled_and_shares_the_stack_lock():
    drift = load("drift.yml")
    assert "schedule" in triggers(drift)
    assert drift["jobs"]["refresh"]["concurrency"]["group"] == "pulumi-${{ matrix.stack }}"


def test_drift_check_refreshes_in_preview_and_expects_no_changes():
    scripts = [step.get("run", "") for step in steps(load("pulumi-stack.yml"))]
    assert any("pulumi refresh" in s and "--preview-only" in s and "--expect-no-changes" in s for s in scripts)


def test_pulumi_cli_matches_the_sdk_pin():
    sdk = re.search(r"^pulumi==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert load("pulumi-stack.yml")["env"]["PULUMI_VERSION"] == sdk


def test_deploys_go_on_past_one_tenants_failure_and_report_it():
    # A tenant's deleted repository or uninstalled App fails its own webhook; every other change is applied,
    # and the job still fails at the end, so prod (which needs dev) does not start (docs/ci.md).
    [up] = [step for step in steps(load("pulumi-stack.yml")) if "pulumi up" in step.get("run", "")]
    assert up["if"] == "inputs.command == 'up'"
    invocation = command(up["run"][up["run"].index("pulumi up --stack"):])
    assert "--continue-on-error" in invocation and "--yes" in invocation
    assert "GITHUB_STEP_SUMMARY" in up["run"] and "exit 1" in up["run"]
    assert not any(step.get("with", {}).get("command") == "up" for step in steps(load("pulumi-stack.yml")))
