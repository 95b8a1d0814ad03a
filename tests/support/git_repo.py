"""A throwaway git repository for tests of `plan --base`: commits made with a fixed identity."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True)


def write(repo: Path, document: dict) -> None:
    (repo / "tenants" / f"{document['metadata']['name']}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
