"""Show what `pulumi up` would register for a stack, offline.

Runs the real program (__main__.py) under Pulumi's mock engine with the stack's settings
(Pulumi.yaml, Pulumi.<stack>.yaml) and the tenant files: no Pulumi CLI, credentials or network.
Every value Pulumi marks secret prints as [secret].

With --base GIT_REF it plans the tenant files and settings as they are at GIT_REF too (with the
program as it is now) and reports what changes: tenants onboarded, offboarded and changed (which
resources, which input paths), untouched tenants counted. A tenant that changes stacks within its
environment (a new spec.shard) is reported as a move, with the `pulumi state move` command that
keeps its objects (docs/sharding.md). A change that offboards or moves a tenant, or takes a bucket
out of Pulumi's management (kept in S3, no longer managed), exits 3 unless --allow-offboarding is
given. --format markdown is a pull-request comment; --format json is documented in
docs/plan-format.md.

With --base, --all-stacks (or --stack repeated) compares every stack in one report: for CI, one
pull-request comment with one verdict for all stacks first and one size budget, exiting with the
worst stack's code.
"""

from __future__ import annotations

import argparse
import json
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
from tenancy.project.stack_files import project_name, stack_config
from tenancy.project.stacks import TENANTS_DIR_KEY, ProjectError, project_stacks, read_stacks

MIN_BUDGET = 2_000


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
    parser.add_argument("--base", metavar="GIT_REF", help="also plan the tenant files and settings at GIT_REF and show the difference")
    parser.add_argument(
        "--allow-offboarding",
        action="store_true",
        help="with --base: exit 0 even if the change offboards a tenant or removes a bucket from management",
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


def _head(args: argparse.Namespace, project_dir: Path, stack: str) -> tuple[dict[str, Any], _Revision]:
    overrides = {TENANTS_DIR_KEY: str(args.tenants_dir.resolve())} if args.tenants_dir else {}
    tenants_dir = _working_tree_tenants_dir(args, project_dir, project_dir, stack)
    label = f"planning {stack} ({_tenant_file_count(tenants_dir)} tenant files)"
    result = _run_program(project_dir, stack, overrides, label)
    if result.error:
        raise _Stop(ExitCode.INVALID, result.error, "The tenant files or stack settings are invalid, so nothing was planned.")
    return plan_document(result), _Revision(project_dir, tenants_dir)


def _empty_plan(project: str, stack: str) -> dict[str, Any]:
    return {"version": PLAN_VERSION, "project": project, "stack": stack, "tenants": [], "resources": [], "outputs": {}}


def _base(
    args: argparse.Namespace, project_dir: Path, stack: str, scratch: Path
) -> tuple[dict[str, Any], dict[str, Any], _Revision | None]:
    """The plan at --base, what the diff says about it, and where its files are (None: unreadable);
    raises _Stop(ExitCode.BASE_UNAVAILABLE) when the plan cannot be made."""
    ref = args.base
    unavailable = f"The base revision {ref} cannot be planned, so there is nothing to compare with."
    try:
        snapshot = git_snapshot.stack_files(project_dir, ref, scratch)
        label = {"ref": ref, "commit": snapshot.commit, "newStack": False}
        if not (snapshot.directory / f"Pulumi.{stack}.yaml").is_file():
            # The pull request adds this stack: at the base nothing of it existed. Its tenants may
            # still have been deployed by another stack of the environment (a split into shards).
            label["newStack"] = True
            return _empty_plan(project_name(project_dir), stack), label, _new_stack_base(args, project_dir, stack, snapshot)
        tenants = git_snapshot.directory_at(
            project_dir, snapshot, _working_tree_tenants_dir(args, project_dir, snapshot.directory, stack)
        )
    except git_snapshot.SnapshotError as err:
        raise _Stop(ExitCode.BASE_UNAVAILABLE, str(err), unavailable) from None
    result = _run_program(
        project_dir,
        stack,
        {TENANTS_DIR_KEY: str(tenants)},
        f"planning {stack} at {ref} ({_tenant_file_count(tenants)} tenant files)",
        settings_dir=snapshot.directory,
    )
    if result.error:
        # Name the files as the reviewer knows them, not by the scratch directory they were read into.
        message = result.error.replace(f"{snapshot.root}/", f"{ref}:")
        raise _Stop(ExitCode.BASE_UNAVAILABLE, message, unavailable)
    return plan_document(result), label, _Revision(snapshot.directory, tenants)


def _new_stack_base(
    args: argparse.Namespace, project_dir: Path, stack: str, snapshot: git_snapshot.Snapshot
) -> _Revision | None:
    """The base's tenant files for a stack new in the pull request, from the working tree's tenantsDir."""
    try:
        tenants = git_snapshot.directory_at(
            project_dir, snapshot, _working_tree_tenants_dir(args, project_dir, project_dir, stack)
        )
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


def _moves_context(
    project_dir: Path, stack: str, base: tuple[dict[str, Any], _Revision | None], head: tuple[dict[str, Any], _Revision]
) -> tuple[dict, dict] | None:
    """What the diff needs to tell moves from offboardings; only worth reading when tenants come or go."""
    (base_plan, base_revision), (head_plan, head_revision) = base, head
    if set(base_plan["tenants"]) == set(head_plan["tenants"]):
        return None
    settings = read_stacks(project_dir)[stack].settings
    if settings is None:
        return None
    environment = settings.environment
    return _places(base_revision, stack, environment), _places(head_revision, stack, environment)


def _render_plan(args: argparse.Namespace, document: dict[str, Any]) -> str:
    if args.format == "json":
        return json.dumps(document, indent=2) + "\n"
    if args.format == "markdown":
        return plan_markdown(document, args.max_length)
    return plan_text(document, verbose=args.verbose)


def _settings_at(revision: _Revision | None, stack: str) -> dict[str, Any]:
    """The stack's config at one revision ({} where the stack did not exist): what the diff names as changed settings."""
    if revision is None or not (revision.settings_dir / f"Pulumi.{stack}.yaml").is_file():
        return {}
    return stack_config(revision.settings_dir, stack)


def _diff_stack(args: argparse.Namespace, project_dir: Path, stack: str) -> StackReport:
    """One stack planned at --base and now, compared: its diff, or why there is none."""
    try:
        head, head_revision = _head(args, project_dir, stack)
        with tempfile.TemporaryDirectory(prefix="argo-tenants-base-") as scratch:
            base, base_label, base_revision = _base(args, project_dir, stack, Path(scratch))
            places = _moves_context(project_dir, stack, (base, base_revision), (head, head_revision))
            settings = (_settings_at(base_revision, stack), _settings_at(head_revision, stack))
    except _Stop as stop:
        print(f"{stack}: {stop.title}\n{stop.message}", file=sys.stderr)
        return StackReport(stack, int(stop.code), problem=(stop.title, stop.message))
    diff = diff_plans(base, head, base_label, accepted=args.allow_offboarding, places=places, settings=settings)
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
            f"plan: {stack}: this change offboards or moves a tenant, or takes a bucket out of management; "
            "review the list, then pass --allow-offboarding to accept it",
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
    """The stacks to plan, each known (ProjectError otherwise), in the order given or the project's."""
    if args.all_stacks:
        return list(project_stacks(project_dir).by_name)
    for stack in args.stack:
        project_stacks(project_dir, stack)
    return list(dict.fromkeys(args.stack))


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
    if args.tenants_dir and not args.tenants_dir.is_dir():
        print(f"--tenants-dir {args.tenants_dir}: no such directory", file=sys.stderr)
        return ExitCode.USAGE
    if args.base:
        reports = [_diff_stack(args, project_dir, stack) for stack in stacks]
        sys.stdout.write(_render_reports(args, reports))
        return worst([report.code for report in reports])
    [stack] = stacks
    try:
        head, _ = _head(args, project_dir, stack)
    except _Stop as stop:
        print(f"{stop.title}\n{stop.message}", file=sys.stderr)
        if args.format == "markdown":
            sys.stdout.write(comment.render([StackReport(stack, int(stop.code), problem=(stop.title, stop.message))], args.max_length))
        return stop.code
    sys.stdout.write(_render_plan(args, head))
    return ExitCode.SUCCESS
