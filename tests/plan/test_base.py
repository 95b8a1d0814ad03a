"""`plan --base` end to end: a git repository in a temporary directory, the real program, both revisions planned.

The repository's history: `base` (alpha, beta, gamma), `broken` (adds an invalid file), then main
without it. The working tree onboards delta, changes alpha, pauses gamma and offboards beta.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tenancy.cli.main import main

from tests.support.git_repo import git, program_repo, write
from tests.support.github_markdown import text_of, to_html
from tests.support.program import PROJECT_DIR, registration

RETIRED = "tenants/_retired-buckets.yaml"


def approved(repo: Path, kind: str, ref: str = "HEAD", login: str = "platform-owner") -> str:
    """`--approved` as CI passes it: KIND=LOGIN@SHA, for the commit `ref` names."""
    commit = subprocess.run(["git", "rev-parse", ref], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()
    return f"--approved={kind}={login}@{commit}"

def plan(repo: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        stack = [] if "--stack" in argv or "--all-stacks" in argv else ["--stack", "dev"]
        code = main(["plan", "--project-dir", str(repo), *stack, *argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = program_repo(tmp_path_factory.mktemp("repo"), stacks=("dev",))
    write(root, registration("alpha", dataBucket={"bucket": "alpha-data", "region": "us-west-2"}, readUsers=["a@example.org"]))
    write(root, registration("beta"))
    write(root, registration("gamma"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "tag", "base")
    write(root, registration("broken", repoUrl="not-a-url"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "broken")
    git(root, "tag", "broken")
    git(root, "rm", "-q", "tenants/broken.yaml")
    git(root, "commit", "-q", "-m", "fixed")
    # The pull request, uncommitted: plan reads the working tree.
    write(root, registration("delta"))
    write(root, registration("alpha", dataBucket={"bucket": "alpha-data", "region": "us-west-2"}, readUsers=["b@example.org"]))
    write(root, registration("gamma", paused=True))
    (root / "tenants" / "beta.yaml").unlink()
    # ... and records the bucket beta leaves behind, as offboarding requires.
    (root / RETIRED).write_text(
        yaml.safe_dump({"retiredBuckets": [{"bucket": "beta-artifacts-dev", "registration": "beta", "environment": "dev"}]})
    )
    return root


@pytest.fixture(scope="module")
def blocked(repo):
    return plan(repo, "--base", "base", "--format", "json")


@pytest.fixture(scope="module")
def diff(blocked):
    return json.loads(blocked[1])


def status(diff: dict, name: str) -> str:
    return next(tenant["status"] for tenant in diff["tenants"] if tenant["name"] == name)


def test_onboarded_tenant(diff):
    assert status(diff, "delta") == "onboarded"


def test_offboarded_tenant(diff):
    assert status(diff, "beta") == "offboarded" and diff["offboarding"]["tenants"] == ["beta"]


def test_changed_tenant_names_resource_and_path(diff):
    alpha = next(tenant for tenant in diff["tenants"] if tenant["name"] == "alpha")
    paths = {(change["name"], path["path"]) for change in alpha["resources"] for path in change["changes"]}
    assert ("alpha-namespace-sa-tenant-reader", 'inputs.metadata.annotations["workflows.argoproj.io/rbac-rule"]') in paths


def test_paused_tenant_turns_its_webhook_off(diff):
    gamma = next(tenant for tenant in diff["tenants"] if tenant["name"] == "gamma")
    hook = next(change for change in gamma["resources"] if change["name"] == "gamma-webhook-hook")
    assert {"path": "inputs.active", "before": True, "after": False} in hook["changes"]


def test_untouched_count(diff):
    assert diff["summary"]["tenants"]["untouched"] == 0


def test_base_commit_is_named(diff, repo):
    commit = subprocess.run(["git", "rev-parse", "base"], cwd=repo, capture_output=True, text=True).stdout.strip()
    assert diff["base"] == {"ref": "base", "commit": commit, "newStack": False}


def test_offboarding_exits_3(blocked):
    assert blocked[0] == 3


def test_allow_offboarding_exits_0(repo):
    # alpha's readers change too: an access change, which offboarding's approval does not cover.
    code, out, err = plan(repo, "--base", "base", "--allow-offboarding", "--program", "current")
    assert code == 3 and "NEEDS APPROVAL: access change: alpha: spec.readUsers" in out
    code, out, _ = plan(repo, "--base", "base", "--allow-offboarding", "--program", "current", approved(repo, "access-change"))
    assert code == 0 and "BLOCKING: accepted locally (--allow-offboarding)" in out


def test_an_offboarding_that_does_not_record_its_buckets_is_refused_even_when_allowed(repo):
    recorded = (repo / RETIRED).read_text()
    (repo / RETIRED).unlink()
    try:
        code, out, err = plan(repo, "--base", "base", "--allow-offboarding")
    finally:
        (repo / RETIRED).write_text(recorded)
    assert code == 3
    assert "beta-artifacts-dev" in err and "not recorded in tenants/_retired-buckets.yaml" in err
    assert "not in tenants/_retired-buckets.yaml: record it there first" in out


def test_unknown_ref_exits_4_and_says_so(repo):
    code, _, err = plan(repo, "--base", "no-such-branch")
    assert code == 4 and "'no-such-branch' does not name a commit" in err


def test_invalid_base_exits_4_naming_the_file_at_the_ref(repo):
    code, _, err = plan(repo, "--base", "broken")
    assert code == 4
    assert "broken:tenants/broken.yaml:" in err and "spec.repoUrl" in err


def test_stack_without_settings_at_the_base_is_new(repo):
    shutil.copy(PROJECT_DIR / "Pulumi.prod.yaml", repo)
    try:
        code, out, _ = plan(repo, "--base", "base", "--format", "json", "--stack", "prod", approved(repo, "platform-change"))
    finally:
        (repo / "Pulumi.prod.yaml").unlink()
    result = json.loads(out)
    assert result["base"]["newStack"] is True
    # Still blocked: alpha's readers changed (an access change), and beta is offboarded in dev only.
    assert code == 3 and [r["kind"] for r in result["review"]["requirements"] if "approvedBy" not in r] == ["access-change"]
    assert result["summary"]["tenants"]["onboarded"] == 3


def test_working_tree_is_left_as_it_was(repo, blocked):
    porcelain = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    assert sorted(line[3:] for line in porcelain.splitlines()) == [
        "tenants/_retired-buckets.yaml",
        "tenants/alpha.yaml",
        "tenants/beta.yaml",
        "tenants/delta.yaml",
        "tenants/gamma.yaml",
    ]


def test_a_reader_swapped_is_named_in_the_comment(repo):
    code, out, _ = plan(repo, "--base", "base", "--format", "markdown", "--allow-offboarding", approved(repo, "access-change"))
    assert code == 0
    row = next(line for line in out.splitlines() if "tenant-reader" in line and "rbac-rule" in line)
    assert "a@example.org" in row and "b@example.org" in row


@pytest.mark.parametrize("stacks", [["--all-stacks"], ["--stack", "dev", "--stack", "prod"]], ids=["all", "repeated"])
def test_every_stack_in_one_comment_with_the_worst_exit_code(repo, stacks):
    shutil.copy(PROJECT_DIR / "Pulumi.prod.yaml", repo)
    try:
        code, out, err = plan(repo, "--base", "base", *stacks, "--format", "markdown")
    finally:
        (repo / "Pulumi.prod.yaml").unlink()
    # dev offboards beta (exit 3); prod is new at head, its tenants all onboarded (exit 0).
    assert code == 3, err
    assert out.startswith("**⛔ Blocked for `")
    verdict = text_of(to_html(out).split("</blockquote>")[1])
    assert "dev: blocked: 1 tenant offboarded" in verdict and "prod: nothing blocking" in verdict
    assert [line.split(" · ")[0] for line in out.splitlines() if line.startswith("#### ")] == ["#### `dev`", "#### `prod`"]


def test_several_stacks_need_a_base(repo):
    code, _, err = plan(repo, "--all-stacks")
    assert code == 2 and "--base" in err


@pytest.fixture(scope="module")
def stacks_repo(tmp_path_factory) -> Path:
    """Base: stacks dev and prod. Head (committed): prod's stack renamed `production` (same environment)."""
    root = program_repo(tmp_path_factory.mktemp("stacks"), stacks=("dev", "prod"))
    write(root, registration("alpha"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "tag", "base")
    production = yaml.safe_load((root / "Pulumi.prod.yaml").read_text())
    production["config"]["argo-tenants:environment"] = "prod"
    (root / "Pulumi.production.yaml").write_text(yaml.safe_dump(production, sort_keys=False))
    git(root, "rm", "-q", "Pulumi.prod.yaml")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "head")
    git(root, "tag", "head")
    git(root, "checkout", "-q", "base")  # main's working tree, as in CI: the head is read as data only
    return root


def test_all_stacks_with_a_head_plans_the_stacks_of_either_revision(stacks_repo):
    code, out, err = plan(stacks_repo, "--base", "base", "--head", "head", "--program", "current", "--all-stacks", "--format", "markdown")
    headings = sorted(line.split(" · ")[0] for line in out.splitlines() if line.startswith("#### "))
    assert headings == ["#### `dev`", "#### `prod`", "#### `production`"], err
    verdict = text_of(to_html(out).split("</blockquote>")[1])
    assert "prod: blocked: Pulumi.prod.yaml is removed" in verdict
    assert "dev" in verdict and "production" in verdict and "nothing blocking" in verdict
    assert code == 3


def test_a_removed_stack_is_accepted_only_with_the_label(stacks_repo):
    code, out, _ = plan(
        stacks_repo, "--base", "base", "--head", "head", "--program", "current", "--all-stacks",
        "--allow-offboarding", "--format", "markdown", approved(stacks_repo, "platform-change", "head"),
    )
    verdict = text_of(to_html(out).split("</blockquote>")[1])
    assert "Offboarding accepted" in verdict and "Pulumi.prod.yaml is removed" in verdict
    assert code == 0


def _removed_stack_plan(stacks_repo, form: str, *approvals: str) -> tuple[int, str]:
    code, out, _ = plan(
        stacks_repo, "--base", "base", "--head", "head", "--program", "current", "--all-stacks", "--author", "mallory",
        "--format", form, *approvals,
    )
    return code, out


def test_a_removed_stack_needs_its_offboarding_accepted_not_each_of_its_settings(stacks_repo):
    code, out = _removed_stack_plan(stacks_repo, "markdown")
    first = out.splitlines()[0]
    # production, new at head, is a new deploy target: its settings need a platform owner; prod's are gone with it.
    assert code == 3 and "a platform owner's acceptance of offboarding (label `allow-offboarding`) on `prod`" in first, first
    assert "(stack production)" in out and "(stack prod)" not in out and "(stacks prod" not in out


# production, new at head, is a new deploy target: the accepted cases approve its settings too.
def test_a_removed_stack_says_who_accepted_it_for_which_commit_in_markdown(stacks_repo):
    commit = subprocess.run(["git", "rev-parse", "head"], cwd=stacks_repo, capture_output=True, text=True).stdout.strip()
    code, out = _removed_stack_plan(stacks_repo, "markdown", approved(stacks_repo, "offboarding", "head", login="alice"), approved(stacks_repo, "platform-change", "head"))
    row = next(line for line in out.splitlines() if line.startswith("| `prod` |"))
    assert code == 0 and f"accepted by @alice for {commit[:12]}: Pulumi.prod.yaml is removed" in row, row
    assert "allow-offboarding" not in row


def test_a_removed_stack_is_shown_in_text_blocked_then_accepted_by_whom(stacks_repo):
    commit = subprocess.run(["git", "rev-parse", "head"], cwd=stacks_repo, capture_output=True, text=True).stdout.strip()
    code, out = _removed_stack_plan(stacks_repo, "text")
    assert code == 3 and "stack prod: Pulumi.prod.yaml is removed\n\nBLOCKING: exit 3 until approved" in out, out
    code, out = _removed_stack_plan(stacks_repo, "text", approved(stacks_repo, "offboarding", "head", login="alice"), approved(stacks_repo, "platform-change", "head"))
    assert code == 0 and f"stack prod: Pulumi.prod.yaml is removed\n\nBLOCKING: accepted by @alice for {commit[:12]}" in out, out
