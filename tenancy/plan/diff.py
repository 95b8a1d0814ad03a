"""The difference between two plan documents, grouped by tenant: what a merge would create, change
and remove, and whether it offboards anything (the JSON of `plan --base`, version 1).

Resources are matched by URN, as Pulumi matches them. A resource only in the base is deleted, or,
when it is retained on delete, leaves Pulumi's management and stays in the cloud. Inputs are
compared value by value; the paths name what changed (`spec.github.alpha.active`), and a change to
an input its provider cannot update in place (tenancy.plan.replacements) makes it a replacement.
A change blocks (`offboarding.blocking`) when it loses something that cannot be recreated: a
tenant offboarded, a bucket leaving management, a namespace, Vault secret or IAM user deleted or
replaced, a `protect` or `retainOnDelete` dropped. Secret values
are "[secret]" on both sides, so a changed secret cannot be seen offline, and none is ever shown.
A tenant that leaves this stack for another stack of its environment, or arrives from one (its
shard changed), is still offboarded or onboarded here, and also carries the move that keeps its
objects (docs/sharding.md). Field by field in docs/plan-format.md; docs/plan-diff.schema.json is its JSON Schema.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from tenancy.plan.facts import (
    BUCKET_TYPES,
    TENANT_REPO,
    bucket_fact,
    bucket_purposes,
    physical_name,
    skipped,
    summaries,
    tenant_facts,
)
from tenancy.plan import preamble
from tenancy.plan.narrowing import narrowings
from tenancy.plan.renames import stack_renames
from tenancy.plan.replacements import replaces

# The Pulumi Cloud organization is not known offline: the operator puts it in.
STATE_MOVE_ORG = "<org>"

DIFF_VERSION = 1
DIFF_KIND = "plan-diff"

# Objects whose deletion or replacement loses what they hold, besides buckets (reported apart, with
# what they hold): a namespace takes everything in it along, a Vault secret its value, an IAM user
# its keys (in IAM or MinIO). Deleting them with their tenant is its offboarding; any other time it must be seen.
STATEFUL = {
    "kubernetes:core/v1:Namespace": "namespace",
    "vault:kv/secretV2:SecretV2": "Vault secret",
    "aws:iam/user:User": "IAM user",
    "minio:index/iamUser:IamUser": "MinIO user",
}
# Options that keep an object: dropping one is how a program change makes the next removal destructive.
PROTECTIONS = ("protect", "retainOnDelete")

OPTIONS = ("protect", "retainOnDelete", "deleteBeforeReplace", "replacementTrigger", "provider", "parent", "dependsOn")
# List items that carry one of these (unique per list) are matched by it, not by position, so
# adding a tenant in the middle of a sorted list reads as one addition, not a shift of every entry.
_ITEM_KEYS = ("name", "Sid", "secretKey")

_ABSENT = object()


def _item_key(item: Any) -> Any:
    if not isinstance(item, dict):
        return None
    for key in _ITEM_KEYS:
        if isinstance(item.get(key), (str, int)):
            return f"{key}={item[key]}"
    template = item.get("template")
    if isinstance(template, dict) and isinstance(template.get("name"), str):
        return f"template.name={template['name']}"
    return None


def _keyed(items: list) -> dict[str, Any] | None:
    keys = [_item_key(item) for item in items]
    if None in keys or len(set(keys)) != len(keys):
        return None
    return dict(zip(keys, items))


def _json_container(value: Any) -> Any:
    # Policies travel as JSON text; comparing them parsed names the statement that changed.
    if isinstance(value, str) and value[:1] in "{[":
        try:
            parsed = json.loads(value)
        except ValueError:
            return _ABSENT
        return parsed if isinstance(parsed, (dict, list)) else _ABSENT
    return _ABSENT


def _segment(key: str) -> str:
    plain = key.replace("-", "").replace("_", "").isalnum()
    return f".{key}" if plain else f"[{json.dumps(key)}]"


def value_changes(before: Any, after: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(path, before, after) for every leaf that differs; `_ABSENT` stands for a missing side."""
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            yield from value_changes(before.get(key, _ABSENT), after.get(key, _ABSENT), path + _segment(str(key)))
        return
    if isinstance(before, list) and isinstance(after, list):
        keyed_before, keyed_after = _keyed(before), _keyed(after)
        if keyed_before is not None and keyed_after is not None:
            for key in sorted(set(keyed_before) | set(keyed_after)):
                yield from value_changes(
                    keyed_before.get(key, _ABSENT), keyed_after.get(key, _ABSENT), f"{path}[{key}]"
                )
            if [k for k in keyed_before if k in keyed_after] != [k for k in keyed_after if k in keyed_before]:
                yield f"{path}(order)", list(keyed_before), list(keyed_after)
            return
        for index in range(max(len(before), len(after))):
            yield from value_changes(
                before[index] if index < len(before) else _ABSENT,
                after[index] if index < len(after) else _ABSENT,
                f"{path}[{index}]",
            )
        return
    parsed_before, parsed_after = _json_container(before), _json_container(after)
    if parsed_before is not _ABSENT and parsed_after is not _ABSENT:
        yield from value_changes(parsed_before, parsed_after, path)
        return
    yield path, before, after


def _change(path: str, before: Any, after: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": path.lstrip(".")}
    if before is not _ABSENT:
        entry["before"] = before
    if after is not _ABSENT:
        entry["after"] = after
    return entry


def resource_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    changes = [_change("inputs" + path, b, a) for path, b, a in value_changes(before["inputs"], after["inputs"])]
    for option in OPTIONS:
        old, new = before.get(option), after.get(option)
        if option == "dependsOn":
            old, new = sorted(old or []), sorted(new or [])
        if old != new:
            changes.append(_change(option, old, new))
    return changes


def _is_replacement(after: dict[str, Any], changes: list[dict[str, Any]]) -> bool:
    """Whether the provider recreates the resource: its replacement trigger changed, or an input it
    cannot update in place (tenancy.plan.replacements)."""
    return any(
        change["path"] == "replacementTrigger"
        or (change["path"].startswith("inputs.") and replaces(after["type"], change["path"][len("inputs.") :]))
        for change in changes
    )


def _entry(resource: dict[str, Any], action: str, changes: list | None = None) -> dict[str, Any]:
    return {
        "urn": resource["urn"],
        "type": resource["type"],
        "name": resource["name"],
        "physicalName": physical_name(resource),
        "custom": resource["custom"],
        "tenant": resource.get("tenant"),
        "action": action,
        "protect": resource["protect"],
        "changes": changes or [],
    }


def _identity(resource: dict[str, Any]) -> dict[str, Any]:
    return {"urn": resource["urn"], "type": resource["type"], "name": resource["name"], "tenant": resource.get("tenant")}


def _destroyed(resource: dict[str, Any], action: str) -> dict[str, Any]:
    """A namespace, Vault secret or IAM user of the base plan that is deleted or replaced."""
    return {**_identity(resource), "kind": STATEFUL[resource["type"]], "object": physical_name(resource), "action": action}


def _leaving(resource: dict[str, Any], reason: str, purposes: dict[tuple[str, str], str]) -> dict[str, Any]:
    """A bucket of the base plan that leaves management; `purposes` are the base's (facts.bucket_purposes)."""
    tenant = resource.get("tenant")
    purpose = purposes.get((tenant, resource["inputs"].get("bucket")))
    return {"urn": resource["urn"], "tenant": tenant, "reason": reason, **bucket_fact(resource, purpose)}


def _in_stack(urn: str, stack: str) -> str:
    """The same URN in another stack of the project: `urn:pulumi:<stack>::<project>::...`."""
    _, rest = urn.split("::", 1)
    return f"urn:pulumi:{stack}::{rest}"


def _move(
    name: str, direction: str, source: dict[str, Any], target: dict[str, Any], document: dict[str, Any]
) -> dict[str, Any]:
    """A registration leaving this stack for another of its environment (`out`, read from the base plan),
    or arriving from one (`in`, read from the head plan). Its physical names do not depend on the
    stack, so moving its state keeps every object; `pulumi state move` takes the children of the
    URNs it is given and copies the providers they use (docs/sharding.md)."""
    resources = [resource for resource in document["resources"] if resource.get("tenant") == name]
    roots = [resource["urn"] for resource in resources if resource["type"] == TENANT_REPO and resource["name"] == name]
    urns = sorted(roots if direction == "out" else (_in_stack(urn, source["stack"]) for urn in roots))
    project = document["project"]
    command = " ".join(
        [
            "pulumi state move",
            f"--source {STATE_MOVE_ORG}/{project}/{source['stack']}",
            f"--dest {STATE_MOVE_ORG}/{project}/{target['stack']}",
            *(f"'{urn}'" for urn in urns),
        ]
    )
    return {
        "direction": direction,
        "from": dict(source),
        "to": dict(target),
        "urns": urns,
        "resources": len(resources),
        "providers": sorted({resource["provider"].rsplit("::", 1)[-1] for resource in resources if resource.get("provider")}),
        "command": command,
    }


def moves(
    base: dict[str, Any],
    head: dict[str, Any],
    base_places: dict[str, dict[str, Any]],
    head_places: dict[str, dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Tenant name -> its move, for every tenant that leaves this stack for another stack of its
    environment, or arrives here from one. `*_places` map each registration of the environment to
    the stack (and shard) that deploys it, at the base and at head (tenancy.project.shard_layout)."""
    stack = head["stack"]
    base_tenants, head_tenants = set(base["tenants"]), set(head["tenants"])
    found: dict[str, dict[str, Any]] = {}
    for name in sorted(base_tenants - head_tenants):
        target = head_places.get(name)
        if target is not None and target["stack"] != stack:
            source = {"stack": stack, "shard": (base_places.get(name) or {}).get("shard")}
            found[name] = _move(name, "out", source, target, base)
    for name in sorted(head_tenants - base_tenants):
        source = base_places.get(name)
        if source is not None and source["stack"] != stack:
            target = {"stack": stack, "shard": (head_places.get(name) or {}).get("shard")}
            found[name] = _move(name, "in", source, target, head)
    return found


def fallback_prefixes_leaving(base: dict[str, Any], head: dict[str, Any]) -> list[tuple[str, str]]:
    """(tenant, s3://bucket/prefix/) of every fallback-bucket prefix the base grants and head no longer does: its
    tenant offboarded or moved to a bucket of its own. A tenant's artifacts are on the fallback bucket when its
    summary lists no `artifacts` bucket of its own."""
    before, after = summaries(base), summaries(head)
    leaving = []
    for name, summary in sorted(before.items()):
        uri = summary.artifacts
        if not isinstance(uri, str) or "artifacts" in (summary.buckets or {}):
            continue
        if name not in after or after[name].artifacts != uri:
            leaving.append((name, uri))
    return leaving


def diff_plans(
    base: dict[str, Any],
    head: dict[str, Any],
    base_ref: dict[str, Any] | None = None,
    accepted: bool | dict[str, Any] = False,
    places: tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]] | None = None,
    settings: tuple[dict[str, Any], dict[str, Any]] | None = None,
    head_ref: dict[str, Any] | None = None,
    program: str | None = None,
) -> dict[str, Any]:
    """The diff document from `base` to `head` (two plan documents of the same stack).

    `base_ref` and `head_ref` name the revisions (head: the working tree when not given), `program`
    which program planned them (`each`, `current`; None: not said).
    `accepted` records who accepted offboarding: the approval (`{"kind", "login", "commit"}`), or True
    (`{"local": true}`: whoever ran it, `--allow-offboarding`). `places`
    (at the base, at head: registration -> {"stack", "shard"}) lets a tenant that changes stacks
    within its environment be reported as a move rather than a plain offboarding or onboarding.
    `settings` (the stack's config at the base and at head) names the settings that changed: the
    cause of changes every tenant shares.
    """
    acceptance = {"local": True} if accepted is True else (accepted or None)
    old = {r["urn"]: r for r in base["resources"]}
    new = {r["urn"]: r for r in head["resources"]}
    entries: list[dict[str, Any]] = []
    leaving: list[dict[str, Any]] = []
    # Only base resources leave, so the base's summaries say what each one held.
    purposes = bucket_purposes(base)
    destroyed: list[dict[str, Any]] = []
    unprotected: list[dict[str, Any]] = []
    for urn in sorted(set(old) | set(new)):
        if urn not in old:
            entries.append(_entry(new[urn], "create"))
        elif urn not in new:
            gone = old[urn]
            action = "retain" if gone["retainOnDelete"] else "delete"
            entries.append(_entry(gone, action))
            if gone["type"] in BUCKET_TYPES:
                leaving.append(_leaving(gone, "removed", purposes))
            elif gone["type"] in STATEFUL and action == "delete":
                destroyed.append(_destroyed(gone, action))
        else:
            changes = resource_changes(old[urn], new[urn])
            if changes:
                replaced = _is_replacement(new[urn], changes)
                entries.append(_entry(new[urn], "replace" if replaced else "update", changes))
                if replaced and new[urn]["type"] in BUCKET_TYPES:
                    leaving.append(_leaving(old[urn], "replaced", purposes))
                elif replaced and new[urn]["type"] in STATEFUL:
                    destroyed.append(_destroyed(old[urn], "replace"))
            dropped = [option for option in PROTECTIONS if old[urn][option] and not new[urn][option]]
            if dropped:
                unprotected.append({**_identity(new[urn]), "dropped": dropped})

    base_tenants, head_tenants = set(base["tenants"]), set(head["tenants"])
    touched = {entry["tenant"] for entry in entries if entry["tenant"] is not None}
    status = {name: "onboarded" for name in head_tenants - base_tenants}
    status.update({name: "offboarded" for name in base_tenants - head_tenants})
    status.update({name: "changed" for name in (touched & base_tenants & head_tenants)})
    facts_after, facts_before = tenant_facts(head), tenant_facts(base)
    by_tenant: dict[str | None, list[dict[str, Any]]] = {}
    for entry in entries:
        by_tenant.setdefault(entry["tenant"], []).append(entry)
    moving = moves(base, head, *places) if places else {}
    # A bucket leaving management stays in the account, owned by nobody in tenants/: the head's
    # program must know it as retired (tenants/_tenants/_retired-buckets.yaml, exported as `retiredBuckets`), or the
    # next tenant file naming it would be granted it. Unrecorded, no --allow-offboarding accepts it.
    recorded = set((head.get("outputs") or {}).get("retiredBuckets") or ())
    for bucket in leaving:
        bucket["recorded"] = bucket["bucket"] in recorded or bucket["tenant"] in moving
    unrecorded = sorted(str(bucket["bucket"]) for bucket in leaving if not bucket["recorded"])
    # The same for a prefix of the shared fallback bucket: its objects stay when its registration leaves it, and
    # the next registration of that name would be granted them unless the head records it (`retiredPrefixes`).
    recorded_prefixes = set((head.get("outputs") or {}).get("retiredPrefixes") or ())
    unrecorded += [
        uri for name, uri in fallback_prefixes_leaving(base, head) if uri not in recorded_prefixes and name not in moving
    ]
    tenants = [
        {
            "name": name,
            "status": status[name],
            "facts": facts_before[name] if status[name] == "offboarded" else facts_after[name],
            "resources": by_tenant.get(name, []),
            **({"move": moving[name]} if name in moving else {}),
        }
        for name in sorted(status)
    ]
    counts = {kind: sum(1 for t in tenants if t["status"] == kind) for kind in ("onboarded", "offboarded", "changed")}
    counts["untouched"] = len(base_tenants & head_tenants) - counts["changed"]
    offboarded = sorted(name for name, kind in status.items() if kind == "offboarded")
    # An offboarded tenant's namespace, secrets and user go with it: its offboarding says so already.
    objects = [entry for entry in destroyed if entry["tenant"] not in offboarded]
    # Access or parameters a staying registration loses (tenancy.plan.narrowing): blocks like an offboarding.
    narrowed = narrowings(base, head)
    return {
        "version": DIFF_VERSION,
        "kind": DIFF_KIND,
        "project": head["project"],
        "stack": head["stack"],
        "base": base_ref or {},
        "head": head_ref or {"ref": None, "commit": None},
        "program": program,
        "summary": {
            "tenants": counts,
            # Cloud objects, as `plan` counts them; components (Pulumi's grouping) apart.
            "resources": _count_actions(entry for entry in entries if entry["custom"]),
            "components": _count_actions(entry for entry in entries if not entry["custom"]),
        },
        "settings": setting_changes(*settings) if settings else [],
        "skipped": skipped(head),
        **({"github": preamble.github_mode(head)} if preamble.github_mode(head) else {}),
        "warnings": preamble.warnings(head),
        "offboarding": {
            # A move is blocking too: `pulumi up` alone would delete the tenant here and create it there.
            "blocking": bool(offboarded or leaving or moving or objects or unprotected or unrecorded or narrowed),
            "accepted": bool(acceptance) and not unrecorded,
            # Who accepted it, the same data every format words (text, Markdown, JSON).
            **({"acceptedBy": acceptance} if acceptance and not unrecorded else {}),
            "unrecorded": unrecorded,
            "tenants": offboarded,
            "moves": sorted(moving),
            "buckets": sorted(leaving, key=lambda bucket: (str(bucket["bucket"]), bucket["urn"])),
            "objects": objects,
            "unprotected": unprotected,
            "narrowing": narrowed,
        },
        "tenants": tenants,
        # A tenant file renamed: the tenants it offboards and onboards, paired object by object.
        "renames": stack_renames(tenants, leaving, STATEFUL),
        "shared": by_tenant.get(None, []),
    }


ACTIONS = ("create", "update", "replace", "delete", "retain")


def _count_actions(entries: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(ACTIONS, 0)
    for entry in entries:
        counts[entry["action"]] += 1
    return counts


def setting_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Stack settings (config keys) that differ, with both values; secrets stay "[secret]" as the config file has them."""
    return [
        _change(key + path, old, new)
        for key in sorted(set(before) | set(after))
        for path, old, new in value_changes(before.get(key, _ABSENT), after.get(key, _ABSENT))
    ]
