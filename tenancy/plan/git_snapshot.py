"""The project's settings and tenant files as they are at a git revision, written to a directory.

`plan --base REF` plans the current program with these files, so only Pulumi.yaml,
Pulumi.<stack>.yaml and the tenants directory are taken from REF: the program code is the one
being reviewed. Read with `git ls-tree` and `git archive`; the working tree is never touched.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

STACK_FILE_GLOB = "Pulumi*.yaml"


class SnapshotError(Exception):
    """The revision cannot be read: not a repository, an unknown ref, or git failed."""


@dataclass(frozen=True)
class Snapshot:
    commit: str
    root: Path  # stands for the repository's top directory at `commit`
    directory: Path  # stands for the project directory at `commit`


def _git(cwd: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=not binary, check=False)
    except FileNotFoundError:
        raise SnapshotError("git is not installed; --base needs it") from None


def _checked(result: subprocess.CompletedProcess, what: str):
    if result.returncode != 0:
        detail = result.stderr if isinstance(result.stderr, str) else result.stderr.decode(errors="replace")
        raise SnapshotError(f"{what}: {detail.strip() or f'git exited {result.returncode}'}")
    return result.stdout


def resolve(project_dir: Path, ref: str) -> str:
    """The full commit id `ref` names in the repository of `project_dir`."""
    if not ref or ref.startswith("-"):
        raise SnapshotError(f"'{ref}' is not a git revision")
    if _git(project_dir, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise SnapshotError(f"{project_dir} is not inside a git repository; --base needs one")
    found = _git(project_dir, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise SnapshotError(
            f"'{ref}' does not name a commit in this repository (a shallow CI checkout may lack it: "
            f"git fetch --depth=1 origin <branch>)"
        )
    return found.stdout.strip()


def _top(project_dir: Path) -> Path:
    return Path(_checked(_git(project_dir, "rev-parse", "--show-toplevel"), "git rev-parse").strip())


def _files_at(project_dir: Path, commit: str, path: PurePosixPath) -> list[str]:
    """Paths of the blobs under `path` (relative to the repository's top) at `commit`."""
    listing = _checked(
        _git(project_dir, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit, "--", path.as_posix()),
        "git ls-tree",
    )
    return [name for name in listing.split("\0") if name]


def _extract(project_dir: Path, commit: str, paths: list[str], destination: Path) -> None:
    if not paths:
        return
    # From the top: in a subdirectory, git archive would name members relative to it.
    archive = _checked(
        _git(_top(project_dir), "archive", "--format=tar", commit, "--", *paths, binary=True), "git archive"
    )
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        # The "data" filter refuses absolute paths, links out of the directory and device files.
        tar.extractall(destination, filter="data")


def repository_path(project_dir: Path, path: Path) -> PurePosixPath:
    """`path` relative to the repository's top, as git names it; raises SnapshotError outside the repository."""
    top = _top(project_dir)
    try:
        return PurePosixPath(path.resolve().relative_to(top.resolve()).as_posix())
    except ValueError:
        raise SnapshotError(f"{path} is outside the git repository {top}; --base can only read files in it") from None


def stack_files(project_dir: Path, ref: str, destination: Path) -> Snapshot:
    """Write Pulumi.yaml and every Pulumi.<stack>.yaml of the project at `ref` under `destination`.

    `destination` mirrors the repository: the project's files land at the same relative place.
    """
    commit = resolve(project_dir, ref)
    prefix = repository_path(project_dir, project_dir)
    names = [
        name
        for name in _files_at(project_dir, commit, prefix)
        if PurePosixPath(name).parent == prefix and PurePosixPath(name).match(STACK_FILE_GLOB)
    ]
    destination.mkdir(parents=True, exist_ok=True)
    _extract(project_dir, commit, names, destination)
    return Snapshot(commit=commit, root=destination, directory=destination / prefix)


def directory_at(project_dir: Path, snapshot: Snapshot, path: Path) -> Path:
    """Write the working-tree directory `path` as it is at the snapshot's commit; empty if it did not exist."""
    relative = repository_path(project_dir, path)
    _extract(project_dir, snapshot.commit, _files_at(project_dir, snapshot.commit, relative), snapshot.root)
    target = snapshot.root / relative
    target.mkdir(parents=True, exist_ok=True)
    return target
