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
               pull request's files. Both sides with this program and the same Pulumi.yaml,
               Pulumi.<stack>.yaml and retired-buckets record: only the registrations whose
               tenant file differs are built, the others are the same on both sides and counted
               untouched (every file is still validated; --full-plan builds them all).

With --base the merge is also reviewed as a whole (docs/ci.md has the table): every changed path
is classified, and what the plan cannot show waits for an approval (exit 3) or is refused (exit 1).
Waiting for an approval (--approved KIND=LOGIN@SHA, counted only for --commit's commit and never
from --author):
  offboarding      a tenant offboarded or moved to another stack; a bucket leaving management
                   (which must also be recorded in tenants/_retired-buckets.yaml: until it is,
                   nothing accepts the change); a namespace, Vault secret or IAM or MinIO user
                   deleted or replaced; `protect` or `retainOnDelete` dropped; a stack file removed;
                   a registration that stays losing a grant of its storage policy, Vault policy or
                   Roles, or a WorkflowTemplate parameter (an upgrade that narrows access:
                   docs/operations.md)
                   (--allow-offboarding: accepted by whoever runs the command)
  platform-change  the program or its tooling; Pulumi.yaml keys other than config:; stack-file keys
                   other than config: (ESC environments, the secrets provider); settings outside
                   argo-tenants: and those that redirect a deploy or grant (namespaces, images, Vault,
                   webhook URL, GitHub App...)
  access-change    an existing registration's repoUrl, installationId, adminUsers, readUsers,
                   isPublic, definitions, deployers or owners (`owner` approvals count for the registrations whose owners
                   name their login)
Refused: what validate refuses on the head's files (across stacks and environments too), a hidden
folder or unknown file under a tenants directory, a stack name outside the safe set, Pulumi.yaml or a
stack file that repeats a key.
--format markdown is a pull-request comment, its verdict line first (--summary FILE appends the
whole report to FILE); --format json is documented in docs/plan-format.md.

With --base, --all-stacks (or --stack repeated) compares every stack in one report: for CI, one
pull-request comment with one verdict for all stacks first and one size budget per stack, exiting
with the worst code. With --head, --all-stacks means every stack of either revision; a stack whose
file the head removes blocks too (nothing deploys it any more), until offboarding is approved.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from tenancy.cli.exit_codes import ExitCode
from tenancy.plan import comment, markdown
from tenancy.plan.approvals import Approval, ApprovalError, Approvals, Review
from tenancy.plan.comment import StackReport, review_text
from tenancy.plan.diff_render import diff_text
from tenancy.plan.git_snapshot import SnapshotError
from tenancy.plan.outcome import worst
from tenancy.plan.render import plan_markdown, plan_text
from tenancy.plan.render_values import log_safe
from tenancy.plan.review import outcome as review_outcome
from tenancy.plan.review import review
from tenancy.plan.revisions import CURRENT, EACH, Request, Stop, compare, head_commit, plan_head, stacks_to_plan
from tenancy.project.stacks import ProjectError

MIN_BUDGET = 2_000
# GitHub's bound on one step's summary is 1 MiB; the whole report fits far below it.
SUMMARY_BUDGET = 1_000_000


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
        help="with --base: accept offboarding (a tenant offboarded or moved, a stateful object deleted or "
        "replaced, a protection dropped), as whoever runs the command",
    )
    parser.add_argument(
        "--approved",
        action="append",
        default=[],
        type=_approval,
        metavar="KIND=LOGIN@SHA",
        help="with --base: an approval given (CI passes those it verified): KIND is offboarding, platform-change, "
        "access-change (all three by a platform owner) or owner (a registration's owner, for its access "
        "changes); it counts only for the commit SHA names (see --commit)",
    )
    parser.add_argument(
        "--commit",
        metavar="SHA",
        help="the commit the verdict and approvals are for (CI: the pull request's head, not the merge planned); "
        "default: --head's commit, else HEAD's",
    )
    parser.add_argument("--author", metavar="LOGIN", help="the pull request's author, whose own approvals count for nothing")
    parser.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="with --format markdown: also append the whole report, unbudgeted, to FILE (CI: $GITHUB_STEP_SUMMARY)",
    )
    parser.add_argument(
        "--full-plan",
        action="store_true",
        help="with --base, --head and --program current: build every registration on both sides, also those "
        "whose tenant file, program and settings are the same at both (same result, slower)",
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


def _approval(text: str) -> Approval:
    try:
        return Approval.parse(text)
    except ApprovalError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _request(args: argparse.Namespace) -> Request:
    approvals = Approvals(tuple(args.approved), args.commit, args.author, local_offboarding=args.allow_offboarding)
    return Request(
        project_dir=args.project_dir.resolve(),
        stacks=tuple(args.stack or ()),
        all_stacks=args.all_stacks,
        tenants_dir=args.tenants_dir,
        base=args.base,
        head=args.head,
        program=args.program,
        approvals=approvals,
        full_plan=args.full_plan,
    )


def _render_plan(args: argparse.Namespace, document: dict[str, Any]) -> str:
    if args.format == "json":
        return json.dumps(document, indent=2) + "\n"
    if args.format == "markdown":
        return plan_markdown(document, args.max_length)
    return plan_text(document, verbose=args.verbose)


def _render_reports(args: argparse.Namespace, reports: list[StackReport], review: Review | None) -> str:
    if args.format == "markdown":
        if args.summary:
            with args.summary.open("a", encoding="utf-8") as summary:
                summary.write(comment.render(reports, SUMMARY_BUDGET, review))
        return comment.render(reports, args.max_length, review)
    if args.format == "json":
        [report] = reports  # several stacks in JSON are refused in run()
        if not report.diff:
            return ""
        document = {**report.diff, "review": review.as_dict()} if review else report.diff
        return json.dumps(document, indent=2) + "\n"
    text = "\n".join(diff_text(report.diff) if report.diff else comment.report_text(report) for report in reports)
    return (review_text(review) + "\n" + text) if review else text


def _log(text: str) -> None:
    """stderr, where CI's log shows it: no line may start a GitHub workflow command (`::`), whatever a file names."""
    print(log_safe(text), file=sys.stderr)


def run(args: argparse.Namespace) -> ExitCode:
    request = _request(args)
    try:
        stacks = stacks_to_plan(request)
    except ProjectError as err:
        _log(f"plan: {err}")
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
        request = replace(request, approvals=replace(request.approvals, commit=head_commit(request)))
        reports = compare(request, stacks)
        for report in reports:
            if report.notice:
                _log(report.notice)
        try:
            merge = review(request.project_dir, args.base, args.head, request.approvals, {r.stack: r.diff for r in reports if r.diff})
        except SnapshotError as err:
            # The base cannot be read: each stack's report says so already (exit 4).
            _log(f"plan: the merge cannot be reviewed: {err}")
            sys.stdout.write(_render_reports(args, reports, None))
            return ExitCode(worst([report.code for report in reports] + [ExitCode.BASE_UNAVAILABLE]))
        for requirement in merge.refused + merge.waiting:
            _log(f"plan: {requirement.kind}: {requirement.subject}: {requirement.what}")
        sys.stdout.write(_render_reports(args, reports, merge))
        return ExitCode(worst([report.code for report in reports] + [review_outcome(merge)]))
    [stack] = stacks
    try:
        with tempfile.TemporaryDirectory(prefix="argo-tenants-plan-") as scratch:
            head = plan_head(request, stack, Path(scratch))
    except Stop as stop:
        _log(f"{stop.title}\n{stop.message}")
        if args.format == "markdown":
            sys.stdout.write(comment.render([StackReport(stack, int(stop.code), problem=(stop.title, stop.message))], args.max_length))
        return ExitCode(stop.code)
    sys.stdout.write(_render_plan(args, head.document))
    return ExitCode.SUCCESS
