"""`plan --base` on shard stacks, end to end: a tenant whose spec.shard changes is reported by both
stacks as a move, with the `pulumi state move` that keeps its objects, and blocks like an offboarding.

Two git repositories in temporary directories: `sharded` (dev split into shards a and b; the working
tree moves alpha from a to b) and `split` (dev unsharded at the base; the working tree splits it).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from tenancy.cli.main import main
from tests.support.cli_project import add_shard_stack
from tests.support.program import PROJECT_DIR, registration
from tests.support.git_repo import git, program_repo, write

ALPHA_IN_DEV_A = "urn:pulumi:dev-a::argo-tenants::argo-tenants:index:TenantRepo::alpha"


def plan(repo: Path, stack: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        # Moves are about data: this program reads both revisions' files (--program each is test_base_program.py's).
        code = main(["plan", "--project-dir", str(repo), "--stack", stack, "--base", "main", "--program", "current", *argv])
    return code, out.getvalue(), err.getvalue()


def commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")


@pytest.fixture(scope="module")
def sharded(tmp_path_factory) -> Path:
    root = program_repo(tmp_path_factory.mktemp("sharded"))
    for shard in ("a", "b"):
        add_shard_stack(root, "dev", shard, ["a", "b"])
    for name, shard in (("alpha", "a"), ("beta", "b"), ("gamma", "a")):
        write(root, registration(name, shard=shard))
    commit(root)
    write(root, registration("alpha", shard="b"))
    return root


@pytest.fixture(scope="module")
def leaving(sharded):
    code, out, _ = plan(sharded, "dev-a", "--format", "json")
    return code, json.loads(out)


@pytest.fixture(scope="module")
def arriving(sharded):
    code, out, _ = plan(sharded, "dev-b", "--format", "json")
    return code, json.loads(out)


def move_of(diff: dict, name: str) -> dict:
    return next(tenant["move"] for tenant in diff["tenants"] if tenant["name"] == name)


def test_the_shard_it_leaves_reports_a_move_to_the_other(leaving):
    move = move_of(leaving[1], "alpha")
    assert (move["direction"], move["to"]) == ("out", {"stack": "dev-b", "shard": "b"})


def test_the_shard_it_joins_reports_a_move_from_the_first(arriving):
    move = move_of(arriving[1], "alpha")
    assert (move["direction"], move["from"]) == ("in", {"stack": "dev-a", "shard": "a"})


def test_both_stacks_give_the_same_state_move(leaving, arriving):
    command = (
        f"pulumi state move --source <org>/argo-tenants/dev-a --dest <org>/argo-tenants/dev-b '{ALPHA_IN_DEV_A}'"
    )
    assert move_of(leaving[1], "alpha")["command"] == move_of(arriving[1], "alpha")["command"] == command


def test_a_move_exits_3_on_both_stacks(leaving, arriving):
    assert (leaving[0], arriving[0]) == (3, 3)


def test_a_move_is_accepted_like_an_offboarding(sharded):
    code, out, _ = plan(sharded, "dev-b", "--allow-offboarding")
    assert code == 0 and "BLOCKING: accepted locally (--allow-offboarding)" in out


def test_the_text_report_prints_the_command_to_run(sharded):
    _, out, _ = plan(sharded, "dev-a")
    assert "tenant alpha moves to shard b (stack dev-b): `pulumi up` alone would delete its namespace" in out
    assert f"pulumi state move --source <org>/argo-tenants/dev-a --dest <org>/argo-tenants/dev-b \\\n      '{ALPHA_IN_DEV_A}'" in out


def test_the_pull_request_comment_quotes_the_command(sharded):
    _, out, _ = plan(sharded, "dev-b", "--format", "markdown")
    assert "> **Blocking: 1 tenant moving between stacks.**" in out
    assert f">   '{ALPHA_IN_DEV_A}'" in out


def test_untouched_shards_tenants_stay_untouched(leaving):
    assert leaving[1]["summary"]["tenants"]["untouched"] == 1


@pytest.fixture(scope="module")
def split(tmp_path_factory) -> Path:
    """dev deployed by stack dev at the base; the working tree splits it into shards a and b."""
    root = program_repo(tmp_path_factory.mktemp("split"))
    shutil.copy(PROJECT_DIR / "Pulumi.dev.yaml", root)
    for name in ("alpha", "beta"):
        write(root, registration(name))
    commit(root)
    (root / "Pulumi.dev.yaml").unlink()
    for shard in ("a", "b"):
        add_shard_stack(root, "dev", shard, ["a", "b"])
    write(root, registration("alpha", shard="a"))
    write(root, registration("beta", shard="b"))
    return root


def test_splitting_an_environment_moves_each_tenant_from_the_old_stack(split):
    code, out, _ = plan(split, "dev-a", "--format", "json")
    diff = json.loads(out)
    assert code == 3 and diff["base"]["newStack"] is True
    assert diff["offboarding"]["moves"] == ["alpha"]
    assert move_of(diff, "alpha")["from"] == {"stack": "dev", "shard": None}
    assert move_of(diff, "alpha")["urns"] == ["urn:pulumi:dev::argo-tenants::argo-tenants:index:TenantRepo::alpha"]
