"""Show what `pulumi up` would register for a stack, offline.

Runs the program under Pulumi's mock engine with the stack's settings (Pulumi.yaml,
Pulumi.<stack>.yaml) and the tenant files: no Pulumi CLI, credentials or network. Every value
Pulumi marks secret prints as [secret].

Which revisions (git refs; without them, the working tree):
  --base REF   also plan REF, and report the difference: tenants onboarded, offboarded and changed
               (which resources, which input paths, `replace` where the provider recreates the
               object), untouched tenants counted; a tenant moving to or from another stack of its
               environment (a new spec.shard) with the `pulumi state move` command that keeps its
               objects (docs/sharding.md).
  --head REF   plan REF instead of the working tree (CI: the pull request merged into main).

Which program plans them (--program, with --base or --head):
  each         (default) each side with its own program: __main__.py, components/ and tenancy/ as
               they are at that revision, run from a copy of its tree in a separate process (the
               working tree with its own), so a change to the program shows as what it does.
  current      every side with the program running this command; of a revision only Pulumi.yaml,
               Pulumi.<stack>.yaml and the tenant files are read, as data (regular files only),
               and nothing of it is run. CI's verdict on a pull request: main's program on the
               pull request's files.

Blocking, exit 3 unless --allow-offboarding: a tenant offboarded or moved to another stack; a
bucket leaving management (removed, or replaced by a new name or region), which must also be
recorded in tenants/_retired-buckets.yaml (until it is, nothing accepts the change); a namespace,
Vault secret or IAM or MinIO user deleted or replaced; `protect` or `retainOnDelete` dropped from a
resource. --format markdown is a pull-request comment; --format json is documented in
docs/plan-format.md.

With --base, --all-stacks (or --stack repeated) compares every stack in one report: for CI, one
pull-request comment with one verdict for all stacks first and one size budget, exiting with the
worst stack's code. With --head, --all-stacks means every stack of either revision; a stack whose
file the head removes blocks too (nothing deploys it any more), unless --allow-offboarding.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenancy.cli.exit_codes import ExitCode
from tenancy.loading.loader import TENANT_SUFFIX, load_tenants
from tenancy.model.problems import TenantValidationError
from tenancy.plan import comment, git_snapshot, markdown
from tenancy.plan.comment import StackReport
from tenancy.plan.diff import diff_plans
from tenancy.plan.diff_render import diff_text
from tenancy.plan.document import PLAN_VERSION, plan_document
from tenancy.plan.engine import simulate
from tenancy.plan.progress import Progress
from tenancy.plan.render import plan_markdown, plan_text
from tenancy.project import shard_layout
from tenancy.project.stacks import (
    TENANTS_DIR_KEY,
    ProjectError,
    project_name,
    project_stacks,
    read_stacks,
    stack_config,
    stack_file,
)

MIN_BUDGET = 2_000
EACH, CURRENT = "each", "current"


def _budget(text: str) -> int:
    value = int(text)
    if value < MIN_BUDGET:
        raise argparse.ArgumentTypeError(f"at least {MIN_BUDGET} bytes")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    stacks = parser.add_mutually_exclusive_group(required=True)
    stacks.add_argument(
        "--stack", action="append", metavar="STACK", help="stack (environment) to plan, e.g. dev; with --base, repeatable"
    )
    stacks.add_argument(
        "--all-stacks",
        action="store_true",
        help="with --base: every stack of the project (each Pulumi.<stack>.yaml), in one report and one budget",
    )
    parser.add_argument("--tenants-dir", type=Path, help="directory of tenant files (default: the stack's tenantsDir)")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--base", metavar="GIT_REF", help="also plan GIT_REF and show the difference from it")
    parser.add_argument("--head", metavar="GIT_REF", help="plan GIT_REF instead of the working tree")
    parser.add_argument(
        "--program",
        choices=(EACH, CURRENT),
        default=EACH,
        help="with --base or --head: plan each revision with its own program (each, the default), or every "
        "revision with this program, reading only its stack and tenant files as data (current)",
    )
    parser.add_argument(
        "--allow-offboarding",
        action="store_true",
        help="with --base: exit 0 even if the change blocks (offboarding, a stateful object deleted or "
        "replaced, a protection dropped)",
    )
    parser.add_argument(
        "--max-length",
        type=_budget,
        default=markdown.DEFAULT_BUDGET,
        metavar="BYTES",
        help=f"markdown: the report's size bound; whole tenant sections are left out past it (default: {markdown.DEFAULT_BUDGET})",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="text: list every resource under its tenant")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="project directory (default: here)")


@dataclass(frozen=True)
class _Revision:
    """Where one revision's stack files and tenant files were read from."""

    settings_dir: Path
    tenants_dir: Path


class _Stop(Exception):
    """Ends the command with `code`: `title` says what could not be done, `message` why."""

    def __init__(self, code: ExitCode, message: str, title: str):
        super().__init__(message)
        self.code = code
        self.message = message
        self.title = title


def _tenant_file_count(directory: Path) -> int:
    return sum(1 for path in directory.glob(f"*{TENANT_SUFFIX}")) if directory.is_dir() else 0


def _run_program(project_dir: Path, stack: str, overrides: dict[str, Any], label: str, **options: Any):
    progress = Progress(sys.stderr, label)
    try:
        return simulate(project_dir, stack, overrides, progress=progress, **options)
    finally:
        progress.done()


def _working_tree_tenants_dir(args: argparse.Namespace, project_dir: Path, settings_dir: Path, stack: str) -> Path:
    """--tenants-dir, or the tenantsDir that `settings_dir`'s stack file names, in the working tree."""
    if args.tenants_dir:
        return args.tenants_dir.resolve()
    return read_stacks(settings_dir, tenants_base=project_dir)[stack].tenants_dir


@dataclass(frozen=True)
class _Side:
    """One side of a comparison: `role` is "base" or "head"; `ref` a git revision, None the working tree."""

    role: str
    ref: str | None

    @property
    def failure(self) -> ExitCode:
        # 4: the comparison is impossible (fetch or fix the base); 1: the change itself is invalid.
        return ExitCode.BASE_UNAVAILABLE if self.role == "base" else ExitCode.INVALID

    @property
    def title(self) -> str:
        if self.role == "base":
            return f"The base revision {self.ref} cannot be planned, so there is nothing to compare with."
        return f"The revision {self.ref} cannot be planned."


@dataclass(frozen=True)
class _Planned:
    document: dict[str, Any]
    label: dict[str, Any]  # how the diff names the side: ref and commit (the base also newStack)
    revision: _Revision | None  # where its stack and tenant files were read; None: unreadable


def _working_tree(args: argparse.Namespace, project_dir: Path, stack: str) -> _Planned:
    overrides = {TENANTS_DIR_KEY: str(args.tenants_dir.resolve())} if args.tenants_dir else {}
    tenants_dir = _working_tree_tenants_dir(args, project_dir, project_dir, stack)
    label = f"planning {stack} ({_tenant_file_count(tenants_dir)} tenant files)"
    result = _run_program(project_dir, stack, overrides, label)
    if result.error:
        raise _Stop(ExitCode.INVALID, result.error, "The tenant files or stack settings are invalid, so nothing was planned.")
    return _Planned(plan_document(result), {"ref": None, "commit": None}, _Revision(project_dir, tenants_dir))


def _empty_plan(project: str, stack: str) -> dict[str, Any]:
    return {"version": PLAN_VERSION, "project": project, "stack": stack, "tenants": [], "resources": [], "outputs": {}}


def _tenants_at(
    args: argparse.Namespace, project_dir: Path, stack: str, snapshot: git_snapshot.Snapshot, settings_dir: Path
) -> Path:
    """The snapshot's copy of the tenants directory that the stack files in `settings_dir` name."""
    path = _working_tree_tenants_dir(args, project_dir, settings_dir, stack)
    if args.program == CURRENT:
        return git_snapshot.directory_at(project_dir, snapshot, path)
    tenants = snapshot.root / git_snapshot.repository_path(project_dir, path)
    tenants.mkdir(parents=True, exist_ok=True)
    return tenants


def _at_revision(
    args: argparse.Namespace, project_dir: Path, stack: str, side: _Side, scratch: Path, head_settings: Path | None
) -> _Planned:
    """The plan of `side.ref`: with its own program (--program each), or with this one reading its
    stack and tenant files as data (current). `head_settings` holds the stack files of the other
    side, whose tenantsDir a stack new at head is read from. Raises _Stop with `side.failure`."""
    try:
        if args.program == EACH:
            snapshot = git_snapshot.whole_tree(project_dir, side.ref, scratch)
        else:
            snapshot = git_snapshot.stack_files(project_dir, side.ref, scratch)
        label: dict[str, Any] = {"ref": side.ref, "commit": snapshot.commit}
        if not stack_file(snapshot.directory, stack).is_file():
            if side.role == "head":
                message = f"no stack '{stack}': Pulumi.{stack}.yaml does not exist at {side.ref}"
                raise _Stop(ExitCode.USAGE, message, side.title)
            # The change adds this stack: at the base nothing of it existed. Its tenants may
            # still have been deployed by another stack of the environment (a split into shards).
            label["newStack"] = True
            return _Planned(
                _empty_plan(project_name(project_dir), stack),
                label,
                _new_stack_base(args, project_dir, stack, snapshot, head_settings or project_dir),
            )
        if side.role == "base":
            label["newStack"] = False
        tenants = _tenants_at(args, project_dir, stack, snapshot, snapshot.directory)
    except git_snapshot.SnapshotError as err:
        raise _Stop(side.failure, str(err), side.title) from None
    if args.program == EACH:
        document = _own_program(stack, snapshot, tenants, side)
    else:
        result = _run_program(
            project_dir,
            stack,
            {TENANTS_DIR_KEY: str(tenants)},
            f"planning {stack} at {side.ref} ({_tenant_file_count(tenants)} tenant files)",
            settings_dir=snapshot.directory,
        )
        if result.error:
            # Name the files as the reviewer knows them, not by the scratch directory they were read into.
            raise _Stop(side.failure, _at_ref(result.error, snapshot, side.ref), side.title)
        document = plan_document(result)
    return _Planned(document, label, _Revision(snapshot.directory, tenants))


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
    if result.returncode == ExitCode.SUCCESS:
        try:
            document = json.loads(result.stdout)
        except ValueError:
            document = None
        if isinstance(document, dict) and document.get("version") == PLAN_VERSION:
            return document
        raise _Stop(side.failure, f"the program at {side.ref} printed no plan document (version {PLAN_VERSION})", side.title)
    message = _at_ref(result.stderr.strip(), snapshot, side.ref)
    raise _Stop(side.failure, message or f"its plan command exited {result.returncode}", side.title)


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


def _new_stack_base(
    args: argparse.Namespace, project_dir: Path, stack: str, snapshot: git_snapshot.Snapshot, head_settings: Path
) -> _Revision | None:
    """The base's tenant files for a stack new at head, from the tenantsDir the head's settings name."""
    try:
        tenants = _tenants_at(args, project_dir, stack, snapshot, head_settings)
    except git_snapshot.SnapshotError:
        return None
    return _Revision(snapshot.directory, tenants)


def _places(revision: _Revision | None, stack: str, environment: str) -> dict[str, dict[str, Any]]:
    """Registration -> the stack (and shard) that deploys it in `environment`, at one revision.

    Best effort: when the revision's settings or tenant files do not load, no tenant is known to
    be elsewhere, and a move shows as a plain offboarding or onboarding (which blocks just the same).
    """
    if revision is None:
        return {}
    settings = read_stacks(revision.settings_dir).settings
    # This stack's settings, or (for a stack new at head) those of another stack of the environment.
    reading = settings.get(stack) or next((s for s in settings.values() if s.environment == environment), None)
    if reading is None:
        return {}
    try:
        tenants = load_tenants(revision.tenants_dir, reading)
    except TenantValidationError:
        return {}
    stacks = shard_layout.entries(settings)
    places = {tenant.name: shard_layout.placement(stacks, environment, tenant.registration) for tenant in tenants}
    return {name: place.as_dict() for name, place in places.items() if place is not None}


def _moves_context(stack: str, base: _Planned, head: _Planned) -> tuple[dict, dict] | None:
    """What the diff needs to tell moves from offboardings; only worth reading when tenants come or go."""
    if set(base.document["tenants"]) == set(head.document["tenants"]) or head.revision is None:
        return None
    settings = read_stacks(head.revision.settings_dir)[stack].settings
    if settings is None:
        return None
    environment = settings.environment
    return _places(base.revision, stack, environment), _places(head.revision, stack, environment)


def _render_plan(args: argparse.Namespace, document: dict[str, Any]) -> str:
    if args.format == "json":
        return json.dumps(document, indent=2) + "\n"
    if args.format == "markdown":
        return plan_markdown(document, args.max_length)
    return plan_text(document, verbose=args.verbose)


def _settings_at(revision: _Revision | None, stack: str) -> dict[str, Any]:
    """The stack's config at one revision ({} where the stack did not exist): what the diff names as changed settings."""
    if revision is None or not stack_file(revision.settings_dir, stack).is_file():
        return {}
    return stack_config(revision.settings_dir, stack)


def _diff_stack(args: argparse.Namespace, project_dir: Path, stack: str) -> StackReport:
    """One stack planned at --base and now, compared: its diff, or why there is none."""
    try:
        with tempfile.TemporaryDirectory(prefix="argo-tenants-plan-") as scratch:
            if args.head is None:
                head = _working_tree(args, project_dir, stack)
            else:
                head = _at_revision(args, project_dir, stack, _Side("head", args.head), Path(scratch) / "head", None)
            base_settings = head.revision.settings_dir if head.revision else None
            base = _at_revision(args, project_dir, stack, _Side("base", args.base), Path(scratch) / "base", base_settings)
            places = _moves_context(stack, base, head)
            settings = (_settings_at(base.revision, stack), _settings_at(head.revision, stack))
    except _Stop as stop:
        print(f"{stack}: {stop.title}\n{stop.message}", file=sys.stderr)
        return StackReport(stack, int(stop.code), problem=(stop.title, stop.message))
    diff = diff_plans(
        base.document,
        head.document,
        base.label,
        accepted=args.allow_offboarding,
        places=places,
        settings=settings,
        head_ref=head.label,
        program=args.program,
    )
    if diff["offboarding"]["unrecorded"]:
        # Nothing accepts these: a bucket nobody in tenants/ owns would be granted to the next file naming it.
        print(
            f"plan: {stack}: bucket(s) {', '.join(diff['offboarding']['unrecorded'])} leave management but are not "
            "recorded in tenants/_retired-buckets.yaml; record them (docs/operations.md) so that no registration is granted them",
            file=sys.stderr,
        )
        return StackReport(stack, int(ExitCode.OFFBOARDING), diff=diff)
    if diff["offboarding"]["blocking"] and not args.allow_offboarding:
        print(
            f"plan: {stack}: this change offboards or moves a tenant, takes a bucket out of management, deletes "
            "or replaces a stateful object or drops a protection; review the list, then pass --allow-offboarding "
            "to accept it",
            file=sys.stderr,
        )
        return StackReport(stack, int(ExitCode.OFFBOARDING), diff=diff)
    return StackReport(stack, int(ExitCode.SUCCESS), diff=diff)


# Which exit code a run over several stacks ends with: a problem the pull request must fix first,
# then a base that cannot be compared, then an offboarding that a label can accept.
SEVERITY = (ExitCode.USAGE, ExitCode.INVALID, ExitCode.BASE_UNAVAILABLE, ExitCode.OFFBOARDING, ExitCode.SUCCESS)


def worst(codes: list[int]) -> ExitCode:
    return next((code for code in SEVERITY if code in codes), ExitCode.SUCCESS)


def _render_reports(args: argparse.Namespace, reports: list[StackReport]) -> str:
    if args.format == "markdown":
        return comment.render(reports, args.max_length)
    if args.format == "json":
        [report] = reports  # several stacks in JSON are refused in run()
        return json.dumps(report.diff, indent=2) + "\n" if report.diff else ""
    return "\n".join(diff_text(report.diff) for report in reports if report.diff)


def _stacks(args: argparse.Namespace, project_dir: Path) -> list[str]:
    """The stacks to plan, each known (ProjectError otherwise), in the order given or the project's.
    With --head they are read at that revision: a stack there need not exist in the working tree."""
    if args.all_stacks:
        if args.head is None:
            return list(project_stacks(project_dir).by_name)
        project_stacks(project_dir)
        try:
            names = set(git_snapshot.stack_names_at(project_dir, args.head))
            names |= set(git_snapshot.stack_names_at(project_dir, args.base)) if args.base else set()
        except git_snapshot.SnapshotError as err:
            raise ProjectError(str(err)) from None
        return sorted(names)
    project_stacks(project_dir)
    for stack in args.stack if args.head is None else ():
        project_stacks(project_dir, stack)
    return list(dict.fromkeys(args.stack))


def _removed_stacks(args: argparse.Namespace, project_dir: Path, stacks: list[str]) -> set[str]:
    """Of `stacks` (--all-stacks), those whose file --head removes: they exist at --base only. A stack
    named with --stack must exist at --head."""
    if not args.all_stacks or args.head is None or args.base is None:
        return set()
    try:
        at_head = set(git_snapshot.stack_names_at(project_dir, args.head))
    except git_snapshot.SnapshotError:
        return set()  # _diff_stack reports the unreadable revision
    return {stack for stack in stacks if stack not in at_head}


def _removed_stack(args: argparse.Namespace, stack: str) -> StackReport:
    """A stack file the change deletes: no `pulumi up` will run on the stack again, so what it
    manages stays in the cloud and in its state, never updated; a maintainer accepts that on purpose."""
    title = f"Pulumi.{stack}.yaml is removed"
    message = (
        "nothing deploys this stack any more: what it manages stays in the cloud and in its state, no longer "
        "updated (run `pulumi destroy` or move its tenants to another stack first, docs/sharding.md)"
    )
    print(f"plan: {stack}: {title}; {message}", file=sys.stderr)
    code = ExitCode.SUCCESS if args.allow_offboarding else ExitCode.OFFBOARDING
    return StackReport(stack, int(code), problem=(title, message))


def run(args: argparse.Namespace) -> ExitCode:
    project_dir = args.project_dir.resolve()
    try:
        stacks = _stacks(args, project_dir)
    except ProjectError as err:
        print(f"plan: {err}", file=sys.stderr)
        return ExitCode.USAGE
    if len(stacks) > 1 or args.all_stacks:
        if not args.base:
            print("plan: several stacks (--all-stacks, --stack twice) are compared with --base only", file=sys.stderr)
            return ExitCode.USAGE
        if args.format == "json":
            print("plan: --format json holds one stack's diff: plan each stack on its own", file=sys.stderr)
            return ExitCode.USAGE
    # With --head the tenants are read at that revision, not in the working tree.
    if args.head is None and args.tenants_dir and not args.tenants_dir.is_dir():
        print(f"--tenants-dir {args.tenants_dir}: no such directory", file=sys.stderr)
        return ExitCode.USAGE
    if args.base:
        removed = _removed_stacks(args, project_dir, stacks)
        reports = [
            _removed_stack(args, stack) if stack in removed else _diff_stack(args, project_dir, stack) for stack in stacks
        ]
        sys.stdout.write(_render_reports(args, reports))
        return worst([report.code for report in reports])
    [stack] = stacks
    try:
        with tempfile.TemporaryDirectory(prefix="argo-tenants-plan-") as scratch:
            if args.head is None:
                head = _working_tree(args, project_dir, stack)
            else:
                head = _at_revision(args, project_dir, stack, _Side("head", args.head), Path(scratch), None)
    except _Stop as stop:
        print(f"{stop.title}\n{stop.message}", file=sys.stderr)
        if args.format == "markdown":
            sys.stdout.write(comment.render([StackReport(stack, int(stop.code), problem=(stop.title, stop.message))], args.max_length))
        return stop.code
    sys.stdout.write(_render_plan(args, head.document))
    return ExitCode.SUCCESS
