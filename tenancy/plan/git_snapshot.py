"""A project as it is at a git revision, written to a directory: its settings and tenant files only,
as data, or its whole tree, to run its own program.

`plan --program current` plans the running program with another revision's Pulumi.yaml,
Pulumi.<stack>.yaml and tenants directory. Those may come from a pull request nobody has reviewed,
so they are read blob by blob (`git ls-tree`, `git cat-file`) and written as regular files only:
a symbolic link, a submodule or an oversized file is refused, and no git attribute (export-ignore,
export-subst) can hide or rewrite one. `plan --program each` runs the revision's own program, so it
takes the whole tree (`git archive`). The working tree is never touched.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tenancy.project.stacks import is_settings_file, stack_name_of

# Far above any stack or tenant file (a few KB); a larger blob is not one, and is not read into memory.
MAX_FILE_BYTES = 1_000_000
_REGULAR_FILE_MODES = ("100644", "100755")


class SnapshotError(Exception):
    """The revision cannot be read: not a repository, an unknown ref, or git failed."""


@dataclass(frozen=True)
class Snapshot:
    commit: str
    root: Path  # stands for the repository's top directory at `commit`
    directory: Path  # stands for the project directory at `commit`


def _git(cwd: Path, *args: str, binary: bool = False, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, text=not binary and stdin is None, check=False
        )
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


@dataclass(frozen=True)
class _Blob:
    mode: str
    kind: str
    oid: str
    size: int | None
    path: str


def _files_at(project_dir: Path, commit: str, path: PurePosixPath) -> list[_Blob]:
    """Every entry under `path` (relative to the repository's top) at `commit`, with its mode and size."""
    listing = _checked(
        _git(project_dir, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", path.as_posix()),
        "git ls-tree",
    )
    blobs = []
    for entry in filter(None, listing.split("\0")):
        meta, name = entry.split("\t", 1)
        mode, kind, oid, size = meta.split()
        blobs.append(_Blob(mode, kind, oid, int(size) if size.isdigit() else None, name))
    return blobs


def _refusal(commit: str, blob: _Blob) -> str | None:
    where = f"{commit[:12]}:{blob.path}"
    if blob.mode == "120000":
        return f"{where} is a symbolic link; only regular files are read from another revision"
    if blob.kind != "blob" or blob.mode not in _REGULAR_FILE_MODES:
        return f"{where} is not a regular file (mode {blob.mode}); only regular files are read from another revision"
    if blob.size is None or blob.size > MAX_FILE_BYTES:
        return f"{where} has {blob.size} bytes, more than the {MAX_FILE_BYTES:,} a stack or tenant file may have"
    parts = PurePosixPath(blob.path).parts
    if PurePosixPath(blob.path).is_absolute() or ".." in parts:
        return f"{where}: a path that leaves the repository"
    return None


def _extract(project_dir: Path, commit: str, blobs: list[_Blob], destination: Path) -> None:
    """Write each blob as a regular file under `destination`; SnapshotError on the first that is not one."""
    if not blobs:
        return
    refused = [reason for reason in (_refusal(commit, blob) for blob in blobs) if reason]
    if refused:
        raise SnapshotError("\n".join(refused))
    oids = "".join(f"{blob.oid}\n" for blob in blobs).encode()
    batch = _checked(_git(project_dir, "cat-file", "--batch", binary=True, stdin=oids), "git cat-file")
    offset = 0
    for blob in blobs:
        header_end = batch.index(b"\n", offset)
        oid, kind, size = batch[offset:header_end].decode().split()
        start, end = header_end + 1, header_end + 1 + int(size)
        if oid != blob.oid or kind != "blob":
            raise SnapshotError(f"git cat-file: expected blob {blob.oid}, got {kind} {oid}")
        target = destination / blob.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(batch[start:end])
        offset = end + 1


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
    blobs = [
        blob
        for blob in _files_at(project_dir, commit, prefix)
        if PurePosixPath(blob.path).parent == prefix and is_settings_file(PurePosixPath(blob.path).name)
    ]
    destination.mkdir(parents=True, exist_ok=True)
    _extract(project_dir, commit, blobs, destination)
    return Snapshot(commit=commit, root=destination, directory=destination / prefix)


def stack_names_at(project_dir: Path, ref: str) -> list[str]:
    """The stacks the project has at `ref`: every Pulumi.<stack>.yaml beside its Pulumi.yaml, sorted."""
    commit = resolve(project_dir, ref)
    prefix = repository_path(project_dir, project_dir)
    names = []
    for blob in _files_at(project_dir, commit, prefix):
        path = PurePosixPath(blob.path)
        name = stack_name_of(path.name) if path.parent == prefix else None
        if name:
            names.append(name)
    return sorted(names)


def blob_ids(project_dir: Path, commit: str, path: Path, recursive: bool = True) -> dict[str, tuple[str, str]]:
    """The entries under the working-tree directory `path` at `commit` (every one, or with
    `recursive` off its direct children only), each by its path relative to `path` -> its mode and
    object id: two revisions hold the same bytes at a path when they hold the same id."""
    relative = repository_path(project_dir, path)
    listing = _checked(
        _git(project_dir, "ls-tree", *(["-r"] if recursive else []), "-z", "--full-tree", commit, "--", f"{relative.as_posix()}/"),
        "git ls-tree",
    )
    found = {}
    for entry in filter(None, listing.split("\0")):
        meta, name = entry.split("\t", 1)
        mode, _, oid = meta.split()
        found[PurePosixPath(name).relative_to(relative).as_posix()] = (mode, oid)
    return found


def whole_tree(project_dir: Path, ref: str, destination: Path) -> Snapshot:
    """Write every file of the repository at `ref` under `destination`: the revision's own program,
    to be run (`plan --program each`), so it is taken as it is, with `git archive`."""
    commit = resolve(project_dir, ref)
    archive = _checked(_git(_top(project_dir), "archive", "--format=tar", commit, binary=True), "git archive")
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        # The "data" filter refuses absolute paths, links out of the directory and device files.
        tar.extractall(destination, filter="data")
    return Snapshot(commit=commit, root=destination, directory=destination / repository_path(project_dir, project_dir))


def directory_at(project_dir: Path, snapshot: Snapshot, path: Path) -> Path:
    """Write the working-tree directory `path` as it is at the snapshot's commit; empty if it did not exist."""
    relative = repository_path(project_dir, path)
    _extract(project_dir, snapshot.commit, _files_at(project_dir, snapshot.commit, relative), snapshot.root)
    target = snapshot.root / relative
    target.mkdir(parents=True, exist_ok=True)
    return target


def changed_paths(project_dir: Path, base: str, head: str | None) -> list[str]:
    """Every path (from the repository's top) that differs between `base` and `head` (None: the working
    tree, untracked files included), renames as a deletion and an addition."""
    base_commit = resolve(project_dir, base)
    top = _top(project_dir)
    if head is not None:
        listing = _checked(
            _git(top, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", base_commit, resolve(project_dir, head), "--"),
            "git diff",
        )
        return sorted(filter(None, listing.split("\0")))
    edited = _checked(_git(top, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", base_commit, "--"), "git diff")
    untracked = _checked(_git(top, "ls-files", "--others", "--exclude-standard", "-z", "--full-name"), "git ls-files")
    return sorted(set(filter(None, edited.split("\0"))) | set(filter(None, untracked.split("\0"))))


def text_at(project_dir: Path, ref: str | None, path: str) -> str | None:
    """The text of `path` (from the repository's top) at `ref`, or in the working tree (None); None where
    it is no regular file there, or no text. Size-capped as every file read from a revision."""
    top = _top(project_dir)
    if ref is None:
        local = top / path
        if local.is_symlink() or not local.is_file() or local.stat().st_size > MAX_FILE_BYTES:
            return None
        try:
            return local.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return None
    commit = resolve(project_dir, ref)
    blobs = [blob for blob in _files_at(project_dir, commit, PurePosixPath(path)) if blob.path == path]
    if not blobs or _refusal(commit, blobs[0]) is not None:
        return None
    content = _checked(_git(top, "cat-file", "blob", blobs[0].oid, binary=True), "git cat-file")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def file_at(project_dir: Path, snapshot: Snapshot, path: str) -> None:
    """Write the regular file `path` (from the repository's top) as it is at the snapshot's commit, if it exists there."""
    blobs = [blob for blob in _files_at(project_dir, snapshot.commit, PurePosixPath(path)) if blob.path == path]
    _extract(project_dir, snapshot.commit, blobs, snapshot.root)
