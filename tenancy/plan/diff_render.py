"""A plan diff (tenancy.plan.diff) for people: text at a terminal, or a PR comment in Markdown.

Offboarding comes first and loud: every registration that moves to or from another stack of its
environment (with the `pulumi state move` commands that keep its objects), every removed
registration and every bucket that leaves Pulumi's management. Then the counts, then one section per onboarded, offboarded or changed tenant (untouched
tenants are counted, not listed), then the stack-level objects once. The Markdown stays within a
byte budget by leaving out whole tenant sections, and says how many it left out.
"""

from __future__ import annotations

import html
from typing import Any, Callable

from tenancy.plan import markdown as md
from tenancy.plan.diff import STATE_MOVE_ORG
from tenancy.plan.facts import BUCKET_TYPES, WEBHOOK, short_type
from tenancy.plan.render import facts_table, text_rows
from tenancy.plan.render_values import clean, is_multiline, line_changes, short

# Enough to read a shared object's change with hundreds of tenants without drowning the comment.
MAX_ROWS_PER_SECTION = 30
MAX_LISTED_OFFBOARDING = 50
STATUS_ORDER = ("offboarded", "changed", "onboarded")
ACTION_WORDS = {
    "create": "create",
    "update": "update",
    "replace": "replace",
    "delete": "delete",
    "retain": "retain (leaves management, kept in the cloud)",
}
MARKS = {"onboarded": "+", "offboarded": "-", "changed": "~"}
EMOJI = {"onboarded": "🆕", "offboarded": "🗑️", "changed": "✏️"}
MOVE_EMOJI = "🔀"
# What `pulumi up` would do to a moving tenant if nobody moved its state first.
MOVE_RISK = {
    "out": "`pulumi up` alone would delete its namespace, IAM user, keys, Vault secrets and webhook here "
    "(its buckets would leave management) and create them again there",
    "in": "`pulumi up` alone would create it again here while the other stack still holds it, and fail on "
    "names that already exist",
}


def _display_path(path: str) -> str:
    return path[len("inputs.") :] if path.startswith("inputs.") else path


def _urn_name(urn: Any) -> str:
    return urn.rsplit("::", 1)[-1] if isinstance(urn, str) else "none"


def describe(change: dict[str, Any], quote: Callable[[str], str] = lambda text: text, limit: int = 60) -> str:
    """One line for a value change: `before → after`, `added value` or `removed`; `quote` wraps values."""
    before, after = change.get("before"), change.get("after")
    if change["path"] == "dependsOn":
        old, new = set(before or []), set(after or [])
        moved = [f"+{_urn_name(urn)}" for urn in sorted(new - old)] + [f"-{_urn_name(urn)}" for urn in sorted(old - new)]
        return quote(short(" ".join(moved), limit))
    if change["path"] in ("provider", "parent"):
        return f"{quote(_urn_name(before))} → {quote(_urn_name(after))}"
    if "before" not in change:
        return f"added {quote(short(after, limit))}"
    if "after" not in change:
        return "removed"
    return f"{quote(short(before, limit))} → {quote(short(after, limit))}"


def _base_label(diff: dict[str, Any]) -> str:
    base = diff.get("base") or {}
    ref, commit = base.get("ref"), base.get("commit")
    if ref and commit:
        return f"{clean(ref)} ({commit[:12]})"
    return clean(ref or commit or "base")


def _bucket_note(bucket: dict[str, Any]) -> str:
    notes = [str(bucket["tenant"]), bucket["purpose"], str(bucket["region"])]
    if bucket["reason"] == "replaced":
        notes.append("replaced: a new, empty bucket takes its place")
    if bucket["protect"]:
        notes.append("protected: `pulumi up` stops until `pulumi state unprotect`")
    if bucket.get("recorded") is False:
        notes.append("not in tenants/_retired-buckets.yaml: record it there first")
    return ", ".join(clean(note) for note in notes)


def _counts_line(diff: dict[str, Any]) -> str:
    tenants = diff["summary"]["tenants"]
    directions = [move["direction"] for _, move in moves_of(diff)]
    moving = {
        "onboarded": f" ({directions.count('in')} arriving from another stack)" if "in" in directions else "",
        "offboarded": f" ({directions.count('out')} moving to another stack)" if "out" in directions else "",
    }
    return ", ".join(
        f"{tenants[kind]} {kind}{moving.get(kind, '')}" for kind in ("onboarded", "offboarded", "changed", "untouched")
    )


def _resources_line(diff: dict[str, Any]) -> str:
    res = diff["summary"]["resources"]
    return (
        f"{res['create']} to create, {res['update']} to update, {res['replace']} to replace, "
        f"{res['delete']} to delete, {res['retain']} retained (leave management)"
    )


def _no_changes(diff: dict[str, Any]) -> bool:
    return not diff["tenants"] and not diff["shared"]


# --- moves between stacks -------------------------------------------------------------------------


def _place(place: dict[str, Any]) -> str:
    stack = clean(str(place["stack"]))
    return f"shard {clean(str(place['shard']))} (stack {stack})" if place.get("shard") else f"stack {stack}"


def move_words(move: dict[str, Any]) -> str:
    """`moves to shard b (stack dev-b)` or `arrives from shard a (stack dev-a)`."""
    if move["direction"] == "out":
        return f"moves to {_place(move['to'])}"
    return f"arrives from {_place(move['from'])}"


def moves_of(diff: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(tenant, move) for every tenant the diff moves, in name order (`offboarding.moves`)."""
    by_name = {tenant["name"]: tenant for tenant in diff["tenants"]}
    names = (diff["offboarding"].get("moves") or [])
    return [(name, by_name[name]["move"]) for name in names if "move" in by_name.get(name, {})]


def _moving_out(diff: dict[str, Any]) -> set[str]:
    return {name for name, move in moves_of(diff) if move["direction"] == "out"}


def state_move_commands(diff: dict[str, Any], limit: int | None = None) -> list[str]:
    """One `pulumi state move` per pair of stacks, every moving tenant's URN in it (at most `limit` in all).

    `pulumi state move` moves the children of each URN with it and copies the providers they use.
    """
    pairs: dict[tuple[str, str], list[str]] = {}
    for _, move in moves_of(diff):
        pairs.setdefault((move["from"]["stack"], move["to"]["stack"]), []).extend(move["urns"])
    commands, left = [], limit
    for (source, target), urns in sorted(pairs.items()):
        shown = urns if left is None else urns[:left]
        if left is not None:
            left -= len(shown)
        if not shown:
            continue
        project = clean(diff["project"])
        lines = [
            f"pulumi state move --source {STATE_MOVE_ORG}/{project}/{clean(source)} "
            f"--dest {STATE_MOVE_ORG}/{project}/{clean(target)}"
        ]
        lines += [f"  '{clean(urn)}'" for urn in shown]
        commands.append(" \\\n".join(lines))
    return commands


def _move_note(diff: dict[str, Any], code: Callable[[str], str] = lambda text: text) -> str:
    providers = sorted({provider for _, move in moves_of(diff) for provider in move.get("providers", [])})
    copied = ""
    if providers:
        names = ", ".join(code(clean(provider)) for provider in providers)
        many = len(providers) > 1
        copied = (
            f"; {'the providers' if many else 'the provider'} {names} {'go' if many else 'goes'} along "
            "(copied, or matched with the destination's own when their inputs are equal)"
        )
    return (
        f"with deploys paused, before merging: each URN takes every resource under it{copied}. "
        f"{code('docs/sharding.md')} has the procedure; {code(STATE_MOVE_ORG)} is the Pulumi organization."
    )


# --- text -----------------------------------------------------------------------------------------


def _change_lines(entry: dict[str, Any]) -> list[str]:
    indent = "    "
    lines = [f"{indent}{ACTION_WORDS[entry['action']]:<8} {short_type(entry['type'])} {clean(entry['name'])}"]
    for change in entry["changes"]:
        path = _display_path(change["path"])
        if is_multiline(change.get("before")) or is_multiline(change.get("after")):
            lines.append(f"{indent}    {path}:")
            lines += [f"{indent}      {line}" for line in line_changes(change.get("before"), change.get("after"))]
        else:
            lines.append(f"{indent}    {path}: {describe(change)}")
    return lines


def _action_counts(entries: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry["action"]] = counts.get(entry["action"], 0) + 1
    return ", ".join(f"{count} to {action}" if action != "retain" else f"{count} retained" for action, count in counts.items())


def diff_text(diff: dict[str, Any]) -> str:
    lines = [f"{diff['project']} · stack {diff['stack']} · {_base_label(diff)} → working tree", ""]
    offboarding = diff["offboarding"]
    if offboarding["blocking"]:
        verdict = "accepted (--allow-offboarding)" if offboarding.get("accepted") else "exit 3 unless --allow-offboarding"
        lines.append(f"OFFBOARDING: {verdict}")
        moving_out = _moving_out(diff)
        lines += [f"  tenant {name} {move_words(move)}: {MOVE_RISK[move['direction']]}" for name, move in moves_of(diff)]
        if moves_of(diff):
            lines.append(f"  move the state first, {_move_note(diff)}")
            for command in state_move_commands(diff):
                lines += [f"    {line}" for line in command.splitlines()]
        lines += [
            f"  tenant {name} is offboarded: its credentials, Vault secrets, webhook and namespace are deleted"
            for name in offboarding["tenants"]
            if name not in moving_out
        ]
        lines += [
            f"  bucket {clean(str(bucket['bucket']))} leaves management, kept in S3 with its data ({_bucket_note(bucket)})"
            for bucket in offboarding["buckets"]
            if bucket["tenant"] not in moving_out
        ]
        lines.append("")
    if _no_changes(diff):
        lines.append(f"no changes: {diff['summary']['tenants']['untouched']} tenants untouched")
        return "\n".join(lines) + "\n"
    lines += [f"tenants: {_counts_line(diff)}", f"resources: {_resources_line(diff)}", ""]
    for status in STATUS_ORDER:
        for tenant in (t for t in diff["tenants"] if t["status"] == status):
            lines.append(f"{MARKS[status]} {tenant['name']}  {_status_words(tenant)} · {_action_counts(tenant['resources'])}")
            if status == "changed":
                for entry in tenant["resources"]:
                    lines += _change_lines(entry)
            else:
                for label, values in text_rows(tenant["facts"]):
                    lines.append(f"    {label:<12} {values[0] if values else '-'}")
                    lines += [f"    {'':<12} {value}" for value in values[1:]]
            lines.append("")
    if diff["shared"]:
        lines.append("shared by all tenants of the stack")
        for entry in diff["shared"]:
            lines += _change_lines(entry)
    return "\n".join(lines) + "\n"


# --- markdown -------------------------------------------------------------------------------------


def _change_rows(entries: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    rows = []
    for entry in entries:
        resource = f"{short_type(entry['type'])} {md.code(entry['name'])}"
        action = entry["action"] + (" 🔒" if entry["protect"] and entry["action"] in ("delete", "retain") else "")
        if not entry["changes"]:
            rows.append((resource, action, "", ""))
        for change in entry["changes"]:
            path = md.code(_display_path(change["path"]))
            if is_multiline(change.get("before")) or is_multiline(change.get("after")):
                value = "<br>".join(md.code(line) for line in line_changes(change.get("before"), change.get("after")))
            else:
                value = describe(change, md.code)
            rows.append((resource, action, path, value))
    return rows


def _changes_table(entries: list[dict[str, Any]]) -> str:
    rows = _change_rows(entries)
    text = md.table(["resource", "action", "path", "before → after"], rows[:MAX_ROWS_PER_SECTION])
    if len(rows) > MAX_ROWS_PER_SECTION:
        text += f"\n\n… {len(rows) - MAX_ROWS_PER_SECTION} more changes; `python -m tenancy plan --base` lists them all."
    return text


def pause_change(tenant: dict[str, Any]) -> str:
    """"paused" or "resumed" when the change flips the tenant's webhook, else ""."""
    for entry in tenant["resources"]:
        if entry["type"] == WEBHOOK:
            for change in entry["changes"]:
                if change["path"] == "inputs.active" and change.get("after") is False:
                    return "paused"
                if change["path"] == "inputs.active" and change.get("after") is True:
                    return "resumed"
    return ""


def _status_words(tenant: dict[str, Any]) -> str:
    if "move" in tenant:
        return move_words(tenant["move"])
    pause = pause_change(tenant)
    return f"{tenant['status']} ({pause})" if pause else tenant["status"]


def _tenant_section(tenant: dict[str, Any]) -> md.Section:
    status = tenant["status"]
    emoji = MOVE_EMOJI if "move" in tenant else EMOJI[status]
    summary = (
        f"{emoji} <b>{html.escape(tenant['name'])}</b> · {html.escape(_status_words(tenant))} · "
        f"{_action_counts(tenant['resources'])}"
    )
    if status == "changed":
        body = _changes_table(tenant["resources"])
    elif status == "offboarded":
        kept = [entry for entry in tenant["resources"] if entry["action"] == "retain"]
        buckets = [entry for entry in kept if entry["type"] in BUCKET_TYPES]
        body = facts_table(tenant["facts"])
        if kept:
            settings = f" and {len(kept) - len(buckets)} of their settings" if len(kept) > len(buckets) else ""
            body += "\n\nKept in the cloud, no longer managed: " + ", ".join(
                f"Bucket {md.code(entry['name'])}" for entry in buckets
            ) + settings
    else:
        body = facts_table(tenant["facts"])
    return md.Section(tenant["name"], md.details(summary, body))


def _moves_caution(diff: dict[str, Any]) -> list[str]:
    moves = moves_of(diff)
    if not moves:
        return []
    lines = [">"]
    shown = moves[:MAX_LISTED_OFFBOARDING]
    lines += [f"> - {md.code(name)} {move_words(move)}: {MOVE_RISK[move['direction']]}." for name, move in shown]
    if len(moves) > len(shown):
        lines.append(f"> - … and {len(moves) - len(shown)} more")
    lines += [">", f"> Move the state first, {_move_note(diff, md.code)}", ">"]
    commands = "\n".join(state_move_commands(diff, limit=MAX_LISTED_OFFBOARDING))
    lines += [f"> {line}" if line else ">" for line in md.code_block(commands, "bash").splitlines()]
    total = sum(len(move["urns"]) for _, move in moves)
    if total > MAX_LISTED_OFFBOARDING:
        lines += [
            ">",
            f"> … {total - MAX_LISTED_OFFBOARDING} more URNs: `python -m tenancy plan --stack {clean(diff['stack'])} "
            "--base <ref>` prints every command.",
        ]
    return lines


def _caution(diff: dict[str, Any]) -> str:
    offboarding = diff["offboarding"]
    moving_out = _moving_out(diff)
    tenants = [name for name in offboarding["tenants"] if name not in moving_out]
    buckets = [bucket for bucket in offboarding["buckets"] if bucket["tenant"] not in moving_out]
    moves = moves_of(diff)
    verdict = (
        "Accepted for this run (`--allow-offboarding`)."
        if offboarding.get("accepted")
        else "`plan` exits 3 until a maintainer accepts it: label the pull request `allow-offboarding` "
        "(or pass `--allow-offboarding` locally)."
    )
    what = []
    if moves:
        what.append(f"{len(moves)} tenant{'s' if len(moves) != 1 else ''} moving between stacks")
    if tenants:
        what.append(f"{len(tenants)} tenant{'s' if len(tenants) != 1 else ''} offboarded")
    if buckets:
        what.append(f"{len(buckets)} bucket{'s leave' if len(buckets) != 1 else ' leaves'} management")
    lines = ["> [!CAUTION]", f"> **Offboarding: {', '.join(what)}.** {verdict}"]
    lines += _moves_caution(diff)
    if tenants:
        shown = ", ".join(md.code(name) for name in tenants[:MAX_LISTED_OFFBOARDING])
        more = f" and {len(tenants) - MAX_LISTED_OFFBOARDING} more" if len(tenants) > MAX_LISTED_OFFBOARDING else ""
        lines += [">", f"> Offboarded (IAM user and keys, Vault secrets, webhook, namespace deleted): {shown}{more}"]
    if buckets:
        lines += [
            ">",
            "> Buckets leaving management: kept in S3 with every object, no longer managed by Pulumi; "
            "onboarding the same name again needs `pulumi import`:",
        ]
        lines += [
            f"> - {md.code(str(bucket['bucket']))} ({_bucket_note(bucket)})" for bucket in buckets[:MAX_LISTED_OFFBOARDING]
        ]
        if len(buckets) > MAX_LISTED_OFFBOARDING:
            lines.append(f"> - … and {len(buckets) - MAX_LISTED_OFFBOARDING} more")
    return "\n".join(lines)


def diff_markdown(diff: dict[str, Any], budget: int = md.DEFAULT_BUDGET) -> str:
    """The PR comment for one stack, never over `budget` bytes."""
    title = (
        f"### {md.code(diff['project'])} plan · stack {md.code(diff['stack'])} · "
        f"base {md.code(_base_label(diff))}"
    )
    head = [title]
    if diff["offboarding"]["blocking"]:
        head.append(_caution(diff))
    if _no_changes(diff):
        head.append(f"No changes: {diff['summary']['tenants']['untouched']} tenants untouched.")
        return md.fit("\n\n".join(head), [], lambda left_out: "", budget, title)
    tenants = diff["summary"]["tenants"]
    head.append(
        md.table(
            ["onboarded", "offboarded", "changed", "untouched"],
            [[str(tenants[kind]) for kind in ("onboarded", "offboarded", "changed", "untouched")]],
        )
    )
    head.append(f"Resources: {_resources_line(diff)}.")
    if diff["shared"]:
        head.append(
            md.details(
                f"⚙️ <b>shared objects</b> (event routing, webhook secret store, GitHub providers) · "
                f"{_action_counts(diff['shared'])}",
                _changes_table(diff["shared"]),
            )
        )
    sections = [
        _tenant_section(tenant)
        for status in STATUS_ORDER
        for tenant in diff["tenants"]
        if tenant["status"] == status
    ]
    status_of = {tenant["name"]: tenant["status"] for tenant in diff["tenants"]}

    def tail(left_out: list[md.Section]) -> str:
        if not left_out:
            return ""
        counts: dict[str, int] = {}
        for section in left_out:
            counts[status_of[section.key]] = counts.get(status_of[section.key], 0) + 1
        detail = ", ".join(f"{counts[status]} {status}" for status in STATUS_ORDER if status in counts)
        return (
            f"**… {len(left_out)} more tenants not shown here ({detail})** to stay within GitHub's comment size. "
            "The job summary and `python -m tenancy plan --base <ref>` show them all."
        )

    fallback = (
        f"{title}\n\n{_counts_line(diff)}; offboarding: {'yes' if diff['offboarding']['blocking'] else 'no'}. "
        "The report does not fit in this comment: see the job summary, or run `python -m tenancy plan --base <ref>`."
    )
    return md.fit("\n\n".join(head), sections, tail, budget, fallback)
