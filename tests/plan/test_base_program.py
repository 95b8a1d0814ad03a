"""`plan --base --head`, with each side's own program or with this one: program changes show as what
they do, data changes that destroy state block, and a revision planned as data is never run.

The repository (a temporary one, the whole program committed in it): `main` has alpha (with a data
bucket) and beta. Each other branch changes one thing, as a pull request would.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from tenancy.cli.main import main

from tests.support.git_repo import git, program_repo, write
from tests.support.program import PROJECT_DIR, registration

ALPHA = registration("alpha", dataBucket={"bucket": "alpha-data", "region": "us-west-2"})


def plan(repo: Path, *argv: str, stack: str = "dev") -> tuple[int, dict | str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["plan", "--project-dir", str(repo), "--stack", stack, "--base", "main", "--format", "json", *argv])
    try:
        return code, json.loads(out.getvalue()), err.getvalue()
    except ValueError:
        return code, out.getvalue(), err.getvalue()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer has {old!r}: update this test"
    path.write_text(text.replace(old, new))


def branch(repo: Path, name: str, change) -> None:
    git(repo, "checkout", "-q", "-b", name, "main")
    change(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", name)
    git(repo, "checkout", "-q", "main")


def marker(repo: Path) -> Path:
    return repo.parent / "executed"


def drop_retain_on_delete(repo: Path) -> None:
    edit(repo / "components" / "tenant_bucket.py", "retain_on_delete=True", "retain_on_delete=False")
    # And leave a mark when this program runs.
    main_py = repo / "__main__.py"
    main_py.write_text(f"open({str(marker(repo))!r}, 'w').close()\n" + main_py.read_text())


def rename_bucket_components(repo: Path) -> None:
    edit(repo / "components" / "tenant_repo.py", 'f"{name}-{location.purpose}"', 'f"{name}-bucket-{location.purpose}"')


def move_alpha_to_another_repository(repo: Path) -> None:
    # The namespace is named after the repository: wf-<owner>-<repo>.
    moved = yaml.safe_load((repo / "tenants" / "alpha.yaml").read_text())
    moved["spec"]["repoUrl"] = "https://github.com/acme/alpha-renamed.git"
    write(repo, moved)


def add_prod_stack(repo: Path) -> None:
    shutil.copy(PROJECT_DIR / "Pulumi.prod.yaml", repo)


def link_a_tenant_file(repo: Path) -> None:
    os.symlink("../Pulumi.dev.yaml", repo / "tenants" / "linked.yaml")


def oversized_tenant_file(repo: Path) -> None:
    (repo / "tenants" / "huge.yaml").write_text("# " + "x" * 1_100_000 + "\n")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = program_repo(tmp_path_factory.mktemp("repo"), stacks=("dev",))
    write(root, ALPHA)
    write(root, registration("beta"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    for name, change in [
        ("drop-retain", drop_retain_on_delete),
        ("rename-component", rename_bucket_components),
        ("rename-namespace", move_alpha_to_another_repository),
        ("new-stack", add_prod_stack),
        ("symlink", link_a_tenant_file),
        ("oversized", oversized_tenant_file),
    ]:
        branch(root, name, change)
    return root


def test_a_program_that_drops_retain_on_delete_blocks(repo):
    marker(repo).unlink(missing_ok=True)
    code, diff, _ = plan(repo, "--head", "drop-retain")
    assert code == 3 and diff["program"] == "each"
    dropped = {entry["name"]: entry["dropped"] for entry in diff["offboarding"]["unprotected"]}
    assert dropped["alpha-artifacts"] == ["retainOnDelete"] and dropped["alpha-data"] == ["retainOnDelete"]
    # It was the head's own program that planned the head.
    assert marker(repo).exists()


def test_the_same_change_read_as_data_by_this_program_runs_nothing_of_it(repo):
    # What --program current is for, and what it cannot see: the program is this one on both sides.
    # So the review names the program's files, and a platform owner must approve them.
    marker(repo).unlink(missing_ok=True)
    code, diff, _ = plan(repo, "--head", "drop-retain", "--program", "current")
    assert code == 3 and diff["tenants"] == [] and diff["program"] == "current"
    [waiting] = diff["review"]["requirements"]
    assert (waiting["kind"], waiting["subject"]) == ("platform-change", "program and tooling")
    assert "2 files" in waiting["what"] and "`__main__.py`, `components/tenant_bucket.py`" in waiting["what"]
    assert not marker(repo).exists()


def test_a_renamed_component_orphans_its_buckets_and_blocks(repo):
    code, diff, _ = plan(repo, "--head", "rename-component")
    assert code == 3
    assert {(bucket["bucket"], bucket["reason"]) for bucket in diff["offboarding"]["buckets"]} >= {
        ("alpha-data-dev", "removed")
    }


def test_a_new_repository_url_replaces_the_namespace_and_blocks(repo):
    code, diff, _ = plan(repo, "--head", "rename-namespace", "--program", "current")
    assert code == 3
    alpha = next(tenant for tenant in diff["tenants"] if tenant["name"] == "alpha")
    actions = {entry["type"]: entry["action"] for entry in alpha["resources"]}
    assert actions["kubernetes:core/v1:Namespace"] == "replace"
    assert [(entry["kind"], entry["action"]) for entry in diff["offboarding"]["objects"]] == [("namespace", "replace")]


def test_the_head_names_the_revision_planned(repo):
    _, diff, _ = plan(repo, "--head", "rename-namespace", "--program", "current")
    commit = next(line for line in (repo / ".git" / "refs" / "heads" / "rename-namespace").read_text().splitlines())
    assert diff["head"] == {"ref": "rename-namespace", "commit": commit}


def test_a_stack_only_at_the_head_needs_no_file_in_the_working_tree(repo):
    assert not (repo / "Pulumi.prod.yaml").exists()
    code, diff, _ = plan(repo, "--head", "new-stack", "--program", "current", stack="prod")
    assert diff["base"]["newStack"] is True
    # A new stack is a new place to deploy to: its provider and platform settings need a platform owner.
    assert code == 3 and "aws:region (stack prod)" in {r["subject"] for r in diff["review"]["requirements"]}


def test_a_stack_missing_at_the_head_is_a_usage_error(repo):
    code, _, err = plan(repo, "--head", "drop-retain", "--program", "current", stack="prod")
    assert code == 2 and "Pulumi.prod.yaml does not exist at drop-retain" in err


@pytest.mark.parametrize(("branch_name", "words"), [("symlink", "is a symbolic link"), ("oversized", "more than the 1,000,000")])
def test_a_revisions_files_are_read_as_regular_files_only(repo, branch_name, words):
    code, _, err = plan(repo, "--head", branch_name, "--program", "current")
    assert code == 1 and words in err


def test_markdown_names_both_revisions_and_the_blocking_change(repo):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["plan", "--project-dir", str(repo), "--stack", "dev", "--base", "main", "--head", "rename-namespace",
              "--program", "current", "--format", "markdown"])
    text = out.getvalue()
    assert "Planned: `rename-namespace (" in text and "against base `main (" in text
    assert "**Blocking: 1 namespace, Vault secret or user deleted or replaced.**" in text
    assert "namespace `wf-acme-alpha` (alpha) is replaced" in text
