"""A plan diff (tenancy.plan.diff) for people: text at a terminal, or a PR comment in Markdown.

Offboarding comes first and loud, with everything else that blocks: every registration that moves
to or from another stack of its environment (with the `pulumi state move` commands that keep its
objects), every removed registration, every bucket that leaves Pulumi's management, every
namespace, Vault secret or user deleted or replaced, every protection dropped. Then the counts,
then one section per onboarded, offboarded or changed tenant (untouched tenants are counted, not
listed), then the stack-level objects once. The Markdown stays within a byte budget by leaving out
whole tenant sections, and says how many it left out.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any, Callable

from tenancy.plan import markdown as md
from tenancy.plan import preamble
from tenancy.plan.narrowing import narrowing_line
from tenancy.plan.diff import STATE_MOVE_ORG
from tenancy.plan.facts import BUCKET_TYPES, WEBHOOK, definitions_change, short_type
from tenancy.plan.render import facts_table, text_rows
from tenancy.plan.render_values import clean, is_multiline, line_changes, short
from tenancy.plan.renames import renamed_names

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


# A list item matched by its identity (tenancy.plan.diff): `subjects[name=b@example.org]`.
_KEYED_ITEM = re.compile(r"\[(?:template\.)?(?:name|Sid|secretKey)=(?P<identity>[^\]]*)\]$")


def item_identity(path: str) -> str | None:
    """The identity of the list item a path ends at (`b@example.org` for `subjects[name=b@example.org]`)."""
    match = _KEYED_ITEM.search(path)
    return match["identity"] if match else None


def change_path(change: dict[str, Any]) -> str:
    """The path as a reviewer reads it: without `inputs.`, and without the identity of an item added
    or removed whole (the change names it)."""
    path = _display_path(change["path"])
    if ("before" in change) != ("after" in change) and item_identity(path) is not None:
        return path[: _KEYED_ITEM.search(path).start()] or path
    return path


def describe(change: dict[str, Any], quote: Callable[[str], str] = lambda text: text, limit: int = 60) -> str:
    """One line for a value change: `before → after`, `added value` or `removed`; `quote` wraps values.

    A list item added or removed whole is named by its identity (`added b@example.org`), and of two
    long strings only the part that differs is shown, so the fact that matters survives the limit.
    """
    before, after = change.get("before"), change.get("after")
    if change["path"] == "dependsOn":
        old, new = set(before or []), set(after or [])
        moved = [f"+{_urn_name(urn)}" for urn in sorted(new - old)] + [f"-{_urn_name(urn)}" for urn in sorted(old - new)]
        return quote(short(" ".join(moved), limit))
    if change["path"] in ("provider", "parent"):
        return f"{quote(_urn_name(before))} → {quote(_urn_name(after))}"
    identity = item_identity(change["path"])
    if "before" not in change:
        return f"added {quote(short(identity if identity is not None else after, limit))}"
    if "after" not in change:
        return f"removed {quote(short(identity, limit))}" if identity is not None else "removed"
    if len(short(before, limit)) + len(short(after, limit)) > limit:
        before, after = differing_parts(before, after, limit)
    old, new = short(before, limit), short(after, limit)
    # The room both share: a short side leaves the rest to the other.
    old_room = max(limit // 2, limit - len(new))
    new_room = max(limit // 2, limit - min(len(old), old_room))
    return f"{quote(short(old, old_room))} → {quote(short(new, new_room))}"


def differing_parts(before: Any, after: Any, limit: int = 0) -> tuple[Any, Any]:
    """Two strings without what they share, marked `…`: their common start first (cut at a separator,
    so a version or a name stays whole), their common end only if they still exceed `limit` together."""
    if not (isinstance(before, str) and isinstance(after, str)) or before == after:
        return before, after
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    while start > 0 and before[start - 1] not in _SEPARATORS:
        start -= 1
    if start >= 8:
        before, after = "…" + before[start:], "…" + after[start:]
    if len(before) + len(after) <= limit:
        return before, after
    end = 0
    while end < min(len(before), len(after)) - 1 and before[-1 - end] == after[-1 - end]:
        end += 1
    while end > 0 and before[len(before) - end] not in _SEPARATORS:
        end -= 1
    if end < 8:
        return before, after
    return before[: len(before) - end] + "…", after[: len(after) - end] + "…"


# Where a string may be cut: between words, versions and names.
_SEPARATORS = "/:=@ ,"


def _revision_label(revision: dict[str, Any] | None, default: str) -> str:
    ref, commit = (revision or {}).get("ref"), (revision or {}).get("commit")
    if ref and commit and ref != commit:
        return f"{clean(ref)} ({commit[:12]})"
    return clean(ref or commit or default)


def base_label(diff: dict[str, Any]) -> str:
    return _revision_label(diff.get("base"), "base")


def head_label(diff: dict[str, Any]) -> str:
    """`--head` as given (and its commit), or the working tree."""
    return _revision_label(diff.get("head"), "working tree")


def _program_words(diff: dict[str, Any]) -> str:
    return {"each": "each with its own program", "current": "both with this program"}.get(diff.get("program") or "", "")


def acceptance_words(offboarding: dict[str, Any]) -> str:
    """Who accepted the offboarding (`offboarding.acceptedBy`): `accepted by @alice for 0123456789ab`, or
    `accepted locally (--allow-offboarding)`; "" when nobody did."""
    if not offboarding.get("accepted"):
        return ""
    by = offboarding.get("acceptedBy") or {}
    if by.get("login"):
        return f"accepted by @{clean(str(by['login']))} for {clean(str(by.get('commit') or ''))[:12]}"
    return "accepted locally (--allow-offboarding)"


def _object_line(entry: dict[str, Any], code: Callable[[str], str] = clean) -> str:
    what = "replaced: deleted and created again" if entry["action"] == "replace" else "deleted"
    return f"{entry['kind']} {code(str(entry['object']))} ({clean(str(entry['tenant'] or 'shared'))}) is {what}"


def _unprotected_line(entry: dict[str, Any], code: Callable[[str], str] = clean) -> str:
    dropped = " and ".join(entry["dropped"])
    return f"{short_type(entry['type'])} {code(entry['name'])} loses {dropped}"


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
    renames = len(renames_of(diff))
    if renames:
        for kind in ("onboarded", "offboarded"):
            moving[kind] += f" ({renames} of them renamed)"
    return ", ".join(
        f"{tenants[kind]} {kind}{moving.get(kind, '')}" for kind in ("onboarded", "offboarded", "changed", "untouched")
    )


def _resources_line(diff: dict[str, Any]) -> str:
    res = diff["summary"]["resources"]
    return (
        f"{res['create']} to create, {res['update']} to update, {res['replace']} to replace, "
        f"{res['delete']} to delete, {res['retain']} retained (leave management)"
    )


def no_changes(diff: dict[str, Any]) -> bool:
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


# --- renames within the stack (tenancy.plan.renames) -----------------------------------------------

RENAME_EMOJI = "🔀"
# What each kind of object takes with it when the diff deletes it.
HOLDS = {"namespace": "with everything in it", "Vault secret": "with its value", "IAM user": "with its keys", "MinIO user": "with its keys"}
FACT_LABELS = {
    "adminUsers": "admins",
    "readUsers": "readers",
    "public": "public",
    "outputs": "outputs",
    "webhookUrl": "webhook",
    "workflowTemplate": "template",
    "paused": "paused",
}


def renames_of(diff: dict[str, Any]) -> list[dict[str, Any]]:
    return list(diff.get("renames") or [])


def rename_title(rename: dict[str, Any]) -> str:
    return f"{clean(rename['from'])} → {clean(rename['to'])}"


def rename_object_words(item: dict[str, Any], rename: dict[str, Any], code: Callable[[str], str] = clean) -> str:
    """What the diff does to one object across a rename, from its two entries: `namespace wf-a-b: the same
    name, deleted with everything in it and created again`."""
    before, after = item.get("before"), item.get("after")
    old, new = clean(rename["from"]), clean(rename["to"])
    kind = item["kind"]
    if before and after and before["name"] == after["name"]:
        name = code(clean(str(before["name"])))
        if before["action"] == "retain":
            words = (
                f"{kind} {name}: kept in S3 with its data, out of {old}'s management, and created again by name for {new} "
                "(the provider refuses a bucket that exists: `pulumi import` it under the new name first, docs/operations.md)"
            )
            if "recorded" in item:
                words += "; recorded in tenants/_retired-buckets.yaml" if item["recorded"] else "; not yet recorded in tenants/_retired-buckets.yaml"
            return words
        if before["action"] == "delete" and after["action"] == "create":
            return f"{kind} {name}: replaced: the same name, deleted {HOLDS.get(kind, '')} and created again".replace("  ", " ")
        return f"{kind} {name}: {before['action']} for {old}, {after['action']} for {new}"
    parts = []
    if before:
        gone = "leaves management, kept" if before["action"] == "retain" else f"deleted {HOLDS.get(kind, '')}".strip()
        parts.append(f"{code(clean(str(before['name'])))} {gone}")
    if after:
        parts.append(f"{code(clean(str(after['name'])))} {'created' if after['action'] == 'create' else after['action']}")
    return f"{kind}: " + "; ".join(parts)


def _fact_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(clean(str(item)) for item in value) or "nobody"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return clean(str(value))


def rename_fact_words(rename: dict[str, Any], code: Callable[[str], str] = clean) -> list[str]:
    """The facts that differ across the rename (who gets in, where runs go): `admins: a → a, b`."""
    return [
        f"{FACT_LABELS.get(fact, fact)}: {code(_fact_value(before))} → {code(_fact_value(after))}"
        for fact, (before, after) in (rename.get("facts") or {}).items()
    ]


def rename_lines(rename: dict[str, Any], code: Callable[[str], str] = clean) -> list[str]:
    """Every line of a rename: each object that holds something, then each fact that differs."""
    return [rename_object_words(item, rename, code) for item in rename["objects"]] + rename_fact_words(rename, code)


def rename_counts(diff: dict[str, Any], rename: dict[str, Any]) -> str:
    entries = [entry for tenant in diff["tenants"] if tenant["name"] in (rename["from"], rename["to"]) for entry in tenant["resources"]]
    return action_counts(entries)


def rename_section(diff: dict[str, Any], rename: dict[str, Any]) -> md.Section:
    summary = (
        f"{RENAME_EMOJI} <b>{html.escape(rename['from'])} → {html.escape(rename['to'])}</b> · renamed "
        f"(same repository {html.escape(rename['repository'])}) · {rename_counts(diff, rename)}"
    )
    body = "\n".join(f"- {line}" for line in rename_lines(rename, md.code))
    return md.Section(f"rename:{rename['from']}", md.details(summary, body))


# --- text -----------------------------------------------------------------------------------------


def _shown_name(entry: dict[str, Any]) -> str:
    """The object's own name (the real bucket, `namespace/name`), or its Pulumi name where it has none."""
    return str(entry.get("physicalName") or entry["name"])


def _change_lines(entry: dict[str, Any]) -> list[str]:
    indent = "    "
    lines = [f"{indent}{ACTION_WORDS[entry['action']]:<8} {short_type(entry['type'])} {clean(_shown_name(entry))}"]
    for change in entry["changes"]:
        path = change_path(change)
        if is_multiline(change.get("before")) or is_multiline(change.get("after")):
            lines.append(f"{indent}    {path}:")
            lines += [f"{indent}      {line}" for line in line_changes(change.get("before"), change.get("after"))]
        else:
            lines.append(f"{indent}    {path}: {describe(change)}")
    return lines


def cloud_objects(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries that are cloud objects: components are Pulumi's grouping, counted and listed nowhere
    (as `plan` counts resources). Documents from before `custom` was recorded count every entry."""
    return [entry for entry in entries if entry.get("custom", True)]


def action_counts(entries: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for entry in cloud_objects(entries):
        counts[entry["action"]] = counts.get(entry["action"], 0) + 1
    return ", ".join(f"{count} to {action}" if action != "retain" else f"{count} retained" for action, count in counts.items())


def diff_text(diff: dict[str, Any]) -> str:
    program = f" ({_program_words(diff)})" if _program_words(diff) else ""
    lines = [f"{diff['project']} · stack {diff['stack']} · {base_label(diff)} → {head_label(diff)}{program}"]
    lines += [*preamble.text_lines(diff), ""]
    offboarding = diff["offboarding"]
    if offboarding["blocking"]:
        verdict = acceptance_words(offboarding) or "exit 3 until approved (label allow-offboarding, or --allow-offboarding locally)"
        lines.append(f"BLOCKING: {verdict}")
        moving_out = _moving_out(diff)
        lines += [f"  tenant {name} {move_words(move)}: {MOVE_RISK[move['direction']]}" for name, move in moves_of(diff)]
        if moves_of(diff):
            lines.append(f"  move the state first, {_move_note(diff)}")
            for command in state_move_commands(diff):
                lines += [f"    {line}" for line in command.splitlines()]
        renamed = renamed_names(diff)
        lines += [
            f"  tenant {rename_title(rename)} is renamed: every object of the old name is deleted or leaves management, "
            "every object of the new one created (below)"
            for rename in renames_of(diff)
        ]
        lines += [
            f"  tenant {name} is offboarded: its credentials, Vault secrets, webhook and namespace are deleted"
            for name in offboarding["tenants"]
            if name not in moving_out and name not in renamed
        ]
        lines += [
            f"  bucket {clean(str(bucket['bucket']))} leaves management, kept in S3 with its data ({_bucket_note(bucket)})"
            for bucket in offboarding["buckets"]
            if bucket["tenant"] not in moving_out
        ]
        prefixes = [str(uri) for uri in offboarding.get("unrecorded") or [] if str(uri).startswith("s3://")]
        lines += [
            f"  fallback prefix {clean(uri)} leaves its registration, its objects kept (not in tenants/_retired-buckets.yaml: "
            "record it there first)"
            for uri in prefixes
        ]
        lines += [f"  {_object_line(entry)}" for entry in offboarding.get("objects", [])]
        lines += [f"  {_unprotected_line(entry)}: its next removal would delete it" for entry in offboarding.get("unprotected", [])]
        lines += [f"  narrowed: {clean(narrowing_line(entry))}" for entry in offboarding.get("narrowing", [])]
        lines.append("")
    if no_changes(diff):
        lines.append(f"no changes: {diff['summary']['tenants']['untouched']} tenants untouched")
        return "\n".join(lines) + "\n"
    lines += [f"tenants: {_counts_line(diff)}", f"resources: {_resources_line(diff)}", ""]
    for rename in renames_of(diff):
        lines.append(f"{RENAME_EMOJI} {rename_title(rename)}  renamed (same repository {clean(rename['repository'])}) · {rename_counts(diff, rename)}")
        lines += [f"    {line}" for line in rename_lines(rename)]
        lines.append("")
    renamed = renamed_names(diff)
    for status in STATUS_ORDER:
        for tenant in (t for t in diff["tenants"] if t["status"] == status and t["name"] not in renamed):
            lines.append(f"{MARKS[status]} {tenant['name']}  {_status_words(tenant)} · {action_counts(tenant['resources'])}")
            if status == "changed":
                definitions = definitions_change(tenant["resources"])
                if definitions is not None:
                    lines.append(f"    {definitions}")
                for entry in cloud_objects(tenant["resources"]):
                    lines += _change_lines(entry)
            else:
                for label, values in text_rows(tenant["facts"]):
                    lines.append(f"    {label:<12} {values[0] if values else '-'}")
                    lines += [f"    {'':<12} {value}" for value in values[1:]]
            lines.append("")
    if diff["shared"]:
        lines.append("shared by all tenants of the stack")
        for entry in cloud_objects(diff["shared"]):
            lines += _change_lines(entry)
    return "\n".join(lines) + "\n"


# --- markdown -------------------------------------------------------------------------------------

# Bounds of a change table's cells, in characters, so that a row fits a pull request's page (about
# 150 characters) instead of scrolling far sideways.
NAME_WIDTH = 40
PATH_WIDTH = 44
VALUE_WIDTH = 44
LINE_WIDTH = 60


def middle_cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, its start and end kept (where names and paths differ)."""
    text = clean(text)
    if len(text) <= limit:
        return text
    keep = limit - 1
    # More of the end: a path's last segment and a name's suffix are what tell rows apart.
    return text[: keep // 4] + "…" + text[len(text) - (keep - keep // 4) :]


def _change_rows(entries: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    rows = []
    for entry in cloud_objects(entries):
        action = entry["action"] + (" 🔒" if entry["protect"] and entry["action"] in ("delete", "retain") else "")
        resource = f"{short_type(entry['type'])} {md.code(middle_cut(_shown_name(entry), NAME_WIDTH))}"
        if not entry["changes"]:
            rows.append((resource, "", ACTION_WORDS[entry["action"]].split(" (")[0] + (" 🔒" if "🔒" in action else "")))
        for change in entry["changes"]:
            path = md.code(middle_cut(change_path(change), PATH_WIDTH))
            if is_multiline(change.get("before")) or is_multiline(change.get("after")):
                lines = line_changes(change.get("before"), change.get("after"), limit=6)
                value = "<br>".join(md.code(middle_cut(line, LINE_WIDTH)) for line in lines)
            else:
                value = describe(change, md.code, limit=VALUE_WIDTH)
            if entry["action"] != "update":
                value = f"{action}: {value}"
            rows.append((resource, path, value))
    return rows


def changes_table(entries: list[dict[str, Any]]) -> str:
    rows = _change_rows(entries)
    text = md.table(["resource", "path", "change"], rows[:MAX_ROWS_PER_SECTION])
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


def tenant_emoji(tenant: dict[str, Any]) -> str:
    return MOVE_EMOJI if "move" in tenant else EMOJI[tenant["status"]]


def kept_line(tenant: dict[str, Any]) -> str:
    """What an offboarding leaves in the cloud, by the buckets' real names: the caution names them so too."""
    kept = [entry for entry in tenant["resources"] if entry["action"] == "retain"]
    buckets = [entry for entry in kept if entry["type"] in BUCKET_TYPES]
    if not kept:
        return ""
    settings = f" and {len(kept) - len(buckets)} of their settings" if len(kept) > len(buckets) else ""
    names = ", ".join(f"bucket {md.code(_shown_name(entry))}" for entry in buckets)
    return f"Kept in the cloud, no longer managed: {names}{settings}"


def tenant_section(tenant: dict[str, Any]) -> md.Section:
    status = tenant["status"]
    summary = (
        f"{tenant_emoji(tenant)} <b>{html.escape(tenant['name'])}</b> · {html.escape(_status_words(tenant))} · "
        f"{action_counts(tenant['resources'])}"
    )
    if status == "changed":
        body = changes_table(tenant["resources"])
        definitions = definitions_change(tenant["resources"])
        if definitions is not None:
            body = f"{html.escape(definitions)}\n\n{body}"
    else:
        body = facts_table(tenant["facts"])
        if status == "offboarded" and kept_line(tenant):
            body += "\n\n" + kept_line(tenant)
    return md.Section(tenant["name"], md.details(summary, body))


# --- identical changes, grouped -------------------------------------------------------------------

PLACEHOLDER = "<name>"


def _named(name: str) -> re.Pattern:
    # The tenant's name where it stands as a name (`alpha`, `alpha-artifacts`), not inside another word.
    return re.compile(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])")


def templated(value: Any, name: str) -> Any:
    """`value` with the tenant's name as `<name>`: the shape of a change every tenant of a group shares."""
    return json.loads(_named(name).sub(PLACEHOLDER, json.dumps(value)))


def alike_groups(diff: dict[str, Any], smallest: int = 2) -> list[tuple[list[str], list[dict[str, Any]]]]:
    """Changed tenants whose changes are the same but for their names (a stack setting that touches each
    of them, a shared template): (their names, the changes as `<name>` templates), largest group first."""
    groups: dict[str, list[str]] = {}
    shapes: dict[str, list[dict[str, Any]]] = {}
    for tenant in diff["tenants"]:
        if tenant["status"] != "changed" or "move" in tenant:
            continue
        shape = templated([{**entry, "urn": ""} for entry in tenant["resources"]], tenant["name"])
        key = json.dumps(shape, sort_keys=True)
        groups.setdefault(key, []).append(tenant["name"])
        shapes.setdefault(key, shape)
    found = [(names, shapes[key]) for key, names in groups.items() if len(names) >= smallest]
    return sorted(found, key=lambda group: (-len(group[0]), group[0][0]))


def names_line(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(md.code(name) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def settings_line(diff: dict[str, Any]) -> str:
    """The stack settings this change edits: what a change every tenant shares comes from."""
    changes = diff.get("settings") or []
    if not changes:
        return ""
    shown = "; ".join(f"{md.code(change['path'])}: {describe(change, md.code, limit=VALUE_WIDTH)}" for change in changes[:10])
    more = f"; and {len(changes) - 10} more" if len(changes) > 10 else ""
    return f"Stack settings changed: {shown}{more}."


def alike_section(diff: dict[str, Any], names: list[str], entries: list[dict[str, Any]]) -> md.Section:
    summary = (
        f"{EMOJI['changed']} <b>{len(names)} tenants changed alike</b> · {action_counts(entries)} each"
    )
    cause = (
        "The stack settings changed above apply to each of them."
        if diff.get("settings")
        else "No stack setting changed: each of their tenant files did, alike."
    )
    body = f"{names_line(names)}: each with the changes below ({md.code(PLACEHOLDER)} is the tenant's name). {cause}"
    return md.Section(f"alike:{names[0]}", md.details(summary, body + "\n\n" + changes_table(entries)))


def offboarding_words(diff: dict[str, Any]) -> list[str]:
    """What makes the diff blocking, in a few words each: moves, offboarded tenants, buckets leaving
    management, stateful objects deleted or replaced, protections dropped."""
    offboarding = diff["offboarding"]
    moving_out = _moving_out(diff)
    renamed = renamed_names(diff)
    tenants = [name for name in offboarding["tenants"] if name not in moving_out and name not in renamed]
    buckets = [bucket for bucket in offboarding["buckets"] if bucket["tenant"] not in moving_out]
    moves = moves_of(diff)
    renames = renames_of(diff)
    what = []
    if moves:
        what.append(f"{len(moves)} tenant{'s' if len(moves) != 1 else ''} moving between stacks")
    if renames:
        what.append(f"{len(renames)} tenant{'s' if len(renames) != 1 else ''} renamed")
    if tenants:
        what.append(f"{len(tenants)} tenant{'s' if len(tenants) != 1 else ''} offboarded")
    if buckets:
        what.append(f"{len(buckets)} bucket{'s leave' if len(buckets) != 1 else ' leaves'} management")
    objects, unprotected = offboarding.get("objects", []), offboarding.get("unprotected", [])
    if objects:
        what.append(f"{len(objects)} namespace{'s' if len(objects) != 1 else ''}, Vault secret or user deleted or replaced")
    if unprotected:
        what.append(f"protection dropped from {len(unprotected)} resource{'s' if len(unprotected) != 1 else ''}")
    narrowed = offboarding.get("narrowing") or []
    if narrowed:
        tenants_narrowed = len({entry["tenant"] for entry in narrowed})
        what.append(f"access or parameters narrowed for {tenants_narrowed} tenant{'s' if tenants_narrowed != 1 else ''}")
    unrecorded = offboarding.get("unrecorded") or []
    if unrecorded:
        # No label accepts these: they must be recorded in tenants/_retired-buckets.yaml first.
        what.append(f"{len(unrecorded)} unrecorded")
    return what


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
    every_command = f"python -m tenancy plan --stack {diff['stack']} --base <ref>"
    if total > MAX_LISTED_OFFBOARDING:
        lines += [
            ">",
            f"> … {total - MAX_LISTED_OFFBOARDING} more URNs: {md.code(every_command)} prints every command.",
        ]
    return lines


def caution(diff: dict[str, Any]) -> str:
    offboarding = diff["offboarding"]
    moving_out = _moving_out(diff)
    renamed = renamed_names(diff)
    tenants = [name for name in offboarding["tenants"] if name not in moving_out and name not in renamed]
    buckets = [bucket for bucket in offboarding["buckets"] if bucket["tenant"] not in moving_out]
    accepted = acceptance_words(offboarding)
    verdict = (
        f"{html.escape(accepted[0].upper() + accepted[1:])}."
        if accepted
        else "`plan` exits 3 until a maintainer accepts it: label the pull request `allow-offboarding` "
        "(or pass `--allow-offboarding` locally)."
    )
    lines = ["> [!CAUTION]", f"> **Blocking: {', '.join(offboarding_words(diff))}.** {verdict}"]
    lines += _moves_caution(diff)
    if renames_of(diff):
        shown = ", ".join(md.code(rename_title(rename)) for rename in renames_of(diff)[:MAX_LISTED_OFFBOARDING])
        lines += [
            ">",
            f"> Renamed (same repository, new name): {shown}. Pulumi knows each object by its name, so every object of the "
            "old name is deleted or leaves management and every object of the new one is created: what that does to the "
            "namespace, buckets, Vault secrets and IAM user is in the rename's section below.",
        ]
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
    lines += _retired_yaml(diff)
    lines += _listed(
        "Deleted or replaced, with what they hold (a namespace's workflows and secrets, a Vault secret's value, "
        "a user's keys):",
        [_object_line(entry, md.code) for entry in offboarding.get("objects", [])],
    )
    lines += _listed(
        "Protection dropped: `pulumi up` would from then on delete these when they leave the program:",
        [_unprotected_line(entry, md.code) for entry in offboarding.get("unprotected", [])],
    )
    lines += _listed(
        "Narrowed: what registrations that stay could reach or call before, and no longer can "
        "(docs/operations.md, \"Upgrades that narrow access\", says how to migrate):",
        [html.escape(narrowing_line(entry), quote=False) for entry in offboarding.get("narrowing", [])],
    )
    return "\n".join(lines)


def retired_entries(diff: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The records tenants/_retired-buckets.yaml still lacks for this diff: buckets, and fallback-bucket
    prefixes (`s3://<bucket>/<registration>/` in `offboarding.unrecorded`)."""
    unrecorded = [str(item) for item in diff["offboarding"].get("unrecorded") or []]
    environment = str(diff.get("environment") or diff["stack"])
    # A bucket a rename creates again by the same name goes back to the new name, on purpose.
    claimed = {
        str(item["before"]["name"]): rename["to"]
        for rename in renames_of(diff)
        for item in rename["objects"]
        if item["kind"] == "bucket" and item.get("before") and item.get("after") and item["before"]["name"] == item["after"]["name"]
    }
    buckets = [
        {"bucket": str(bucket["bucket"]), "registration": str(bucket["tenant"]), "environment": environment}
        | ({"returnTo": claimed[str(bucket["bucket"])]} if str(bucket["bucket"]) in claimed else {})
        for bucket in diff["offboarding"]["buckets"]
        if str(bucket["bucket"]) in unrecorded and bucket.get("recorded") is False
    ]
    prefixes = []
    for uri in unrecorded:
        if uri.startswith("s3://"):
            bucket, _, rest = uri[len("s3://") :].partition("/")
            prefixes.append({"bucket": bucket, "registration": rest.strip("/"), "environment": environment})
    return buckets, prefixes


def _retired_yaml(diff: dict[str, Any]) -> list[str]:
    """Paste-ready entries for tenants/_retired-buckets.yaml: nothing accepts the change until they are there."""
    buckets, prefixes = retired_entries(diff)
    if not buckets and not prefixes:
        return []
    sections = []
    for key, entries in (("retiredBuckets", buckets), ("retiredPrefixes", prefixes)):
        if entries:
            body = "\n".join(
                f"  - bucket: {clean(entry['bucket'])}\n    registration: {clean(entry['registration'])}\n"
                f"    environment: {clean(entry['environment'])}"
                + (f"\n    returnTo: {clean(entry['returnTo'])}" if entry.get("returnTo") else "")
                for entry in entries[:MAX_LISTED_OFFBOARDING]
            )
            sections.append(f"{key}:\n{body}")
    block = md.code_block("\n".join(sections), "yaml")
    lines = [">", "> Not yet recorded, so no approval accepts this: add to `tenants/_retired-buckets.yaml` (under the same keys):", ">"]
    return lines + [f"> {line}" for line in block.splitlines()]


def _listed(heading: str, items: list[str]) -> list[str]:
    if not items:
        return []
    lines = [">", f"> {heading}"] + [f"> - {item}" for item in items[:MAX_LISTED_OFFBOARDING]]
    if len(items) > MAX_LISTED_OFFBOARDING:
        lines.append(f"> - … and {len(items) - MAX_LISTED_OFFBOARDING} more")
    return lines
