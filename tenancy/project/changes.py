"""Which files of a directory this change adds or edits, as git sees it: so that a clash between two
tenant files is reported on the file the pull request brings, not on the one that was already there.

"This change" is everything since the merge base with the branch it will merge into (the pull
request's base in CI, else the remote's default branch, else `main`), plus what the working tree
adds: edits not committed yet and files git does not track. Without git, or without a base to
compare with, nothing is known and the callers fall back to name order.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def _git(directory: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=directory, capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _bases() -> list[str]:
    """Branches this change may merge into, most likely first."""
    candidates = []
    pull_request_base = os.environ.get("GITHUB_BASE_REF")
    if pull_request_base:
        candidates += [f"origin/{pull_request_base}", pull_request_base]
    return [*candidates, "origin/HEAD", "origin/main", "main"]


def changed_files(directory: str | os.PathLike) -> frozenset[Path] | None:
    """Resolved paths of the files under `directory` this change adds or edits; None when git cannot tell."""
    directory = Path(directory)
    if not directory.is_dir():
        return None
    top = _git(directory, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    top_path = Path(top.strip())
    names: set[str] = set()
    untracked = _git(directory, "ls-files", "--others", "--exclude-standard", "-z", "--full-name", "--", ".")
    if untracked is None:
        return None
    names.update(name for name in untracked.split("\0") if name)
    base = None
    for candidate in _bases():
        found = _git(directory, "merge-base", "HEAD", candidate)
        if found:
            base = found.strip()
            break
    # Against the merge base: committed and uncommitted edits at once; without one, the uncommitted only.
    edited = _git(directory, "diff", "--name-only", "-z", "--no-renames", *([base] if base else ["HEAD"]), "--", ".")
    if edited is None:
        return None
    names.update(name for name in edited.split("\0") if name)
    return frozenset((top_path / name).resolve() for name in names)
