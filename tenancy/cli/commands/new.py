"""Write a new tenant file, tenants/NAME.yaml, with every field explained and defaults filled in.

The file is checked first, alone and beside the files already in the directory, against every
stack (or --stack): nothing is written unless it is valid, and an existing file is never
overwritten. The tenant identifier defaults to the repository's owner. Without
--artifact-bucket, artifacts go to the environment's fallback bucket under NAME/.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tenancy.authoring import scaffold
from tenancy.model import formats, naming
from tenancy.cli.commands.validate import format_finding
from tenancy.loading.loader import TENANT_SUFFIX, display_path
from tenancy.model.registration import DEFAULT_REGION
from tenancy.model.settings import VaultSettings
from tenancy.cli.terminal import Painter
from tenancy.project import schema_line
from tenancy.project.stacks import ProjectError, Stacks, project_stacks
from tenancy.cli.exit_codes import ExitCode
from tenancy.project import codeowners
from tenancy.project.validation import check_new_file, codeowners_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help=f"registration name: lowercase letters, digits and '-', at most {naming.MAX_REGISTRATION_NAME_LENGTH} characters")
    parser.add_argument(
        "--repo",
        required=True,
        metavar="URL",
        help="GitHub repository: its address in the browser, or its HTTPS or SSH clone URL (written as https://github.com/<owner>/<repo>.git)",
    )
    parser.add_argument("--tenant", metavar="T", help="tenant identifier, your project or program code (default: the repository's owner)")
    parser.add_argument("--artifact-bucket", metavar="B", help="dedicated bucket for artifacts and logs (default: the environment's fallback bucket)")
    parser.add_argument("--data-bucket", metavar="B", help="dedicated bucket for primary data (default: none)")
    parser.add_argument("--region", help=f"AWS region of --artifact-bucket and --data-bucket (default: {DEFAULT_REGION})")
    parser.add_argument("--key-prefix", metavar="P", help="prefix of the artifacts in --artifact-bucket, e.g. workflows/")
    parser.add_argument("--branch", metavar="BRANCH", help="default branch (default: main)")
    parser.add_argument("--admin", action="append", default=[], metavar="EMAIL", help="admin of the workflows (repeatable)")
    parser.add_argument("--reader", action="append", default=[], metavar="EMAIL", help="read-only user (repeatable)")
    parser.add_argument(
        "--owner",
        action="append",
        default=[],
        metavar="@LOGIN",
        help="GitHub user (@login) or team (@org/team) who owns the registration: .github/CODEOWNERS asks them to "
        "review changes to the file, and their approval (or the platform's) is needed to change its access (repeatable)",
    )
    parser.add_argument("--environment", action="append", default=[], metavar="ENV", help="deploy only to this environment (repeatable; default: all)")
    parser.add_argument("--shard", metavar="SHARD", help="shard of the environments split into shards (docs/sharding.md)")
    parser.add_argument("--out", type=Path, metavar="DIR", help="directory to write to (default: tenants/)")
    parser.add_argument("--stack", help="check against this stack only (default: every stack)")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="project directory (default: here)")


def run(args: argparse.Namespace) -> int:
    # The name becomes a path: refuse anything but a valid name before touching the file system.
    problem = formats.dns_label_problem(args.name, "registration name", naming.MAX_REGISTRATION_NAME_LENGTH)
    if problem:
        print(f"new: NAME {problem}", file=sys.stderr)
        return ExitCode.USAGE
    refused = _dropped_options(args)
    if refused:
        print(f"new: {refused}", file=sys.stderr)
        return ExitCode.USAGE
    owners, problem = _owners(args.owner)
    if problem:
        print(f"new: {problem}", file=sys.stderr)
        return ExitCode.USAGE
    repo_url = formats.github_clone_url(args.repo)
    if repo_url is None:
        # Said here and only here: the model would also find the tenant identifier (taken from the
        # owner) empty, a knock-on of this one problem.
        print(
            f"new: --repo {args.repo!r} is not the address of a GitHub repository; give "
            "https://github.com/<owner>/<repo>.git (the browser's address or git@github.com:<owner>/<repo>.git work too)",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    try:
        stacks = project_stacks(args.project_dir, args.stack)
    except ProjectError as err:
        print(f"new: {err}", file=sys.stderr)
        return ExitCode.USAGE
    directory = args.out or stacks.default_tenants_dir
    path = directory / f"{args.name}{TENANT_SUFFIX}"
    shown = display_path(path)
    paint = Painter(sys.stderr)
    if repo_url != args.repo:
        print(paint(f"note: --repo read as {repo_url}", "dim"), file=sys.stderr)
    for given, owner in zip(args.owner, owners):
        if given != owner:
            print(paint(f"note: --owner {given} read as {owner}", "dim"), file=sys.stderr)
    if path.exists():
        print(f"{shown}: already exists; not overwritten (edit it, or choose another NAME)", file=sys.stderr)
        return ExitCode.INVALID
    new = scaffold.NewTenant(
        name=args.name,
        repo_url=repo_url,
        tenant=args.tenant,
        default_branch=args.branch,
        artifact_bucket=args.artifact_bucket,
        data_bucket=args.data_bucket,
        region=args.region or DEFAULT_REGION,
        key_prefix=args.key_prefix,
        admin_users=tuple(args.admin),
        read_users=tuple(args.reader),
        owners=owners,
        environments=tuple(args.environment),
        shard=args.shard,
    )
    text = scaffold.render(new, _context(stacks), schema_line.modeline(directory, args.project_dir))
    report = check_new_file(stacks, path, text)
    for note in report.notes:
        print(paint(f"note: {note}", "dim"), file=sys.stderr)
    if not report.ok:
        print(paint(f"{shown} not written: it would not be valid", "red", "bold"), file=sys.stderr)
        for finding in report.findings:
            print(f"  {format_finding(finding, report.stacks, paint, unwritten=shown)}", file=sys.stderr)
        return ExitCode.INVALID
    # CODEOWNERS is generated from the tenant files: `new` keeps it in step if it was before.
    codeowners_before = _codeowners_in_step(stacks)
    directory.mkdir(parents=True, exist_ok=True)
    try:
        # "x": fails instead of overwriting a file that appeared since the check above.
        with path.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        print(f"{shown}: already exists; not overwritten", file=sys.stderr)
        return ExitCode.INVALID
    print(shown)
    updated = _update_codeowners(stacks, codeowners_before)
    if updated:
        print(f"{display_path(updated)}: updated, so that GitHub asks {', '.join(owners)} to review {shown}", file=sys.stderr)
    elif updated is None and owners:
        print(
            f"note: {display_path(stacks.project_dir / codeowners.CODEOWNERS)} was out of step before this file (edited by "
            "hand?), so it was left as it is: review it, then `python -m tenancy validate --fix` writes it",
            file=sys.stderr,
        )
    both = f" and {display_path(updated)}" if updated else ""
    print(
        f"next: review the file{both}, run `python -m tenancy validate`, and open a pull request (docs/onboarding.md)",
        file=sys.stderr,
    )
    return ExitCode.SUCCESS


def _owners(given: list[str]) -> tuple[tuple[str, ...], str | None]:
    """--owner values as CODEOWNERS names them (`alice` read as `@alice`), or the first that is neither a
    GitHub user nor a team."""
    owners = []
    for value in given:
        owner = value if value.startswith("@") else f"@{value}"
        if formats.code_owner_problem(owner) is not None:
            return (), f"--owner {value!r} is not a GitHub user (@login) or team (@org/team)"
        owners.append(owner)
    return tuple(dict.fromkeys(owners)), None


def _codeowners_in_step(stacks: Stacks) -> bool:
    """Whether .github/CODEOWNERS is what the tenant files make it (validate checks it only where .github/ is)."""
    path = stacks.project_dir / codeowners.CODEOWNERS
    if not (stacks.project_dir / ".github").is_dir():
        return False
    return (path.read_text(encoding="utf-8") if path.is_file() else None) == codeowners_of(stacks)


def _update_codeowners(stacks: Stacks, in_step_before: bool) -> Path | None | bool:
    """.github/CODEOWNERS written again when the new file changes it (it names owners): the file `validate --fix`
    writes and the pre-commit hook checks, so the pull request carries both. The path when written; False when
    nothing changed or the project keeps no .github/; None when it was out of step before (left to `validate --fix`)."""
    if not (stacks.project_dir / ".github").is_dir():
        return False
    path = stacks.project_dir / codeowners.CODEOWNERS
    expected = codeowners_of(stacks)
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current == expected:
        return False
    if not in_step_before:
        return None
    path.write_text(expected, encoding="utf-8")
    return path


def _dropped_options(args: argparse.Namespace) -> str | None:
    """Options that would not reach the file, and the fix; None when every option given is used."""
    if args.key_prefix is not None and not args.artifact_bucket:
        return (
            "--key-prefix applies to --artifact-bucket only: without one, artifacts go to the environment's "
            f"fallback bucket under {args.name}/; add --artifact-bucket B, or leave --key-prefix out"
        )
    if args.region is not None and not (args.artifact_bucket or args.data_bucket):
        return "--region is the region of --artifact-bucket or --data-bucket; add one of them, or leave --region out"
    return None


def _context(stacks: Stacks) -> scaffold.Context:
    """Examples for the comments, from the first stack whose settings are valid (check_new_file reports the others)."""
    valid = list(stacks.settings.values())
    if not valid:
        return scaffold.Context(environments=(), vault_path_prefix=VaultSettings.model_fields["path_prefix"].default)
    first = valid[0]
    return scaffold.Context(
        environments=first.environments,
        vault_path_prefix=first.vault.path_prefix,
        endpoint_example=first.s3_endpoint,
        shards=next((settings.shard.of for settings in valid if settings.shard is not None), ()),
    )
