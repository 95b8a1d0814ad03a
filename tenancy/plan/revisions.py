"""Plan the project at two revisions and compare them, stack by stack: what `plan --base/--head` runs.

A side is the working tree or a git revision. A revision is planned with its own program
(`each`: its whole tree, run in a separate process) or with the running one reading only its stack
and tenant files as data (`current`: CI's verdict on a pull request, tenancy.plan.git_snapshot).
Each stack ends as a StackReport: its diff (tenancy.plan.diff), or why there is none, and its
Outcome. Nothing here prints a report: the CLI renders what it gets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenancy.plan import git_snapshot, incremental
from tenancy.plan.approvals import Approvals
from tenancy.plan.comment import StackReport
from tenancy.plan.diff import diff_plans
from tenancy.plan.document import PLAN_VERSION, plan_document
from tenancy.plan.engine import simulate
from tenancy.plan.outcome import Outcome
from tenancy.plan.progress import Progress
from tenancy.project import placements
from tenancy.project.stacks import (
    TENANTS_DIR_KEY,
    ProjectError,
    project_name,
    project_stacks,
    read_stacks,
    stack_config,
    stack_file,
    stack_name_problem,
)

EACH, CURRENT = "each", "current"
ENVIRONMENT_KEY = "argo-tenants:environment"


@dataclass(frozen=True)
class Request:
    """What to plan: the project, the stacks, the revisions (None: the working tree) and which program."""

    project_dir: Path
    stacks: tuple[str, ...] = ()
    all_stacks: bool = False
    tenants_dir: Path | None = None
    base: str | None = None
    head: str | None = None
    program: str = EACH
    # Build every registration even where tenancy.plan.incremental proves most untouched.
    full_plan: bool = False
    # Approvals given (CI: verified labels on the pull request's head commit); --allow-offboarding is local_offboarding.
    approvals: Approvals = Approvals()

    @property
    def allow_offboarding(self) -> bool:
        return self.approvals.offboarding()


@dataclass(frozen=True)
class Revision:
    """Where one revision's stack files and tenant files were read from."""

    settings_dir: Path
    tenants_dir: Path


class Stop(Exception):
    """Planning a side cannot go on: `code` says how it ends, `title` what could not be done, `message` why."""

    def __init__(self, code: Outcome, message: str, title: str):
        super().__init__(message)
        self.code = code
        self.message = message
        self.title = title


@dataclass(frozen=True)
class Planned:
    document: dict[str, Any]
    label: dict[str, Any]  # how the diff names the side: ref and commit (the base also newStack)
    revision: Revision | None  # where its stack and tenant files were read; None: unreadable


@dataclass(frozen=True)
class _Side:
    """One side of a comparison: `role` is "base" or "head"; `ref` a git revision, None the working tree."""

    role: str
    ref: str | None

    @property
    def failure(self) -> Outcome:
        # 4: the comparison is impossible (fetch or fix the base); 1: the change itself is invalid.
        return Outcome.BASE_UNAVAILABLE if self.role == "base" else Outcome.INVALID

    @property
    def title(self) -> str:
        if self.role == "base":
            return f"The base revision {self.ref} cannot be planned, so there is nothing to compare with."
        return f"The revision {self.ref} cannot be planned."


def _run_program(project_dir: Path, stack: str, overrides: dict[str, Any], label: str, **options: Any):
    progress = Progress(sys.stderr, label)
    try:
        return simulate(project_dir, stack, overrides, progress=progress, **options)
    finally:
        progress.done()


def _working_tree_tenants_dir(request: Request, settings_dir: Path, stack: str) -> Path:
    """--tenants-dir, or the tenantsDir that `settings_dir`'s stack file names, in the working tree."""
    if request.tenants_dir:
        return request.tenants_dir.resolve()
    return read_stacks(settings_dir, tenants_base=request.project_dir)[stack].tenants_dir


def working_tree(request: Request, stack: str) -> Planned:
    """The stack planned from the working tree, with the running program."""
    overrides = {TENANTS_DIR_KEY: str(request.tenants_dir.resolve())} if request.tenants_dir else {}
    tenants_dir = _working_tree_tenants_dir(request, request.project_dir, stack)
    label = f"planning {stack} ({placements.tenant_file_count(tenants_dir)} tenant files)"
    result = _run_program(request.project_dir, stack, overrides, label)
    if result.error:
        raise Stop(Outcome.INVALID, result.error, "The tenant files or stack settings are invalid, so nothing was planned.")
    return Planned(plan_document(result), {"ref": None, "commit": None}, Revision(request.project_dir, tenants_dir))


def _empty_plan(project: str, stack: str) -> dict[str, Any]:
    return {"version": PLAN_VERSION, "project": project, "stack": stack, "tenants": [], "resources": [], "outputs": {}}


def _tenants_at(request: Request, stack: str, snapshot: git_snapshot.Snapshot, settings_dir: Path) -> Path:
    """The snapshot's copy of the tenants directory that the stack files in `settings_dir` name."""
    path = _working_tree_tenants_dir(request, settings_dir, stack)
    if request.program == CURRENT:
        return git_snapshot.directory_at(request.project_dir, snapshot, path)
    tenants = snapshot.root / git_snapshot.repository_path(request.project_dir, path)
    tenants.mkdir(parents=True, exist_ok=True)
    return tenants


def at_revision(
    request: Request, stack: str, side: _Side, scratch: Path, head_settings: Path | None, only: frozenset[str] | None = None
) -> Planned:
    """The plan of `side.ref`: with its own program (`each`), or with this one reading its stack and
    tenant files as data (`current`). `head_settings` holds the stack files of the other side, whose
    tenantsDir a stack new at head is read from. `only`: the registrations to build, the others
    untouched (tenancy.plan.incremental; None: all). Raises Stop with `side.failure`."""
    project_dir = request.project_dir
    try:
        if request.program == EACH:
            snapshot = git_snapshot.whole_tree(project_dir, side.ref, scratch)
        else:
            snapshot = git_snapshot.stack_files(project_dir, side.ref, scratch)
        label: dict[str, Any] = {"ref": side.ref, "commit": snapshot.commit}
        if not stack_file(snapshot.directory, stack).is_file():
            if side.role == "head":
                message = f"no stack '{stack}': Pulumi.{stack}.yaml does not exist at {side.ref}"
                raise Stop(Outcome.USAGE, message, side.title)
            # The change adds this stack: at the base nothing of it existed. Its tenants may
            # still have been deployed by another stack of the environment (a split into shards).
            label["newStack"] = True
            return Planned(
                _empty_plan(project_name(project_dir), stack),
                label,
                _new_stack_base(request, stack, snapshot, head_settings or project_dir),
            )
        if side.role == "base":
            label["newStack"] = False
        tenants = _tenants_at(request, stack, snapshot, snapshot.directory)
    except git_snapshot.SnapshotError as err:
        raise Stop(side.failure, str(err), side.title) from None
    if request.program == EACH:
        document = _own_program(stack, snapshot, tenants, side)
    else:
        result = _run_program(
            project_dir,
            stack,
            {TENANTS_DIR_KEY: str(tenants)},
            _label(stack, side.ref, tenants, only),
            settings_dir=snapshot.directory,
            only_registrations=only,
        )
        if result.error:
            # Name the files as the reviewer knows them, not by the scratch directory they were read into.
            raise Stop(side.failure, _at_ref(result.error, snapshot, side.ref), side.title)
        document = plan_document(result) if only is None else incremental.with_untouched(plan_document(result), tenants)
    return Planned(document, label, Revision(snapshot.directory, tenants))


def _label(stack: str, ref: str | None, tenants: Path, only: frozenset[str] | None) -> str:
    files = placements.tenant_file_count(tenants)
    if only is None:
        return f"planning {stack} at {ref} ({files} tenant files)"
    return f"planning {stack} at {ref} ({len(only)} changed of {files} tenant files; the others are the same at both revisions)"


def _own_program(stack: str, snapshot: git_snapshot.Snapshot, tenants: Path, side: _Side) -> dict[str, Any]:
    """The revision's own `plan --format json`, run from its tree: its __main__.py, components/ and
    tenancy/ (`-m` puts the working directory first on sys.path), with this interpreter's packages."""
    command = [
        sys.executable, "-m", "tenancy", "plan", "--stack", stack, "--format", "json",
        "--tenants-dir", str(tenants), "--project-dir", str(snapshot.directory),
    ]
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    progress = Progress(sys.stderr, f"planning {stack} at {side.ref} with its own program")
    try:
        result = subprocess.run(
            command, cwd=snapshot.directory, env=environment, capture_output=True, text=True, check=False
        )
    finally:
        progress.done()
    if result.returncode == Outcome.CLEAR:
        try:
            document = json.loads(result.stdout)
        except ValueError:
            document = None
        if isinstance(document, dict) and document.get("version") == PLAN_VERSION:
            return document
        raise Stop(side.failure, f"the program at {side.ref} printed no plan document (version {PLAN_VERSION})", side.title)
    message = _at_ref(result.stderr.strip(), snapshot, side.ref)
    raise Stop(side.failure, message or f"its plan command exited {result.returncode}", side.title)


def _at_ref(message: str, snapshot: git_snapshot.Snapshot, ref: str) -> str:
    """Name the files as the reviewer knows them (`REF:tenants/x.yaml:7`), not by the scratch
    directory they were read into, nor relative to it as the revision's own program names them."""
    lines = []
    for line in message.replace(f"{snapshot.root}/", f"{ref}:").splitlines():
        text = line.lstrip()
        name = text.split(":", 1)[0]
        if name and (snapshot.directory / name).is_file():
            line = f"{line[: len(line) - len(text)]}{ref}:{text}"
        lines.append(line)
    return "\n".join(lines)


def _new_stack_base(request: Request, stack: str, snapshot: git_snapshot.Snapshot, head_settings: Path) -> Revision | None:
    """The base's tenant files for a stack new at head, from the tenantsDir the head's settings name."""
    try:
        tenants = _tenants_at(request, stack, snapshot, head_settings)
    except git_snapshot.SnapshotError:
        return None
    return Revision(snapshot.directory, tenants)


def _places(
    revision: Revision | None, stack: str, environment: str, only: frozenset[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Registration -> the stack (and shard) that deploys it in `environment`, at one revision (none: unreadable);
    of `only` (the registrations the shortcut built: the others neither come nor go) when given."""
    return placements.places(revision.settings_dir, revision.tenants_dir, stack, environment, only) if revision else {}


def _moves_context(stack: str, base: Planned, head: Planned, only: frozenset[str] | None = None) -> tuple[dict, dict] | None:
    """What the diff needs to tell moves from offboardings; only worth reading when tenants come or go."""
    if set(base.document["tenants"]) == set(head.document["tenants"]) or head.revision is None:
        return None
    settings = read_stacks(head.revision.settings_dir)[stack].settings
    if settings is None:
        return None
    environment = settings.environment
    return _places(base.revision, stack, environment, only), _places(head.revision, stack, environment, only)


def _settings_at(revision: Revision | None, stack: str) -> dict[str, Any]:
    """The stack's config at one revision ({} where the stack did not exist): what the diff names as changed settings."""
    if revision is None or not stack_file(revision.settings_dir, stack).is_file():
        return {}
    return stack_config(revision.settings_dir, stack)


def plan_head(request: Request, stack: str, scratch: Path, only: frozenset[str] | None = None) -> Planned:
    """One stack as --head has it (the working tree without it); `only` as at_revision's."""
    if request.head is None:
        return working_tree(request, stack)
    return at_revision(request, stack, _Side("head", request.head), scratch, None, only)


def _registrations_to_plan(request: Request, stack: str, scratch: Path) -> frozenset[str] | None:
    """Both sides with this program: only the registrations the change touches (tenancy.plan.incremental)."""
    if request.program != CURRENT or request.full_plan:
        return None
    tenants_dir = request.tenants_dir.resolve() if request.tenants_dir else None
    return incremental.registrations_to_plan(request.project_dir, stack, request.base, request.head, tenants_dir, scratch)


def diff_stack(request: Request, stack: str) -> StackReport:
    """One stack planned at --base and at head, compared: its diff, or why there is none."""
    try:
        with tempfile.TemporaryDirectory(prefix="argo-tenants-plan-") as scratch:
            only = _registrations_to_plan(request, stack, Path(scratch) / "changed")
            head = plan_head(request, stack, Path(scratch) / "head", only)
            base_settings = head.revision.settings_dir if head.revision else None
            base = at_revision(request, stack, _Side("base", request.base), Path(scratch) / "base", base_settings, only)
            places = _moves_context(stack, base, head, only)
            settings = (_settings_at(base.revision, stack), _settings_at(head.revision, stack))
    except Stop as stop:
        return StackReport(stack, int(stop.code), problem=(stop.title, stop.message), notice=f"{stack}: {stop.title}\n{stop.message}")
    diff = diff_plans(
        base.document,
        head.document,
        base.label,
        accepted=request.approvals.offboarding_acceptance() or False,
        places=places,
        settings=settings,
        head_ref=head.label,
        program=request.program,
    )
    # The environment names what offboarding must record (tenants/_retired-buckets.yaml).
    diff["environment"] = str(settings[1].get(ENVIRONMENT_KEY) or settings[0].get(ENVIRONMENT_KEY) or stack)
    if diff["offboarding"]["unrecorded"]:
        # Nothing accepts these: a bucket nobody in tenants/ owns would be granted to the next file naming it.
        notice = (
            f"plan: {stack}: bucket(s) or fallback prefix(es) {', '.join(diff['offboarding']['unrecorded'])} leave "
            "management but are not recorded in tenants/_retired-buckets.yaml; record them (docs/operations.md) so "
            "that no registration is granted them"
        )
        return StackReport(stack, int(Outcome.BLOCKED), diff=diff, notice=notice)
    if diff["offboarding"]["blocking"] and not request.allow_offboarding:
        notice = (
            f"plan: {stack}: this change offboards or moves a tenant, takes a bucket out of management, deletes "
            "or replaces a stateful object, drops a protection or narrows what a staying registration can reach or "
            "call; review the list, then pass --allow-offboarding "
            "to accept it"
        )
        return StackReport(stack, int(Outcome.BLOCKED), diff=diff, notice=notice)
    return StackReport(stack, int(Outcome.CLEAR), diff=diff)


def stacks_to_plan(request: Request) -> list[str]:
    """The stacks to plan, each known (ProjectError otherwise), in the order given or the project's.
    With --head they are read at that revision: a stack there need not exist in the working tree."""
    project_dir = request.project_dir
    if request.all_stacks:
        if request.head is None:
            return list(project_stacks(project_dir).by_name)
        project_stacks(project_dir)
        try:
            names = set(git_snapshot.stack_names_at(project_dir, request.head))
            names |= set(git_snapshot.stack_names_at(project_dir, request.base)) if request.base else set()
        except git_snapshot.SnapshotError as err:
            raise ProjectError(str(err)) from None
        # A stack file named outside the safe set is refused by the review (tenancy.plan.changed_paths), never planned.
        return sorted(name for name in names if stack_name_problem(name) is None)
    project_stacks(project_dir)
    for stack in request.stacks if request.head is None else ():
        project_stacks(project_dir, stack)
    return list(dict.fromkeys(request.stacks))


def _removed_stacks(request: Request, stacks: list[str]) -> set[str]:
    """Of `stacks` (--all-stacks), those whose file --head removes: they exist at --base only. A stack
    named with --stack must exist at --head."""
    if not request.all_stacks or request.head is None or request.base is None:
        return set()
    try:
        at_head = set(git_snapshot.stack_names_at(request.project_dir, request.head))
    except git_snapshot.SnapshotError:
        return set()  # diff_stack reports the unreadable revision
    return {stack for stack in stacks if stack not in at_head}


def _removed_stack(request: Request, stack: str) -> StackReport:
    """A stack file the change deletes: no `pulumi up` will run on the stack again, so what it
    manages stays in the cloud and in its state, never updated; a maintainer accepts that on purpose."""
    title = f"Pulumi.{stack}.yaml is removed"
    message = (
        "nothing deploys this stack any more: what it manages stays in the cloud and in its state, no longer "
        "updated (run `pulumi destroy` or move its tenants to another stack first, docs/sharding.md)"
    )
    accepted_by = request.approvals.offboarding_acceptance()
    code = Outcome.CLEAR if accepted_by else Outcome.BLOCKED
    return StackReport(stack, int(code), problem=(title, message), notice=f"plan: {stack}: {title}; {message}", accepted_by=accepted_by)


def head_commit(request: Request) -> str | None:
    """The commit approvals must name: the pull request's head (given), else --head's commit, else HEAD's."""
    if request.approvals.commit:
        return request.approvals.commit
    try:
        return git_snapshot.resolve(request.project_dir, request.head or "HEAD")
    except git_snapshot.SnapshotError:
        return None


def compare(request: Request, stacks: list[str]) -> list[StackReport]:
    """Every stack of `stacks` at --base and at head, compared (a stack whose file head removes, reported as such)."""
    removed = _removed_stacks(request, stacks)
    return [_removed_stack(request, stack) if stack in removed else diff_stack(request, stack) for stack in stacks]
