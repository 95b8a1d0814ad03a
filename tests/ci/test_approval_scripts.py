"""plan-verdict.yml's approval job, its shell run against a stand-in `gh` that answers as GitHub's API
would: which approvals reach the plan (`KIND=LOGIN@SHA`), and which never do."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.workflows import load

WORKFLOW = load("plan-verdict.yml")
RECORD, READ = [step["run"] for step in WORKFLOW["jobs"]["approval"]["steps"]]
HEAD = "c" * 40
BOT = "github-actions[bot]"


def status(kind: str, description: str, state: str = "success", creator: str = BOT) -> dict:
    return {"context": f"argo-tenants/approval/{kind}", "state": state, "description": description, "creator": {"login": creator}}


def fake_gh(tmp_path: Path, answers: dict[str, str]) -> Path:
    """A `gh` that prints the answer for the API path it is asked for, and logs every call."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    script = bin_dir / "gh"
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import json, sys\n"
        f"answers = json.load(open({str(tmp_path / 'answers.json')!r}))\n"
        f"open({str(tmp_path / 'calls')!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
        "path = next((a for a in sys.argv[2:] if a.startswith('repos/')), '')\n"
        "for key, value in answers.items():\n"
        "    if key in path:\n"
        "        print(value)\n"
        "        break\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def run(tmp_path: Path, script: str, answers: dict[str, str], **env: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    bin_dir = fake_gh(tmp_path, answers)
    output = tmp_path / "output"
    output.write_text("")
    environment = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output),
        "REPOSITORY": "calypr/argo-tenants",
        "PR": "7",
        "HEAD_SHA": HEAD,
        "RUN_URL": "https://example.invalid/run",
        "APPROVAL_CONTEXT": WORKFLOW["env"]["APPROVAL_CONTEXT"],
        "APPROVAL_LABELS": WORKFLOW["env"]["APPROVAL_LABELS"],
        "VERDICT_CONTEXT": WORKFLOW["env"]["VERDICT_CONTEXT"],
        **env,
    }
    result = subprocess.run(["bash", "-e", "-c", script], env=environment, capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result, outputs


def read(tmp_path: Path, labels: list[str], statuses: list[dict]) -> str:
    # gh's --jq '.[].name' output: one label a line.
    answers = {"/labels": "\n".join(labels), "/statuses": json.dumps(statuses)}
    result, outputs = run(tmp_path, READ, answers)
    assert result.returncode == 0, result.stderr
    return outputs["approved"]


def test_each_recorded_approval_whose_label_is_there_reaches_the_plan(tmp_path):
    approved = read(
        tmp_path,
        ["allow-offboarding", "approve-platform-change", "approve-access-change"],
        [status("offboarding", "@alice"), status("platform-change", "@bob"), status("owner", "@carol")],
    )
    assert approved.split() == [f"offboarding=alice@{HEAD}", f"platform-change=bob@{HEAD}", f"owner=carol@{HEAD}"]


@pytest.mark.parametrize(
    ("labels", "statuses"),
    [
        ([], [status("platform-change", "@bob")]),  # the label was removed
        (["approve-platform-change"], [status("platform-change", "@bob", creator="mallory")]),  # not recorded by this workflow
        (["approve-platform-change"], [status("platform-change", "withdrawn by @bob", state="failure"), status("platform-change", "@bob")]),
        (["approve-platform-change"], [status("platform-change", "@bob; rm -rf /")]),  # not a login
    ],
    ids=["label-removed", "forged-status", "withdrawn-later", "not-a-login"],
)
def test_an_approval_that_is_not_current_and_ours_never_reaches_the_plan(tmp_path, labels, statuses):
    assert read(tmp_path, labels, statuses) == ""


def record(tmp_path: Path, label: str, sender: str, permission: str, author: str = "mallory") -> str:
    answers = {"/permission": permission}
    result, _ = run(tmp_path, RECORD, answers, ACTION="labeled", EVENT_LABEL=label, SENDER=sender, AUTHOR=author)
    assert result.returncode == 0, result.stderr
    return (tmp_path / "calls").read_text()


def test_a_platform_owners_label_is_recorded_as_their_approval(tmp_path):
    calls = record(tmp_path, "approve-platform-change", "bob", "maintain")
    assert "context=argo-tenants/approval/platform-change -f description=@bob" in calls


def test_someone_elses_access_label_is_an_owner_approval_that_plan_checks(tmp_path):
    calls = record(tmp_path, "approve-access-change", "carol", "triage")
    assert "context=argo-tenants/approval/owner -f description=@carol" in calls
    assert "approval/access-change -f description=@carol" not in calls


@pytest.mark.parametrize(("label", "sender", "permission"), [("approve-platform-change", "carol", "write"), ("allow-offboarding", "mallory", "admin")])
def test_a_label_from_someone_who_may_not_give_it_is_removed_and_records_nothing(tmp_path, label, sender, permission):
    calls = record(tmp_path, label, sender, permission)
    assert f"--method DELETE repos/calypr/argo-tenants/issues/7/labels/{label}" in calls
    assert "state=success" not in calls.replace("state=pending", "")
