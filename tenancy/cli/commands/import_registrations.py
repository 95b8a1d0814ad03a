"""Turn existing RepoRegistrations into tenant files, one tenants/<name>.yaml each, then validate them.

FILE is the output of `kubectl get reporegistrations -A -o yaml` (or -o json, or manifests
separated by ---), or a values file of the reference Helm chart with a `repoRegistrations:` list;
`-` reads standard input. What the cluster keeps about an object (status, uid, resourceVersion,
managedFields...) is dropped; every other field a tenant file does not have is dropped and
reported with the reason. An existing file is never overwritten. Exit 1 when anything was
skipped or an imported file is not valid for every stack (the files are kept, so you can fix
them where the messages point).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tenancy.authoring import importer
from tenancy.cli.commands.validate import print_report
from tenancy.cli.terminal import Painter
from tenancy.loading.loader import TENANT_SUFFIX, display_path
from tenancy.project import schema_line
from tenancy.project.stacks import ProjectError, project_stacks
from tenancy.cli.exit_codes import ExitCode
from tenancy.project.validation import check_paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="kubectl output or Helm values; - for standard input")
    parser.add_argument("--out", type=Path, metavar="DIR", help="directory to write to (default: tenants/)")
    parser.add_argument("--stack", help="validate against this stack only (default: every stack)")
    parser.add_argument(
        "--shard",
        metavar="SHARD",
        help="spec.shard of every imported registration that names none, for environments split into shards (docs/sharding.md)",
    )
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="project directory (default: here)")


def run(args: argparse.Namespace) -> int:
    try:
        stacks = project_stacks(args.project_dir, args.stack)
    except ProjectError as err:
        print(f"import: {err}", file=sys.stderr)
        return ExitCode.USAGE
    source = "standard input" if args.file == "-" else Path(args.file).name
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8-sig")
        result = importer.read(text)
    except OSError as err:
        print(f"{args.file}: cannot be read: {err.strerror}", file=sys.stderr)
        return ExitCode.INVALID
    except importer.UnreadableInput as err:
        print(f"{args.file}: {err}", file=sys.stderr)
        return ExitCode.INVALID
    paint = Painter(sys.stdout)
    if not result.imported and not result.skipped:
        print(f"{args.file}: holds no RepoRegistration", file=sys.stderr)
        return ExitCode.INVALID
    directory = args.out or stacks.default_tenants_dir
    directory.mkdir(parents=True, exist_ok=True)
    modeline = schema_line.modeline(directory, args.project_dir)
    complete = not result.skipped
    written = []
    for item in result.imported:
        if args.shard:
            item = importer.with_shard(item, args.shard)
        path = directory / f"{item.name}{TENANT_SUFFIX}"
        try:
            with path.open("x", encoding="utf-8") as out:
                out.write(importer.render(item, modeline, source))
        except FileExistsError:
            complete = False
            print(paint(f"{display_path(path)}: already exists; {item.origin} not imported (not overwritten)", "red"))
            continue
        written.append(item)
        print(f"{paint(display_path(path), 'bold')}: from {item.origin}")
        for change in item.changed:
            print(f"  changed {change}")
        for dropped in item.dropped:
            print(paint(f"  dropped {dropped.field}: {dropped.reason}", "yellow"))
    for skipped in result.skipped:
        print(paint(f"skipped {skipped.origin}: {skipped.reason}", "red"))
    if any(item.document["spec"].get("artifactBucket") or item.document["spec"].get("dataBucket") for item in written):
        print(
            "note: buckets that already exist must be imported into each stack before `pulumi up` "
            "(docs/operations.md, \"Re-onboarding a retained bucket\")"
        )
    report = check_paths(stacks, [directory])
    print_report(report, sys.stdout)
    return ExitCode.SUCCESS if complete and report.ok else ExitCode.INVALID
