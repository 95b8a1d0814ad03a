"""A plan document for people: a tree per tenant at a terminal, or a Markdown report.

Both show each tenant's key properties (namespace, buckets, IAM user, Vault paths, webhook) and the
stack-level objects once; the JSON document holds every input of every resource.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from tenancy.plan import markdown as md
from tenancy.plan import preamble
from tenancy.plan.facts import definitions_line, physical_name, shared_resources, short_type, skip_words, skipped, tenant_facts
from tenancy.plan.render_values import clean


Item = tuple[str, str]  # (value from the plan, a note of ours about it)


def bucket_item(bucket: dict[str, Any]) -> Item:
    # A MinIO bucket has no region of its own.
    notes = [bucket["purpose"], *([str(bucket["region"])] if bucket["region"] else [])]
    if bucket["retainOnDelete"]:
        notes.append("kept on delete")
    if bucket["protect"]:
        notes.append("protected")
    return str(bucket["bucket"]), ", ".join(notes)


def access_rows(facts: dict[str, Any]) -> list[tuple[str, list[Item]]]:
    """Who may see and run the tenant's workflows, and where each run's outputs and logs land."""
    nobody = [("", "nobody")]
    # isPublic opens a namespace to every signed-in user, never to anyone without login (docs/migration.md).
    public = ("yes", "every signed-in user may look, as readers do") if facts.get("public") else ("no", "only the people listed")
    return [
        ("admins", [(user, "") for user in facts.get("adminUsers") or []] or nobody),
        ("readers", [(user, "") for user in facts.get("readUsers") or []] or nobody),
        ("public", [public]),
        ("outputs", [(str(facts.get("outputs") or ""), "each run's report, timeline, trace, results and logs, in the Argo UI")]),
    ]


def runs_item(refs: dict[str, Any]) -> Item:
    """Which pushes start a run in this stack's environment."""
    parts = [f"pushes to {refs['branch']}"] if refs.get("branch") else []
    if refs.get("tags"):
        parts.append("pushed tags")
    return " and ".join(parts) or "nothing", "other refs run nothing"


def runner_items(runner: dict[str, Any]) -> list[Item]:
    if not runner:
        return [("", "unknown")]
    options = [f"{flag} {runner[key]}" for key, flag in (("paramsFile", "-params-file"), ("profile", "-profile")) if runner.get(key)]
    return [
        (f"{runner.get('executor')} executor, {runner.get('cpu')} CPU, {runner.get('memory')} memory", "requests = limits"),
        (str(runner.get("workDir")), "work dir"),
        *([(", ".join(options), "")] if options else []),
    ]


def guardrail_items(guardrails: dict[str, Any]) -> list[Item]:
    if not guardrails:
        return [("", "unknown")]
    quota, most = guardrails.get("quota") or {}, guardrails.get("containerMax") or {}
    ports = ", ".join(str(port) for port in guardrails.get("egressPorts") or [])
    return [
        (f"Pod Security {guardrails.get('podSecurity')}", "enforced; restricted warned and audited"),
        (f"quota {quota.get('cpu')} CPU, {quota.get('memory')} memory, {quota.get('pods')} pods", "ResourceQuota"),
        (f"per container at most {most.get('cpu')} CPU, {most.get('memory')} memory", "LimitRange"),
        (f"no ingress; egress DNS and TCP {ports}", "NetworkPolicy"),
    ]


def fact_rows(facts: dict[str, Any]) -> list[tuple[str, list[Item]]]:
    """(label, items) in the order a person reads them; every tenant has each label."""
    buckets = [bucket_item(bucket) for bucket in facts["buckets"]]
    if not buckets:
        buckets = [(str(facts["artifacts"] or ""), "the environment's fallback bucket, not managed here")]
    state = "PAUSED: inactive" if facts["paused"] else "push, active"
    return [
        ("repository", [(str(facts["repository"]), "")]),
        ("namespace", [(str(facts["namespace"]), "")]),
        *access_rows(facts),
        ("buckets", buckets),
        ("IAM user", [(str(facts["iamUser"]), "")]),
        ("Vault paths", [(path, "") for path in facts["vaultPaths"]]),
        ("webhook", [(str(facts["webhookUrl"]), state)]),
        ("template", [(str(facts["workflowTemplate"]), "")]),
        ("runs", [runs_item(facts.get("refs") or {})]),
        ("runner", runner_items(facts.get("runner") or {})),
        ("guardrails", guardrail_items(facts.get("guardrails") or {})),
        *definitions_rows(facts),
    ]


def definitions_rows(facts: dict[str, Any]) -> list[tuple[str, list[Item]]]:
    """The registration's own definitions, where it has them, and who may deploy by pushing."""
    rows = []
    definitions = facts.get("definitions")
    line = definitions_line(definitions)
    if line is not None:
        kinds = ", ".join(definitions.get("kinds") or [])
        value = line.removeprefix("definitions ")
        rows.append(("definitions", [(value, f"{kinds}; pushes run {definitions.get('entrypoint')} once synced")]))
    if facts.get("deployers"):
        rows.append(("deployers", [(login, "GitHub user whose pushes run here") for login in facts["deployers"]]))
    return rows


def item_text(item: Item) -> str:
    value, note = item
    value = clean(value)
    return f"{value} ({note})" if value and note else value or f"({note})"


def text_rows(facts: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(label, [item_text(item) for item in items]) for label, items in fact_rows(facts)]


def _tree(title: str, rows: list[tuple[str, list[str]]]) -> list[str]:
    lines = [title]
    width = max(len(label) for label, _ in rows)
    for index, (label, values) in enumerate(rows):
        last = index == len(rows) - 1
        branch, rest = ("└── ", "    ") if last else ("├── ", "│   ")
        lines.append(f"{branch}{label.ljust(width)}  {values[0] if values else '-'}")
        lines += [f"{rest}{' ' * width}  {value}" for value in values[1:]]
    return lines


def _type_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in counts.items())


def wrapped(items: list[str], width: int = 90) -> list[str]:
    """Comma-joined items over as many lines as it takes to keep each under `width`."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(item) + 2 <= width:
            lines[-1] += f", {item}"
        else:
            lines.append(item)
    return lines


def _resource_lines(facts: dict[str, Any]) -> list[str]:
    return [str(facts["resources"])] + wrapped([f"{count} {kind}" for kind, count in facts["resourceTypes"].items()])


def _shared_counts(document: dict[str, Any]) -> dict[str, int]:
    return dict(sorted(Counter(short_type(r["type"]) for r in shared_resources(document)).items()))


def _shared_label(resource: dict[str, Any]) -> str:
    kind = resource["type"]
    if kind.startswith("pulumi:providers:"):
        return f"{kind.rsplit(':', 1)[-1]} provider"
    return f"{kind.split(':', 1)[0]} {short_type(kind)}" if kind.startswith("vault:") else short_type(kind)


def _shared_lines(document: dict[str, Any]) -> list[tuple[str, list[str]]]:
    rows: dict[str, list[str]] = {}
    for resource in shared_resources(document):
        rows.setdefault(_shared_label(resource), []).append(clean(physical_name(resource)))
    return [(label, wrapped(sorted(values))) for label, values in sorted(rows.items())]


def _totals(document: dict[str, Any]) -> str:
    count = len(document["tenants"])
    custom = sum(1 for r in document["resources"] if r["custom"])
    components = len(document["resources"]) - custom
    return f"{count} tenant{'s' if count != 1 else ''} · {custom} resources (+{components} components)"


def _headline(document: dict[str, Any]) -> str:
    return f"{document['project']} · stack {document['stack']} · {_totals(document)}"


def plan_text(document: dict[str, Any], verbose: bool = False) -> str:
    """The terminal view: a tree per tenant, then the stack-level objects."""
    lines = [_headline(document), "(offline plan: the program under Pulumi's mock engine; secrets print as [secret])"]
    lines += [*preamble.text_lines(document), ""]
    resources_of: dict[str, list[dict[str, Any]]] = {}
    for resource in document["resources"]:
        resources_of.setdefault(resource.get("tenant"), []).append(resource)
    for name, facts in tenant_facts(document).items():
        rows = text_rows(facts)
        if verbose:
            rows.append(
                (
                    "resources",
                    sorted(f"{short_type(r['type'])} {clean(physical_name(r))}" for r in resources_of[name] if r["custom"]),
                )
            )
        else:
            rows.append(("resources", _resource_lines(facts)))
        lines += _tree(name, rows)
        lines.append("")
    shared = _shared_lines(document)
    if shared:
        lines += _tree("shared by all tenants of the stack", shared)
    else:
        lines.append("no stack-level objects (no tenant is deployed to this stack)")
    left = skipped(document)
    if left:
        lines += ["", f"not deployed by this stack: {len(left)} registration{'s' if len(left) != 1 else ''}"]
        lines += [f"  {clean(name)}  ({clean(skip_words(reason))})" for name, reason in left.items()]
    return "\n".join(lines) + "\n"


def _item_markdown(item: Item) -> str:
    value, note = item
    shown = md.code(value) if value else ""
    return f"{shown} ({note})" if shown and note else shown or f"({note})"


def facts_table(facts: dict[str, Any]) -> str:
    """The facts as a list, one label a line: a table would need a header row, and here there is none to give."""
    return "\n".join(
        f"- **{label}**: " + ", ".join(_item_markdown(item) for item in items) for label, items in fact_rows(facts)
    )


def skipped_line(document: dict[str, Any], limit: int = 20) -> str:
    """The registrations this stack leaves to another environment or shard, and why, in one line."""
    left = list(skipped(document).items())
    if not left:
        return ""
    shown = ", ".join(f"{md.code(name)} ({html.escape(skip_words(reason))})" for name, reason in left[:limit])
    more = f" and {len(left) - limit} more" if len(left) > limit else ""
    return f"Not deployed by this stack: {shown}{more}."


def plan_markdown(document: dict[str, Any], budget: int = md.DEFAULT_BUDGET) -> str:
    """A Markdown report: summary, then one collapsed section per tenant, within `budget` bytes."""
    head = [f"### {md.code(document['project'])} plan · stack {md.code(document['stack'])}", ""]
    head += [block + "\n" for block in preamble.markdown_blocks(document, md.code)]
    head.append(_totals(document) + ".")
    shared = _shared_counts(document)
    if shared:
        head.append(f"Shared by all tenants: {_type_counts(shared)}.")
    if skipped_line(document):
        head.append(skipped_line(document))
    sections = [
        md.Section(
            name,
            md.details(
                f"<b>{html.escape(name)}</b> · {facts['resources']} resources",
                facts_table(facts) + f"\n\n{_type_counts(facts['resourceTypes'])}",
            ),
        )
        for name, facts in tenant_facts(document).items()
    ]

    def tail(left_out: list[md.Section]) -> str:
        if not left_out:
            return ""
        return (
            f"… {len(left_out)} more tenants not shown to stay within GitHub's comment size; "
            "`python -m tenancy plan --format json` lists every resource."
        )

    fallback = f"{head[0]}\n\n{_totals(document)}; see `python -m tenancy plan --format json` for the report."
    return md.fit("\n".join(head), sections, tail, budget, fallback)
