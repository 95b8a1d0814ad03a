"""plan-verdict.yml's plan job, run here as the runner would run it: main checked out, the pull request
fetched from `refs/pull/<n>/head` and merged as git objects, main's program planning the merged files.

The pull request below offboards a tenant and also rewrites `plan` to report that nothing changes:
the verdict must not believe it, because nothing of the pull request runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.git_repo import GIT_ENV, git, program_repo, write
from tests.support.program import registration
from tests.support.workflows import load

PR = "7"
STEPS = {step.get("id"): step for step in load("plan-verdict.yml")["jobs"]["plan"]["steps"]}


def lie_about_the_plan(repo: Path) -> None:
    # The pull request's own `plan` would print "no changes" and exit 0 for any input.
    command = repo / "tenancy" / "cli" / "commands" / "plan.py"
    command.write_text(command.read_text() + '\n\ndef run(args):\n    print("no changes")\n    return 0\n')


@pytest.fixture(scope="module")
def runner(tmp_path_factory) -> dict[str, str]:
    """A checkout of main as actions/checkout leaves it, the pull request only on the remote."""
    top = tmp_path_factory.mktemp("verdict")
    origin = top / "origin.git"
    git(top, "init", "-q", "--bare", str(origin))
    author = program_repo(top / "author", stacks=("dev",))
    write(author, registration("alpha"))
    write(author, registration("beta"))
    git(author, "add", "-A")
    git(author, "commit", "-q", "-m", "main")
    git(author, "push", "-q", str(origin), "HEAD:refs/heads/main")
    (author / "tenants" / "beta.yaml").unlink()
    lie_about_the_plan(author)
    git(author, "add", "-A")
    git(author, "commit", "-q", "-m", "offboard beta, quietly")
    git(author, "push", "-q", str(origin), f"HEAD:refs/pull/{PR}/head")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=author, capture_output=True, text=True, check=True).stdout.strip()

    work = top / "work"
    git(top, "clone", "-q", "--branch", "main", str(origin), str(work))
    # make setup, as main's Makefile would run it: here the interpreter running the tests.
    (work / ".venv").symlink_to(Path(sys.executable).parent.parent)
    temp = top / "runner-temp"
    temp.mkdir()
    environment = {
        **GIT_ENV,
        **{key: value for key, value in STEPS["merge"]["env"].items() if not value.startswith("${{")},
        "GH_TOKEN": "unused-by-a-local-remote",
        "PR": PR,
        "HEAD_SHA": head,
        "GITHUB_OUTPUT": str(top / "output"),
        "GITHUB_STEP_SUMMARY": str(top / "summary.md"),
        "RUNNER_TEMP": str(temp),
        "AUTHOR": "mallory",
        "APPROVED": "",
    }
    environment.pop("PYTHONPATH", None)
    for step in ("merge", "plan"):
        result = subprocess.run(["bash", "-e", "-c", STEPS[step]["run"]], cwd=work, env=environment, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        outputs = dict(line.split("=", 1) for line in (top / "output").read_text().splitlines())
        environment["BASE"] = outputs["base"]
    return {**outputs, "head": head, "comment": (temp / "offline-plan" / "comment.md").read_text(), "summary": (top / "summary.md").read_text()}


def test_the_pull_request_cannot_talk_the_verdict_out_of_blocking(runner):
    # beta's bucket leaves management unrecorded in tenants/_retired-buckets.yaml: no label accepts that.
    assert runner["outcome"] == "blocked"
    assert runner["comment"].startswith(f"**⛔ Blocked for `{runner['head'][:12]}`** until recorded and approved: a record in")
    assert "offboarded" in runner["comment"] and "`beta`" in runner["comment"]
    assert "no changes" not in runner["comment"].lower()


def test_the_comment_names_the_program_change_for_a_platform_owner(runner):
    first = "\n".join(runner["comment"].splitlines()[:6])
    assert "**platform change** `program and tooling`: 1 file" in first and "`tenancy/cli/commands/plan.py`" in first


def test_the_plan_is_of_the_head_merged_into_main_and_no_synthetic_commit_is_named(runner):
    assert f"the pull request's head `{runner['head'][:12]}` merged into the base" in runner["comment"]
    assert "not a commit on GitHub" in runner["comment"]
    assert f"against base `{runner['base'][:12]}" in runner["comment"]


def test_the_job_summary_holds_the_whole_report(runner):
    assert runner["summary"].startswith(runner["comment"].splitlines()[0])
    assert len(runner["summary"]) >= len(runner["comment"])
