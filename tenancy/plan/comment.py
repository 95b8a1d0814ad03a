"""The pull-request comment of `plan --base`: every stack's diff in one Markdown report, read top-down.

1. One verdict across all stacks: nothing blocking (said in so many words), or blocked, and why, per
   stack; then a table of the stacks, "showing N of M" tenant changes and a compact index of them.
2. Per stack, blocked stacks first: its offboarding caution, the stack settings it changes, what it
   leaves to other stacks, its shared objects, the changes many tenants share (grouped once, with
   their names), then one collapsed section per tenant.

Everything fits one byte budget (GitHub refuses comments over 65,536 characters): the verdicts and
the index always stay, and whole sections are left out from the end, counted at the top and below
their stack. Every name that comes from a file (stacks, tenants, settings) is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from tenancy.plan import markdown as md
from tenancy.plan import preamble
from tenancy.plan.diff_render import (
    EMOJI,
    MOVE_EMOJI,
    STATUS_ORDER,
    action_counts,
    alike_groups,
    alike_section,
    base_label,
    caution,
    changes_table,
    head_label,
    no_changes,
    offboarding_words,
    settings_line,
    tenant_section,
)
from tenancy.plan.facts import skip_words
from tenancy.plan.render_values import clean

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
            return f"⚠️ accepted (`allow-offboarding`): {title}"
        return f"⛔ no plan: {title}"
    words = ", ".join(offboarding_words(report.diff))
    if report.code == OFFBOARDING:
        return f"⛔ blocked: {words}"
    if report.diff["offboarding"]["blocking"]:
        return f"⚠️ accepted (`allow-offboarding`): {words}"
    return "✅ nothing blocking" + (" (no changes)" if no_changes(report.diff) else "")


def _stack_list(reports: list[StackReport]) -> str:
    names = [md.code(report.stack) for report in reports]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _accepted(report: StackReport) -> bool:
    """Blocking, and accepted with `allow-offboarding` (a removed stack has a problem and no diff)."""
    if report.diff is None:
        return report.code == 0 and report.problem is not None
    return bool(report.diff["offboarding"]["blocking"])


def overall(reports: list[StackReport]) -> str:
    """The first thing a reviewer reads: is anything blocking, where, and what to do about it."""
    blocked = [report for report in reports if report.code != 0]
    clear = [report for report in reports if report.code == 0]
    if blocked:
        lines = ["> [!CAUTION]", "> **Blocked.**"]
        for report in blocked:
            fix = (
                "a maintainer accepts it with the `allow-offboarding` label"
                if report.code == OFFBOARDING
                else "its section below says why"
            )
            lines.append(f"> - {md.code(report.stack)}: {html.escape(verdict(report)[2:])}; {fix}.")
        if clear:
            lines.append(f"> - {_stack_list(clear)}: nothing blocking.")
        return "\n".join(lines)
    accepted = [report for report in reports if _accepted(report)]
    if accepted:
        lines = ["> [!WARNING]", "> **Offboarding accepted** with `allow-offboarding`; nothing else blocking."]
        lines += [f"> - {md.code(report.stack)}: {html.escape(verdict(report).split(': ', 1)[1])}." for report in accepted]
        return "\n".join(lines)
    if all(no_changes(report.diff) for report in reports):
        return f"> [!TIP]\n> **No changes** on {_stack_list(reports)}: merging changes nothing there."
    return (
        f"> [!TIP]\n> **Nothing blocking** on {_stack_list(reports)}: no tenant is offboarded or moved "
        "and no bucket leaves management; the changes below only create or update."
    )


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
    """Groups of tenants changed alike first, then each other tenant: offboarded, changed, onboarded."""
    parts = []
    grouped: set[str] = set()
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
    for status in STATUS_ORDER:
        names = [tenant["name"] for tenant in diff["tenants"] if tenant["status"] == status]
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


def _title(reports: list[StackReport]) -> str:
    diffs = [report.diff for report in reports if report.diff]
    project = md.code(diffs[0]["project"]) if diffs else ""
    base = f" · base {md.code(base_label(diffs[0]))}" if diffs else ""
    head = f" → {md.code(head_label(diffs[0]))}" if diffs and (diffs[0].get("head") or {}).get("ref") else ""
    return f"### {project} offline plan{base}{head}".replace("###  ", "### ")


def _showing(reports: list[StackReport], shown: int, total: int) -> str:
    if total == 0:
        return ""
    if shown == total:
        return f"Showing all {total} tenant change{'s' if total != 1 else ''}:"
    return (
        f"**Showing {shown} of {total} tenant changes** (blocked stacks first; the rest are counted below "
        "their stack, and the job summary lists them all):"
    )


def render(reports: list[StackReport], budget: int = md.DEFAULT_BUDGET) -> str:
    """The comment for every stack in `reports`, in at most `budget` bytes."""
    ordered = sorted(reports, key=lambda report: report.code == 0)  # blocked first, otherwise as given
    title, top = _title(reports), overall(reports)
    summary = [title, top, stacks_table(reports)]
    fallback = "\n\n".join(
        [*summary, "The report does not fit in this comment: see the job summary, or run `python -m tenancy plan --base <ref>`."]
    )
    room = max(500, budget // (4 * len(reports)))
    heads = {report.stack: stack_head(report, room) for report in ordered}
    parts = {report.stack: stack_parts(report.diff) if report.diff else [] for report in ordered}
    index = "\n".join(index_line(report) for report in ordered)
    fixed = sum(md.size(text) + 2 for text in [*summary, index, *heads.values()]) + _SHOWING_ROOM
    fixed += _TAIL_ROOM * sum(1 for report in ordered if parts[report.stack])
    if fixed > budget:
        return fallback + "\n" if md.size(fallback) < budget else title + "\n"
    left = budget - fixed
    kept: dict[str, list[_Part]] = {report.stack: [] for report in ordered}
    full = True
    for report in ordered:
        for part in parts[report.stack]:
            needed = md.size(part.section.text) + 2
            if needed > left:
                full = False
                break
            kept[report.stack].append(part)
            left -= needed
        if not full:
            break
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
