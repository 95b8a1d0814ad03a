"""Show what `pulumi up` would register for a stack, offline.

Runs the real program (__main__.py) under Pulumi's mock engine with the stack's settings
(Pulumi.yaml, Pulumi.<stack>.yaml) and the tenant files: no Pulumi CLI, credentials or network.
Every value Pulumi marks secret prints as [secret].

With --base GIT_REF it plans the tenant files and settings as they are at GIT_REF too (with the
program as it is now) and reports what changes: tenants onboarded, offboarded and changed (which
resources, which input paths), untouched tenants counted. A change that offboards a tenant or
takes a bucket out of Pulumi's management (kept in S3, no longer managed) exits 3 unless
--allow-offboarding is given. --format markdown is a pull-request comment; --format json is
documented in docs/plan-format.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from tenancy import git_snapshot, markdown
from tenancy.diff_render import diff_markdown, diff_text
from tenancy.loader import TENANT_SUFFIX
from tenancy.plan_diff import diff_plans
from tenancy.plan_document import PLAN_VERSION, plan_document
from tenancy.plan_render import plan_markdown, plan_text
from tenancy.progress import Progress
from tenancy.settings import CONFIG_NAMESPACE, StackSettings
from tenancy.simulation import simulate
from tenancy.stack_files import project_name, stack_config

OK, INVALID, USAGE, OFFBOARDING, BASE_UNAVAILABLE = 0, 1, 2, 3, 4
TENANTS_DIR_KEY = f"{CONFIG_NAMESPACE}:tenantsDir"
MIN_BUDGET = 2_000


def _budget(text: str) -> int:
    value = int(text)
    if value < MIN_BUDGET:
        raise argparse.ArgumentTypeError(f"at least {MIN_BUDGET} bytes")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, help="stack (environment) to plan, e.g. dev")
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


class _Stop(Exception):
    """Ends the command with `code`: `title` says what could not be done, `message` why."""

    def __init__(self, code: int, message: str, title: str):
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


def _configured_tenants_dir(settings_dir: Path, stack: str) -> Path:
    configured = stack_config(settings_dir, stack).get(TENANTS_DIR_KEY, StackSettings.model_fields["tenants_dir"].default)
    return Path(str(configured))


def _head(args: argparse.Namespace, project_dir: Path) -> dict[str, Any]:
    overrides = {TENANTS_DIR_KEY: str(args.tenants_dir.resolve())} if args.tenants_dir else {}
    tenants_dir = args.tenants_dir or project_dir / _configured_tenants_dir(project_dir, args.stack)
    label = f"planning {args.stack} ({_tenant_file_count(tenants_dir)} tenant files)"
    result = _run_program(project_dir, args.stack, overrides, label)
    if result.error:
        raise _Stop(INVALID, result.error, "The tenant files or stack settings are invalid, so nothing was planned.")
    return plan_document(result)


def _empty_plan(project: str, stack: str) -> dict[str, Any]:
    return {"version": PLAN_VERSION, "project": project, "stack": stack, "tenants": [], "resources": [], "outputs": {}}


def _base(args: argparse.Namespace, project_dir: Path, scratch: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan at --base and what the diff says about it; raises _Stop(BASE_UNAVAILABLE) when it cannot be made."""
    ref = args.base
    unavailable = f"The base revision {ref} cannot be planned, so there is nothing to compare with."
    try:
        snapshot = git_snapshot.stack_files(project_dir, ref, scratch)
        label = {"ref": ref, "commit": snapshot.commit, "newStack": False}
        if not (snapshot.directory / f"Pulumi.{args.stack}.yaml").is_file():
            # The pull request adds this stack: at the base nothing of it existed.
            label["newStack"] = True
            return _empty_plan(project_name(project_dir), args.stack), label
        if args.tenants_dir:
            working_tree_path = args.tenants_dir.resolve()
        else:
            configured = _configured_tenants_dir(snapshot.directory, args.stack)
            working_tree_path = configured if configured.is_absolute() else project_dir / configured
        tenants = git_snapshot.directory_at(project_dir, snapshot, working_tree_path)
    except git_snapshot.SnapshotError as err:
        raise _Stop(BASE_UNAVAILABLE, str(err), unavailable) from None
    result = _run_program(
        project_dir,
        args.stack,
        {TENANTS_DIR_KEY: str(tenants)},
        f"planning {args.stack} at {ref} ({_tenant_file_count(tenants)} tenant files)",
        settings_dir=snapshot.directory,
    )
    if result.error:
        # Name the files as the reviewer knows them, not by the scratch directory they were read into.
        message = result.error.replace(f"{snapshot.root}/", f"{ref}:")
        raise _Stop(BASE_UNAVAILABLE, message, unavailable)
    return plan_document(result), label


def _render_plan(args: argparse.Namespace, document: dict[str, Any]) -> str:
    if args.format == "json":
        return json.dumps(document, indent=2) + "\n"
    if args.format == "markdown":
        return plan_markdown(document, args.max_length)
    return plan_text(document, verbose=args.verbose)


def _render_diff(args: argparse.Namespace, diff: dict[str, Any]) -> str:
    if args.format == "json":
        return json.dumps(diff, indent=2) + "\n"
    if args.format == "markdown":
        return diff_markdown(diff, args.max_length)
    return diff_text(diff)


def _problem_markdown(args: argparse.Namespace, stop: _Stop) -> str:
    """In CI the Markdown becomes the PR comment: it must say why there is no plan, within the budget."""
    room = args.max_length - 1_000
    lines, kept, used = stop.message.splitlines(), [], 0
    for line in lines:
        used += markdown.size(line) + 1
        if used > room:
            kept.append(f"… {len(lines) - len(kept)} more lines in the job log")
            break
        kept.append(line)
    problems = markdown.code_block("\n".join(kept))
    return f"### `{args.stack}`: no plan\n\n> [!WARNING]\n> {stop.title}\n\n{problems}\n"


def run(args: argparse.Namespace) -> int:
    project_dir = args.project_dir.resolve()
    if not (project_dir / "Pulumi.yaml").is_file():
        print(f"{project_dir} has no Pulumi.yaml: not a Pulumi project (use --project-dir)", file=sys.stderr)
        return USAGE
    if not (project_dir / f"Pulumi.{args.stack}.yaml").is_file():
        print(f"no stack '{args.stack}': Pulumi.{args.stack}.yaml does not exist in {project_dir}", file=sys.stderr)
        return USAGE
    if args.tenants_dir and not args.tenants_dir.is_dir():
        print(f"--tenants-dir {args.tenants_dir}: no such directory", file=sys.stderr)
        return USAGE
    try:
        head = _head(args, project_dir)
        if not args.base:
            sys.stdout.write(_render_plan(args, head))
            return OK
        with tempfile.TemporaryDirectory(prefix="argo-tenants-base-") as scratch:
            base, base_label = _base(args, project_dir, Path(scratch))
    except _Stop as stop:
        print(f"{stop.title}\n{stop.message}", file=sys.stderr)
        if args.format == "markdown":
            sys.stdout.write(_problem_markdown(args, stop))
        return stop.code
    diff = diff_plans(base, head, base_label, accepted=args.allow_offboarding)
    sys.stdout.write(_render_diff(args, diff))
    if diff["offboarding"]["blocking"] and not args.allow_offboarding:
        print(
            "plan: this change offboards a tenant or takes a bucket out of management; "
            "review the list above, then pass --allow-offboarding to accept it",
            file=sys.stderr,
        )
        return OFFBOARDING
    return OK
