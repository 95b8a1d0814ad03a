"""The pull-request comment of `plan --base`: every stack's diff and the merge's review in one Markdown
report, read top-down.

1. One verdict line: refused, blocked until approved (which approval, which label), approved (by whom,
   for which commit), or nothing blocking.
2. What the merge changes besides the tenants' objects (tenancy.plan.review): refused, waiting,
   approved, renames; then each stack's state, a table of the stacks, the revisions planned (a merge
   computed for the plan is never named as a commit), "showing N of M" and a compact index.
3. Per stack, blocked stacks first: its offboarding caution, the stack settings it changes, what it
   leaves to other stacks, its shared objects, the changes many tenants share (grouped once, with
   their names), then one collapsed section per tenant.

Everything fits one byte budget (GitHub refuses comments over 65,536 characters): the verdicts, every
stack's head and the index always stay; what is left is shared out per stack, whole sections left out
from each stack's end, counted at the top and below their stack. Every name that comes from a file
(stacks, tenants, settings) is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from tenancy.plan import markdown as md
from tenancy.plan import preamble
from tenancy.plan.approvals import ACCESS_CHANGE, LABELS, OFFBOARDING as OFFBOARDING_KIND, PLATFORM_CHANGE, Review
from tenancy.plan.diff_render import (
    EMOJI,
    MOVE_EMOJI,
    RENAME_EMOJI,
    STATUS_ORDER,
    acceptance_words,
    action_counts,
    alike_groups,
    alike_section,
    base_label,
    caution,
    changes_table,
    head_label,
    no_changes,
    offboarding_words,
    rename_section,
    rename_title,
    renames_of,
    settings_line,
    tenant_section,
)
from tenancy.plan.facts import skip_words
from tenancy.plan.render_values import clean
from tenancy.plan.renames import renamed_names

OFFBOARDING = 3
# Names listed per stack and status in the index at the top; the sections below list every one.
INDEX_NAMES = 12
# Room kept for what is written last but shown first ("showing N of M") and for each stack's tail.
_SHOWING_ROOM = 400
_TAIL_ROOM = 400


@dataclass(frozen=True)
class StackReport:
    """One stack's outcome: its exit code, and its diff document or why there is none (title, message)."""

    stack: str
    code: int
    diff: dict[str, Any] | None = None
    problem: tuple[str, str] | None = None
    # What the command says about it on stderr, for the job log (never part of the comment).
    notice: str | None = None
    # A removed stack (no diff) accepted: who, in the diff's `offboarding.acceptedBy` shape.
    accepted_by: dict[str, Any] | None = None

    @property
    def acceptance(self) -> str:
        """`accepted by @alice for 0123456789ab` (or locally), from the diff or, for a removed stack, its own record."""
        if self.diff is not None:
            return acceptance_words(self.diff["offboarding"])
        return acceptance_words({"accepted": self.code == 0 and bool(self.accepted_by), "acceptedBy": self.accepted_by})


def diff_markdown(diff: dict[str, Any], budget: int = md.DEFAULT_BUDGET) -> str:
    """The comment for one stack's diff."""
    blocked = diff["offboarding"]["blocking"] and not diff["offboarding"].get("accepted")
    return render([StackReport(diff["stack"], OFFBOARDING if blocked else 0, diff)], budget)


# --- verdicts -------------------------------------------------------------------------------------


def verdict(report: StackReport) -> str:
    """One stack's verdict in a few words, starting with its mark."""
    if report.diff is None:
        title = report.problem[0] if report.problem else "no plan"
        if report.code == OFFBOARDING:
            return f"⛔ blocked: {title}"
        if report.code == 0:
            return f"⚠️ {report.acceptance or 'accepted'}: {title}"
        return f"⛔ no plan: {title}"
    words = ", ".join(offboarding_words(report.diff))
    if report.code == OFFBOARDING:
        return f"⛔ blocked: {words}"
    if report.diff["offboarding"]["blocking"]:
        return f"⚠️ {acceptance_words(report.diff['offboarding']) or 'accepted'}: {words}"
    return "✅ nothing blocking" + (" (no changes)" if no_changes(report.diff) else "")


def report_text(report: StackReport) -> str:
    """A stack with no diff (a removed stack file, a stack that could not be planned), for a terminal:
    what happened, then the verdict in the words a diff's BLOCKING line uses."""
    title, message = report.problem or ("no plan", "")
    if report.code == 0 and report.problem is not None:
        state = f"BLOCKING: {report.acceptance or 'accepted'}"
    elif report.code == OFFBOARDING:
        state = "BLOCKING: exit 3 until approved (label allow-offboarding, or --allow-offboarding locally)"
    else:
        state = f"NO PLAN (exit {report.code})"
    return f"stack {clean(report.stack)}: {clean(title)}\n\n{state}\n  {clean(message)}\n"


def _stack_list(reports: list[StackReport]) -> str:
    names = [md.code(report.stack) for report in reports]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _accepted(report: StackReport) -> bool:
    """Blocking, and accepted with `allow-offboarding` (a removed stack has a problem and no diff)."""
    if report.diff is None:
        return report.code == 0 and report.problem is not None
    return bool(report.diff["offboarding"]["blocking"])


def _offboarding_approver(reports: list[StackReport], review: Review | None) -> str:
    """`by @alice for 0123456789ab` or `locally (--allow-offboarding)`: as the diffs record it (`acceptedBy`);
    a removed stack, which has no diff, by the review's approval."""
    for report in reports:
        if report.acceptance:
            return html.escape(report.acceptance.removeprefix("accepted "))
    approval = review.approvals.of(OFFBOARDING_KIND) if review else None
    return f"by {html.escape(approval.words())}" if approval else "with `allow-offboarding`"


def overall(reports: list[StackReport], review: Review | None = None) -> str:
    """Each stack's state: is anything blocking, where, and what to do about it."""
    blocked = [report for report in reports if report.code != 0]
    clear = [report for report in reports if report.code == 0]
    if blocked:
        lines = ["> [!CAUTION]", "> **Blocked.**"]
        for report in blocked:
            fix = "its section below says why"
            if report.code == OFFBOARDING:
                fix = "a platform owner accepts it with the `allow-offboarding` label"
                if _unrecorded(report):
                    fix = f"record it first (its section below has the YAML to paste into {md.code(RETIRED_FILE)}), then {fix}"
            lines.append(f"> - {md.code(report.stack)}: {html.escape(verdict(report)[2:])}; {fix}.")
        if clear:
            lines.append(f"> - {_stack_list(clear)}: nothing blocking.")
        return "\n".join(lines)
    accepted = [report for report in reports if _accepted(report)]
    if accepted:
        lines = ["> [!WARNING]", f"> **Offboarding accepted** {_offboarding_approver(accepted, review)}; nothing else blocking in the plans."]
        lines += [f"> - {md.code(report.stack)}: {html.escape(verdict(report).split(': ', 1)[1])}." for report in accepted]
        return "\n".join(lines)
    if all(no_changes(report.diff) for report in reports):
        if review and review.requirements:
            return f"> [!NOTE]\n> **No tenant or resource changes** on {_stack_list(reports)}; what else the merge changes is listed above."
        return f"> [!TIP]\n> **No changes** on {_stack_list(reports)}: merging changes nothing there."
    if review and (review.waiting or review.refused):
        return (
            f"> [!NOTE]\n> Nothing in the plans blocks on {_stack_list(reports)} (no tenant offboarded or moved, no bucket "
            "leaving management); what waits is listed above."
        )
    return (
        f"> [!TIP]\n> **Nothing blocking** on {_stack_list(reports)}: no tenant is offboarded or moved "
        "and no bucket leaves management; the changes below only create or update."
    )


RETIRED_FILE = "tenants/_retired-buckets.yaml"


def _unrecorded(report: StackReport) -> bool:
    """Offboarding no approval accepts yet: buckets or prefixes leaving that the retired file does not record."""
    return bool(report.diff and report.diff["offboarding"].get("unrecorded"))


# --- the merge as a whole (tenancy.plan.review) ------------------------------------------------------

KIND_WORDS = {
    PLATFORM_CHANGE: "a platform owner's approval",
    ACCESS_CHANGE: "approval by the registration's owners or a platform owner",
}
KIND_TITLES = {PLATFORM_CHANGE: "platform change", ACCESS_CHANGE: "access change", OFFBOARDING_KIND: "offboarding", "refused": "refused"}
# Requirements listed at the top; past it they are counted (the job summary lists them all).
MAX_REQUIREMENTS = 40


def _commit(review: Review | None) -> str:
    return f" for {md.code(review.commit[:12])}" if review and review.commit else ""


def verdict_line(reports: list[StackReport], review: Review | None = None) -> str:
    """The first line of the comment: may this merge land, and, if approvals made it so, whose and for which commit."""
    refused = list(review.refused) if review else []
    invalid = [report for report in reports if report.code not in (0, OFFBOARDING)]
    offboarding = [report for report in reports if report.code == OFFBOARDING]
    waiting = list(review.waiting) if review else []
    if refused or invalid:
        count = len(refused) + len(invalid)
        return f"**⛔ Refused{_commit(review)}:** {count} problem{'s' if count != 1 else ''} the pull request must fix first (below)."
    if waiting or offboarding:
        needs = []
        for kind in (PLATFORM_CHANGE, ACCESS_CHANGE):
            of_kind = [r for r in waiting if r.kind == kind]
            if of_kind:
                needs.append(
                    f"{KIND_WORDS[kind]} (label {md.code(LABELS[kind])}) for {len(of_kind)} {KIND_TITLES[kind]}{'s' if len(of_kind) != 1 else ''}"
                )
        unrecorded = [report for report in offboarding if _unrecorded(report)]
        if unrecorded:
            # No label accepts it before the record (the diff's `accepted` stays false): the record comes first.
            needs.insert(0, f"a record in {md.code(RETIRED_FILE)} of what leaves management on {_stack_list(unrecorded)} (the YAML to paste is below)")
        if offboarding:
            needs.append(f"a platform owner's acceptance of offboarding (label {md.code(LABELS[OFFBOARDING_KIND])}) on {_stack_list(offboarding)}")
        until = "until recorded and approved" if unrecorded else "until approved"
        return f"**⛔ Blocked{_commit(review)}** {until}: {'; '.join(needs)}."
    approvals = approval_words(reports, review)
    if approvals:
        return f"**✅ Approved{_commit(review)}:** {approvals}. Nothing else blocks."
    if reports and all(report.diff is not None and no_changes(report.diff) for report in reports) and not (review and review.paths):
        return f"**✅ No changes{_commit(review)}:** merging changes nothing on {_stack_list(reports)}."
    return f"**✅ Nothing blocking{_commit(review)}:** every change below only creates or updates tenants' objects."


def approval_words(reports: list[StackReport], review: Review | None) -> str:
    """`offboarding by @alice for 0123abcd; platform change by @bob for 0123abcd`: approvals that carry the verdict."""
    if review is None:
        return ""
    words = []
    accepted = [report for report in reports if report.code == 0 and _accepted(report)]
    if accepted:
        words.append(f"offboarding on {_stack_list(accepted)} {_offboarding_approver(accepted, review)}")
    by: dict[tuple[str, str], int] = {}
    for requirement in review.approved:
        approval = requirement.approved_by
        by[(KIND_TITLES[requirement.kind], approval.words())] = by.get((KIND_TITLES[requirement.kind], approval.words()), 0) + 1
    words += [f"{count} {kind}{'s' if count != 1 else ''} by {html.escape(who)}" for (kind, who), count in by.items()]
    return "; ".join(words)


def _requirement_line(requirement, mark: str) -> str:
    owners = ""
    if requirement.kind == ACCESS_CHANGE:
        named = ", ".join(md.code(owner) for owner in requirement.owners) or "none named"
        owners = f" · owners at the base: {named}"
    approved = f" · approved by {html.escape(requirement.approved_by.words())}" if requirement.approved_by else ""
    # `what` is Markdown already, every value from the files in a code span (tenancy.plan.review).
    return f"- {mark} **{KIND_TITLES[requirement.kind]}** {md.code(requirement.subject)}: {requirement.what}{owners}{approved}"


def review_block(review: Review | None) -> str:
    """What the merge changes beyond the plans, blocking first: refused, then waiting, then approved; renames."""
    if review is None or not (review.requirements or review.renames):
        return ""
    lines = []
    listed = 0
    for group, mark in ((review.refused, "⛔"), (review.waiting, "⏳"), (review.approved, "✅")):
        for requirement in group:
            if listed < MAX_REQUIREMENTS:
                lines.append(_requirement_line(requirement, mark))
            listed += 1
    if listed > MAX_REQUIREMENTS:
        lines.append(f"- … and {listed - MAX_REQUIREMENTS} more: the job summary lists them all")
    lines += [f"- 🔀 **rename** {md.code(rename['words'])}" for rename in review.renames]
    kind = "CAUTION" if review.refused or review.waiting else "NOTE"
    heading = "What this merge changes besides the tenants' objects, and who approves it (docs/ci.md):"
    stale = review.approvals.stale()
    if stale:
        lines.append(
            "- approvals given for another commit count for nothing here: "
            + ", ".join(f"{html.escape(a.kind)} {html.escape(a.words())}" for a in stale)
        )
    return "\n".join([f"> [!{kind}]", f"> {heading}", ">", *(f"> {line}" for line in lines)])


def review_text(review: Review) -> str:
    """The review for a terminal."""
    lines = []
    for group, mark in ((review.refused, "REFUSED"), (review.waiting, "NEEDS APPROVAL"), (review.approved, "APPROVED")):
        for requirement in group:
            by = f" (by {requirement.approved_by.words()})" if requirement.approved_by else ""
            owners = f" [owners: {', '.join(requirement.owners) or 'none'}]" if requirement.kind == ACCESS_CHANGE else ""
            lines.append(f"{mark}: {KIND_TITLES[requirement.kind]}: {clean(requirement.subject)}: {clean(requirement.what)}{owners}{by}")
    lines += [f"RENAME: {clean(rename['words'])}" for rename in review.renames]
    return "\n".join(lines) + ("\n" if lines else "")


def provenance(reports: list[StackReport], review: Review | None) -> str:
    """Which revisions were planned, after the verdict: a merge computed for CI is named as what it is."""
    diffs = [report.diff for report in reports if report.diff]
    if not diffs:
        return ""
    diff = diffs[0]
    base = md.code(base_label(diff))
    program = {"current": "the base's program (`--program current`)", "each": "each revision's own program"}.get(diff.get("program") or "", "")
    head_commit = (diff.get("head") or {}).get("commit")
    if review and review.commit and head_commit and not head_commit.startswith(review.commit):
        head = f"the pull request's head {md.code(review.commit[:12])} merged into the base (a merge computed for this plan only, not a commit on GitHub)"
    elif (diff.get("head") or {}).get("ref"):
        head = md.code(head_label(diff))
    else:
        head = "the working tree"
    return f"<sub>Planned: {head}, against base {base}{', with ' + program if program else ''}. No cloud was contacted.</sub>"


def _resource_counts(diff: dict[str, Any]) -> str:
    """`36 to create, 3 to update`: the actions that occur, on cloud objects (as `plan` counts them)."""
    counts = diff["summary"]["resources"]
    words = {"create": "to create", "update": "to update", "replace": "to replace", "delete": "to delete", "retain": "retained"}
    shown = [f"{counts[action]} {word}" for action, word in words.items() if counts.get(action)]
    return ", ".join(shown) or "none"


def _tenant_counts(diff: dict[str, Any]) -> str:
    counts = diff["summary"]["tenants"]
    shown = [f"{counts[kind]} {kind}" for kind in ("onboarded", "offboarded", "changed") if counts[kind]]
    return ", ".join(shown + [f"{counts['untouched']} untouched"])


def stacks_table(reports: list[StackReport]) -> str:
    rows = []
    for report in reports:
        if report.diff is None:
            rows.append((md.code(report.stack), html.escape(verdict(report)), "", ""))
        else:
            rows.append(
                (md.code(report.stack), html.escape(verdict(report)), _tenant_counts(report.diff), _resource_counts(report.diff))
            )
    return md.table(["stack", "verdict", "tenants", "resources (cloud objects)"], rows)


# --- per stack ------------------------------------------------------------------------------------


def _heading(report: StackReport) -> str:
    return f"#### {md.code(report.stack)} · {html.escape(verdict(report))}"


def _problem_block(report: StackReport, room: int) -> str:
    """Why a stack has no plan, bounded: its problems (file:line: field: message) as a code block."""
    title, message = report.problem or ("no plan", "")
    lines, kept, used = message.splitlines(), [], 0
    for line in lines:
        used += md.size(line) + 1
        if used > room:
            kept.append(f"… {len(lines) - len(kept)} more lines in the job log")
            break
        kept.append(line)
    return f"> [!WARNING]\n> {html.escape(title)}\n\n{md.code_block(chr(10).join(kept))}"


def _skipped_line(diff: dict[str, Any], limit: int = 12) -> str:
    left = list((diff.get("skipped") or {}).items())
    if not left:
        return ""
    shown = ", ".join(f"{md.code(name)} ({html.escape(skip_words(reason))})" for name, reason in left[:limit])
    more = f" and {len(left) - limit} more" if len(left) > limit else ""
    return f"Not deployed by this stack: {shown}{more}."


def stack_head(report: StackReport, room: int) -> str:
    """What always shows of a stack: heading, caution, counts, settings, skipped registrations, shared objects."""
    parts = [_heading(report)]
    diff = report.diff
    if diff is None:
        return "\n\n".join([*parts, _problem_block(report, room)])
    if diff["offboarding"]["blocking"]:
        parts.append(caution(diff))
    # How the stack reaches GitHub, a placeholder App, and what tenant files write that is ignored.
    parts += preamble.markdown_blocks(diff, md.code)
    if no_changes(diff):
        parts.append(f"No changes: {diff['summary']['tenants']['untouched']} tenants untouched.")
    else:
        parts.append(f"Tenants: {_tenant_counts(diff)}. Cloud objects: {_resource_counts(diff)}.")
    for line in (settings_line(diff), _skipped_line(diff)):
        if line:
            parts.append(line)
    if diff["shared"]:
        parts.append(
            md.details(
                "⚙️ <b>shared objects</b> (event routing, webhook secret store, GitHub providers) · "
                f"{action_counts(diff['shared'])}",
                changes_table(diff["shared"]),
            )
        )
    return "\n\n".join(parts)


@dataclass(frozen=True)
class _Part:
    """A section of one stack and the tenants it shows (one, or a group that changed alike)."""

    section: md.Section
    tenants: tuple[str, ...]


def stack_parts(diff: dict[str, Any]) -> list[_Part]:
    """Renames first (one section for both names), groups of tenants changed alike, then each other tenant:
    offboarded, changed, onboarded."""
    parts = [_Part(rename_section(diff, rename), (rename["from"], rename["to"])) for rename in renames_of(diff)]
    grouped: set[str] = renamed_names(diff)
    for names, entries in alike_groups(diff):
        parts.append(_Part(alike_section(diff, names, entries), tuple(names)))
        grouped.update(names)
    for status in STATUS_ORDER:
        for tenant in diff["tenants"]:
            if tenant["status"] == status and tenant["name"] not in grouped:
                parts.append(_Part(tenant_section(tenant), (tenant["name"],)))
    return parts


def index_line(report: StackReport) -> str:
    """`dev`: 🆕 2 onboarded: `a`, `b` · ✏️ 499 changed (499 alike) · ...: every touched tenant of a stack, briefly."""
    diff = report.diff
    if diff is None:
        return f"- {md.code(report.stack)}: no plan"
    if no_changes(diff):
        return f"- {md.code(report.stack)}: no changes"
    alike = sum(len(names) for names, _ in alike_groups(diff))
    pieces = []
    renames = renames_of(diff)
    if renames:
        listed = ", ".join(md.code(rename_title(rename)) for rename in renames[:INDEX_NAMES])
        more = f" and {len(renames) - INDEX_NAMES} more" if len(renames) > INDEX_NAMES else ""
        pieces.append(f"{RENAME_EMOJI} {len(renames)} renamed: {listed}{more}")
    renamed = renamed_names(diff)
    for status in STATUS_ORDER:
        names = [tenant["name"] for tenant in diff["tenants"] if tenant["status"] == status and tenant["name"] not in renamed]
        if not names:
            continue
        moved = any("move" in tenant for tenant in diff["tenants"] if tenant["status"] == status)
        mark = MOVE_EMOJI if moved else EMOJI[status]
        listed = ", ".join(md.code(name) for name in names[:INDEX_NAMES])
        more = f" and {len(names) - INDEX_NAMES} more" if len(names) > INDEX_NAMES else ""
        grouped = f" ({alike} alike)" if status == "changed" and alike else ""
        pieces.append(f"{mark} {len(names)} {status}{grouped}: {listed}{more}")
    if diff["shared"]:
        pieces.append("⚙️ shared objects")
    return f"- {md.code(report.stack)}: " + " · ".join(pieces)


def _tail(report: StackReport, left_out: list[_Part]) -> str:
    if not left_out:
        return ""
    statuses = {tenant["name"]: tenant["status"] for tenant in report.diff["tenants"]}
    counts: dict[str, int] = {}
    for part in left_out:
        for name in part.tenants:
            counts[statuses[name]] = counts.get(statuses[name], 0) + 1
    detail = ", ".join(f"{counts[status]} {status}" for status in STATUS_ORDER if status in counts)
    command = md.code(f"python -m tenancy plan --base <ref> --stack {report.stack}")
    return (
        f"**… {sum(counts.values())} more tenants of {md.code(report.stack)} not shown here ({detail})** to stay "
        f"within GitHub's comment size: the job summary and {command} show them all."
    )


# --- the whole comment ----------------------------------------------------------------------------


def _showing(reports: list[StackReport], shown: int, total: int) -> str:
    if total == 0:
        return ""
    if shown == total:
        return f"Showing all {total} tenant change{'s' if total != 1 else ''}:"
    return (
        f"**Showing {shown} of {total} tenant changes** (each stack its share; the rest are counted below "
        "their stack, and the job summary lists them all):"
    )


def _allot(ordered: list[StackReport], parts: dict[str, list[_Part]], left: int) -> dict[str, list[_Part]]:
    """Whole sections per stack within `left` bytes: each stack gets an equal share first (so a large stack
    never hides another), then what the others left unused goes to the stacks in order."""
    kept: dict[str, list[_Part]] = {report.stack: [] for report in ordered}
    with_parts = [report.stack for report in ordered if parts[report.stack]]
    if not with_parts:
        return kept
    share = left // len(with_parts)
    for stack in with_parts:
        room = share
        for part in parts[stack]:
            needed = md.size(part.section.text) + 2
            if needed > room:
                break
            kept[stack].append(part)
            room -= needed
        left -= share - room
    for stack in with_parts:
        for part in parts[stack][len(kept[stack]) :]:
            needed = md.size(part.section.text) + 2
            if needed > left:
                break
            kept[stack].append(part)
            left -= needed
    return kept


def render(reports: list[StackReport], budget: int = md.DEFAULT_BUDGET, review: Review | None = None) -> str:
    """The comment for every stack in `reports` (and the merge's review), in at most `budget` bytes.

    The verdict line comes first; then what needs approval, each stack's state, the table of stacks and
    the revisions planned; then every stack's head (always shown), then its tenants' sections within
    its share of what is left."""
    ordered = sorted(reports, key=lambda report: report.code == 0)  # blocked first, otherwise as given
    summary = [verdict_line(reports, review)]
    block = review_block(review)
    summary += [block] if block else []
    summary += [overall(reports, review), stacks_table(reports)] if reports else []
    origin = provenance(reports, review)
    summary += [origin] if origin else []
    fallback = "\n\n".join(
        [*summary, "The report does not fit in this comment: see the job summary, or run `python -m tenancy plan --base <ref>`."]
    )
    room = max(500, budget // (4 * max(1, len(reports))))
    heads = {report.stack: stack_head(report, room) for report in ordered}
    parts = {report.stack: stack_parts(report.diff) if report.diff else [] for report in ordered}
    index = "\n".join(index_line(report) for report in ordered)
    fixed = sum(md.size(text) + 2 for text in [*summary, index, *heads.values()]) + _SHOWING_ROOM
    fixed += _TAIL_ROOM * sum(1 for report in ordered if parts[report.stack])
    if fixed > budget:
        return fallback + "\n" if md.size(fallback) < budget else summary[0] + "\n"
    kept = _allot(ordered, parts, budget - fixed)
    total = sum(len(report.diff["tenants"]) for report in ordered if report.diff)
    shown = sum(len(part.tenants) for stack_kept in kept.values() for part in stack_kept)
    showing = _showing(ordered, shown, total)
    blocks = [*summary]
    blocks += [showing, index] if showing else []
    for report in ordered:
        blocks.append(heads[report.stack])
        blocks += [part.section.text for part in kept[report.stack]]
        tail = _tail(report, parts[report.stack][len(kept[report.stack]) :]) if report.diff else ""
        if tail:
            blocks.append(tail)
    text = "\n\n".join(blocks) + "\n"
    return text if md.size(text) <= budget else fallback + "\n"
