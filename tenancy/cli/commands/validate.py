"""Check tenant files exactly as the program does, for every stack of the project, and list every problem.

PATH is a tenant file or a directory of them (default: the tenants directory). A file is checked
together with the other files of its directory, because names, repositories, buckets and Vault
paths must be unique among them. Without --stack, each stack's settings are used in turn, bucket
names are also compared across environments (bucket names are global), and the stacks are checked
together: each environment is deployed by one stack, or by one stack per shard (docs/sharding.md),
which no single stack can check. Problems print as `file:line: field.path: message`; a problem that holds for only
some stacks names them. Runs without Pulumi, credentials or network.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tenancy.cli.terminal import Painter
from tenancy.loading.loader import display_path
from tenancy.project import schema_line
from tenancy.project.stacks import ProjectError
from tenancy.cli.exit_codes import ExitCode
from tenancy.project.validation import Finding, Report, validate_paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="tenant files or directories (default: tenants/)")
    parser.add_argument("--stack", help="check against this stack's settings only (default: every Pulumi.<stack>.yaml)")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text for people (default), json for machines"
    )
    parser.add_argument(
        "--fix", action="store_true", help="write what it can fix itself (the schema line every tenant file starts with, .github/CODEOWNERS), then check again"
    )
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="project directory (default: here)")


def run(args: argparse.Namespace) -> int:
    try:
        report = validate_paths(args.project_dir, args.paths, args.stack)
        if args.fix and (report.fixes or report.generated):
            for path in apply_fixes(report):
                print(f"fixed: {display_path(path)}: added the schema line", file=sys.stderr)
            for path, text in report.generated:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                print(f"fixed: {display_path(path)}: generated from the tenant files", file=sys.stderr)
            report = validate_paths(args.project_dir, args.paths, args.stack)
    except ProjectError as err:
        print(f"validate: {err}", file=sys.stderr)
        return ExitCode.USAGE
    if args.format == "json":
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print_report(report, sys.stdout)
    return ExitCode.SUCCESS if report.ok else ExitCode.INVALID


def apply_fixes(report: Report) -> list[Path]:
    """Write the schema line into every file the report says lacks it; the files written."""
    for path, line in report.fixes:
        path.write_text(schema_line.with_modeline(path.read_text(encoding="utf-8-sig"), line), encoding="utf-8")
    return [path for path, _ in report.fixes]


def print_report(report: Report, stream) -> None:
    paint = Painter(stream)
    for finding in report.findings:
        print(format_finding(finding, report.stacks, paint), file=stream)
    for warning in report.warnings:
        print(paint("warning: ", "yellow") + format_finding(warning, report.stacks, paint), file=stream)
    for note in report.notes:
        print(paint(f"note: {note}", "dim"), file=stream)
    files = len(report.files)
    checked = f"{files} tenant file{'s' if files != 1 else ''} checked for stack{'s' if len(report.stacks) != 1 else ''} {', '.join(report.stacks)}"
    if report.ok:
        warned = f" ({len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''})" if report.warnings else ""
        print(paint(f"valid: {checked}{warned}", "green"), file=stream)
    else:
        count = len(report.findings)
        print(paint(f"{count} problem{'s' if count != 1 else ''}; {checked}", "red", "bold"), file=stream)


def format_finding(finding: Finding, all_stacks: tuple[str, ...], paint=lambda text, *styles: text, unwritten: str | None = None) -> str:
    """`file:line: field: message`, and the stacks when not all; a file not `unwritten` yet is not named."""
    problem = finding.problem
    parts = [] if problem.file == unwritten else [paint(problem.file if problem.line is None else f"{problem.file}:{problem.line}", "bold")]
    if problem.field:
        parts.append(paint(problem.field, "cyan"))
    text = ": ".join([*parts, problem.text])
    if len(all_stacks) > 1 and set(finding.stacks) != set(all_stacks):
        text += paint(f" [stack {', '.join(finding.stacks)}]", "yellow")
    return text
