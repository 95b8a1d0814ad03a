"""The merge reviewed as a whole, beyond each stack's plan: every changed path classified
(tenancy.plan.changed_paths), every access change and rename (tenancy.plan.access), the settings each
stack's plan found changed, and `validate`'s checks run on the head's files, so that the verdict
refuses what `validate` and the deploy gate refuse. What it finds becomes Requirements
(tenancy.plan.approvals): refused, or waiting for an approval, or approved.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from tenancy.plan import access, changed_paths, git_snapshot
from tenancy.plan.markdown import code
from tenancy.plan.approvals import (
    ACCESS_CHANGE,
    PLATFORM_CHANGE,
    REFUSED,
    Approvals,
    Requirement,
    Review,
    setting_needs_platform,
)
from tenancy.plan.diff import setting_changes
from tenancy.plan.diff_render import describe
from tenancy.plan.outcome import Outcome
from tenancy.project import codeowners
from tenancy.project.stacks import Stacks, read_stacks, stack_config
from tenancy.project.validation import check_paths, codeowners_of


class _Side:
    """One revision's stack files and tenant files on disk: a snapshot of a ref, or the working tree."""

    def __init__(self, project_dir: Path, ref: str | None, scratch: Path):
        self.ref = ref
        self.project_dir = project_dir
        if ref is None:
            depth = len(git_snapshot.repository_path(project_dir, project_dir).parts)
            self.top = project_dir.resolve().parents[depth - 1] if depth else project_dir.resolve()
            self.settings_dir = project_dir
            self.stacks = read_stacks(project_dir)
            return
        snapshot = git_snapshot.stack_files(project_dir, ref, scratch)
        self.top = snapshot.root
        self.settings_dir = snapshot.directory
        for stack in read_stacks(snapshot.directory, tenants_base=project_dir).by_name.values():
            git_snapshot.directory_at(project_dir, snapshot, stack.tenants_dir)
        git_snapshot.file_at(project_dir, snapshot, codeowners.CODEOWNERS.as_posix())
        self.stacks: Stacks = read_stacks(snapshot.directory)

    def tenants_dirs(self) -> list[Path]:
        return list(dict.fromkeys(stack.tenants_dir.resolve() for stack in self.stacks.by_name.values()))

    def expected_codeowners(self) -> str:
        return codeowners_of(self.stacks)

    def relative_tenants_dirs(self) -> set[str]:
        top = self.top.resolve()
        found = set()
        for directory in self.tenants_dirs():
            try:
                found.add(directory.relative_to(top).as_posix())
            except ValueError:
                continue
        return found


def _config(side: _Side, stack: str) -> dict[str, Any]:
    if stack not in side.stacks.by_name:
        return {}
    try:
        return stack_config(side.settings_dir, stack)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # unreadable: validate's findings on the head say why


def _settings_requirements(base: _Side, head: _Side) -> list[Requirement]:
    """Each changed setting that redirects a deploy or grants something, once (a Pulumi.yaml default changes every stack)."""
    seen: dict[tuple[str, str], list[str]] = {}
    # A stack whose file head removes is deployed no more: its settings redirect nothing, and its removal
    # is offboarding (a platform owner accepts it), not a list of every key it had.
    for stack in sorted(head.stacks.by_name):
        for change in setting_changes(_config(base, stack), _config(head, stack)):
            if setting_needs_platform(change["path"]):
                seen.setdefault((change["path"], describe(change, code, limit=80)), []).append(stack)
    return [
        Requirement(PLATFORM_CHANGE, f"{path} (stack{'s' if len(stacks) > 1 else ''} {', '.join(stacks)})", what)
        for (path, what), stacks in seen.items()
    ]


def _access_requirements(base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]]) -> list[Requirement]:
    requirements = []
    for change in access.access_changes(base, head):
        what = describe({"path": change.field, "before": change.before, "after": change.after}, code, limit=120)
        requirements.append(Requirement(ACCESS_CHANGE, f"{change.registration}: spec.{change.field}", what, change.owners))
    return requirements


def _validation_requirements(side: _Side) -> list[Requirement]:
    """`validate`'s findings on the head's files, problems of form aside: what the deploy gate refuses too."""
    report = check_paths(side.stacks, [])
    prefix = f"{side.top.resolve()}/"
    found = []
    for finding in report.gate_findings:
        text = str(finding.problem).replace(prefix, "").replace(f"{side.top}/", "")
        found.append(Requirement(REFUSED, "validate", code(text)))
    return found


def review(
    project_dir: Path, base: str, head: str | None, approvals: Approvals, plans: dict[str, dict[str, Any]] | None = None
) -> Review:
    """The merge of `head` (None: the working tree) into `base`, reviewed. SnapshotError when the base
    cannot be read (nothing to compare with); head files that cannot be read are refused. `plans`: each
    stack's diff, where planned, whose real bucket names a rename names."""
    with tempfile.TemporaryDirectory(prefix="argo-tenants-review-") as scratch:
        base_side = _Side(project_dir, base, Path(scratch) / "base")
        try:
            head_side = _Side(project_dir, head, Path(scratch) / "head")
        except git_snapshot.SnapshotError as err:
            unreadable = Review([Requirement(REFUSED, head or "working tree", f"cannot be read: {code(str(err))}")], approvals=approvals, commit=approvals.commit)
            return unreadable
        paths = git_snapshot.changed_paths(project_dir, base, head)
        refs = {"base": base, "head": head}

        def read(side: str, path: str) -> str | None:
            return git_snapshot.text_at(project_dir, refs[side], path)

        validation = _validation_requirements(head_side)
        generated = read("head", codeowners.CODEOWNERS.as_posix()) == head_side.expected_codeowners()
        classified = changed_paths.classify(
            paths,
            base_side.relative_tenants_dirs() | head_side.relative_tenants_dirs(),
            git_snapshot.repository_path(project_dir, project_dir).as_posix().strip("."),
            read,
            generated,
        )
        base_registrations = access.read_registrations(base_side.tenants_dirs())
        head_registrations = access.read_registrations(head_side.tenants_dirs())
        settings = _settings_requirements(base_side, head_side)
    requirements = [Requirement(REFUSED, change.path, change.what) for change in classified if change.kind == changed_paths.REFUSED]
    # One key of Pulumi.yaml or a stack file is named on its own; whole files of the program are one finding.
    keys = [change for change in classified if change.kind == changed_paths.PROGRAM and "#" in change.path]
    files = [change.path for change in classified if change.kind == changed_paths.PROGRAM and "#" not in change.path]
    requirements += [Requirement(PLATFORM_CHANGE, change.path, change.what) for change in keys]
    if files:
        requirements.append(Requirement(PLATFORM_CHANGE, PROGRAM_FILES, _files_words(files)))
    requirements += settings
    requirements += _access_requirements(base_registrations, head_registrations)
    requirements += validation
    result = Review(
        requirements=requirements,
        paths=[change.as_dict() for change in classified],
        renames=[
            planned.as_dict() | {"words": planned.words()}
            for planned in (rename.with_plans(plans or {}) for rename in access.renames(base_registrations, head_registrations))
        ],
        approvals=approvals,
        commit=approvals.commit,
    )
    result.settle()
    return result


PROGRAM_FILES = "program and tooling"
# Files named in the finding; `plan --format json` (review.paths) lists every one.
MAX_FILES_NAMED = 30


def _files_words(files: list[str]) -> str:
    named = ", ".join(code(path) for path in files[:MAX_FILES_NAMED])
    more = f" and {len(files) - MAX_FILES_NAMED} more" if len(files) > MAX_FILES_NAMED else ""
    return (
        f"{len(files)} file{'s' if len(files) != 1 else ''} besides tenant files and stack settings (the program, "
        f"its tooling, CI, docs: what `pulumi up` runs or how it is run, which this plan does not run): {named}{more}"
    )


def outcome(review: Review) -> Outcome:
    if review.refused:
        return Outcome.INVALID
    if review.waiting:
        return Outcome.BLOCKED
    return Outcome.CLEAR
