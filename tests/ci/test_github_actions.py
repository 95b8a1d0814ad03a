"""The GitHub workflows: zizmor (offline) and the workflow JSON Schema, then the rules docs/ci.md promises."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.program import PROJECT_DIR

ROOT = PROJECT_DIR
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    assert found, f"{name} is not installed: pip install -r requirements-dev.txt"
    return str(found)


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key `on` as True.
    value = workflow.get("on", workflow.get(True))
    return value if isinstance(value, dict) else {name: None for name in ([value] if isinstance(value, str) else value)}


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
    assert {path.name for path in FILES} >= {"preview.yml", "deploy.yml", "drift.yml", "plan-comment.yml"}


def test_zizmor_offline_finds_nothing():
    result = subprocess.run([tool("zizmor"), "--offline", str(WORKFLOWS)], capture_output=True, text=True)
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


def test_no_pull_request_target():
    assert not [path.name for path in FILES if "pull_request_target" in triggers(load(path.name))]


def test_workflows_grant_no_default_permissions():
    assert {path.name: load(path.name).get("permissions") for path in FILES} == {path.name: {} for path in FILES}


def test_every_job_of_a_triggered_workflow_declares_its_permissions():
    missing = [
        (path.name, job_id)
        for path in FILES
        if "workflow_call" not in triggers(load(path.name))
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


def test_offline_plan_needs_no_secret():
    job = load("preview.yml")["jobs"]["offline-plan"]
    assert job["permissions"] == {"contents": "read"} and "secrets." not in (WORKFLOWS / "preview.yml").read_text()


def test_offline_plan_compares_with_the_base_commit():
    script = next(step["run"] for step in load("preview.yml")["jobs"]["offline-plan"]["steps"] if "tenancy plan" in step.get("run", ""))
    assert '--base "$BASE_SHA"' in script and "--format markdown" in script


def test_comment_poster_never_checks_out_code():
    assert not [step for step in steps(load("plan-comment.yml")) if "checkout" in step.get("uses", "")]


def test_comment_poster_runs_after_the_preview_workflow():
    assert triggers(load("plan-comment.yml"))["workflow_run"]["workflows"] == [load("preview.yml")["name"]]


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
    assert set(load("stacks.yml")[True]["workflow_call"]["outputs"]) == {"dev", "prod", "all"}


def test_read_only_jobs_use_the_environments_read_only_roles():
    for name, job_id in (("drift.yml", "refresh"), ("preview.yml", "pulumi-preview")):
        assert load(name)["jobs"][job_id]["with"]["environment"] == "${{ matrix.environment }}-readonly"


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
