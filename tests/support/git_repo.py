"""A throwaway git repository for tests of `plan --base`: commits made with a fixed identity."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.support.program import PROJECT_DIR

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def program_repo(root: Path, stacks: tuple[str, ...] = ()) -> Path:
    """A new repository at `root` (branch main, nothing committed) with the program as
    `plan --program each` runs it from a revision (__main__.py, components/, tenancy/), Pulumi.yaml,
    the Pulumi.<stack>.yaml of `stacks` and an empty tenants/."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_DIR / "__main__.py", root)
    for package in ("components", "tenancy"):
        shutil.copytree(PROJECT_DIR / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("Pulumi.yaml", *(f"Pulumi.{stack}.yaml" for stack in stacks)):
        shutil.copy(PROJECT_DIR / name, root)
    (root / "tenants").mkdir()
    git(root, "init", "-q", "-b", "main")
    return root


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True)


def write(repo: Path, document: dict) -> None:
    (repo / "tenants" / f"{document['metadata']['name']}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
