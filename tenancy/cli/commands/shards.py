"""List every stack of the project with its environment and shard, as CI builds its job matrices from it.

The deploy gate: reads every Pulumi.<stack>.yaml and tenant file (no Pulumi, credentials or network)
and runs every check `validate` runs, across stacks and environments included (each environment
deployed by one unsharded stack or by one stack per shard, docs/sharding.md; no bucket name in two
environments; CODEOWNERS as the tenant files make it), leaving out only problems of form (a missing
schema line). When anything fails, it lists the problems on stderr and exits 1, so that no workflow
deploys from a half-known list of stacks or a set of files `validate` refuses. --format json
is for CI: `stacks` in name order, and `environments` mapping each environment to its stacks.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tenancy.project import shard_layout
from tenancy.cli.exit_codes import ExitCode
from tenancy.project.stacks import ProjectError, project_stacks
from tenancy.project.validation import check_paths

JSON_FORMAT_VERSION = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text for people (default), json for CI")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="project directory (default: here)")


def document(stacks: list[shard_layout.StackEntry]) -> dict:
    """The `--format json` output; `version` changes only when fields are removed or change meaning."""
    environments: dict[str, list[str]] = {}
    for entry in stacks:
        environments.setdefault(entry.environment, []).append(entry.stack)
    return {
        "version": JSON_FORMAT_VERSION,
        "stacks": [entry.as_dict() for entry in stacks],
        "environments": environments,
    }


def text(stacks: list[shard_layout.StackEntry]) -> str:
    lines = []
    for environment, names in document(stacks)["environments"].items():
        group = [entry for entry in stacks if entry.stack in names]
        if group[0].shard is None:
            lines.append(f"{environment}: stack {group[0].stack} (unsharded)")
        else:
            lines.append(f"{environment}: {len(group)} shards")
            lines += [f"  shard {entry.shard:<12} stack {entry.stack}" for entry in group]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    try:
        project = project_stacks(args.project_dir)
    except ProjectError as err:
        print(f"shards: {err}", file=sys.stderr)
        return ExitCode.USAGE
    stacks = shard_layout.entries(project.settings)
    # validate's checks, every stack at once: one set of rules for the check, the verdict and the deploy.
    problems = list(dict.fromkeys(str(finding.problem) for finding in check_paths(project, []).gate_findings))
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"shards: {len(problems)} problem{'s' if len(problems) != 1 else ''}; no stack list", file=sys.stderr)
        return ExitCode.INVALID
    if args.format == "json":
        print(json.dumps(document(stacks), indent=2))
    else:
        sys.stdout.write(text(stacks))
    return ExitCode.SUCCESS
