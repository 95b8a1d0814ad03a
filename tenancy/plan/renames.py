"""Renames within one stack's diff: a registration offboarded under one name and onboarded under another
with the same repository (a tenant file renamed), read from the diff's own entries, never guessed.

Pulumi knows a resource by its URN, which holds the registration's name; so a rename deletes every
object of the old name and creates every object of the new one. What that does to each object that
holds something depends on its physical name: the namespace (`wf-<owner>-<repo>`) keeps its name, so
the same namespace is deleted and created; a bucket is retained and created again by the same name;
Vault secrets and the IAM user are named after the registration, so new ones replace the old. Each
object below is paired with its counterpart by its Pulumi name without the registration's name, and
says what the diff does to it on each side.
"""

from __future__ import annotations

from typing import Any

from tenancy.model.formats import github_repo_url_parts
from tenancy.plan.facts import BUCKET_TYPES

# The objects that hold something, in the order a reviewer reads them (besides buckets, the diff's
# STATEFUL types, which it hands in: tenancy.plan.diff imports this module).
KIND_ORDER = ("namespace", "bucket", "Vault secret", "IAM user", "MinIO user")
# The facts of a registration that say who gets in and where its runs go, compared across the rename.
FACTS = ("adminUsers", "readUsers", "public", "outputs", "webhookUrl", "workflowTemplate", "paused")


def _repository(facts: dict[str, Any]) -> str | None:
    url = facts.get("repository")
    parts = github_repo_url_parts(url) if isinstance(url, str) else None
    return f"{parts[0]}/{parts[1]}".lower() if parts else None


def _objects(tenant: dict[str, Any], kinds: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Its objects that hold something, by Pulumi name without the tenant's name (`credentials-user`)."""
    prefix = f"{tenant['name']}-"
    return {
        entry["name"].removeprefix(prefix): entry
        for entry in tenant["resources"]
        if entry["type"] in kinds and entry["name"].startswith(prefix)
    }


def _paired(old: dict[str, Any], new: dict[str, Any], recorded: dict[str, bool], stateful: dict[str, str]) -> list[dict[str, Any]]:
    kinds = {**dict.fromkeys(BUCKET_TYPES, "bucket"), **stateful}
    before, after = _objects(old, kinds), _objects(new, kinds)
    found = []
    for key in sorted(set(before) | set(after)):
        gone, made = before.get(key), after.get(key)
        entry = gone or made
        item: dict[str, Any] = {"kind": kinds[entry["type"]]}
        if gone:
            item["before"] = {"name": gone["physicalName"], "action": gone["action"]}
        if made:
            item["after"] = {"name": made["physicalName"], "action": made["action"]}
        if item["kind"] == "bucket" and gone and gone["physicalName"] in recorded:
            item["recorded"] = recorded[gone["physicalName"]]
        found.append(item)
    return sorted(found, key=lambda item: KIND_ORDER.index(item["kind"]))


def stack_renames(
    tenants: list[dict[str, Any]], leaving_buckets: list[dict[str, Any]], stateful: dict[str, str]
) -> list[dict[str, Any]]:
    """Every rename of the stack: `from`, `to`, `repository`, `objects` (each `kind`, `before` and `after`
    as {name, action}, a bucket's `recorded`), and the `facts` that differ ({fact: [before, after]}).
    `stateful`: type -> kind of the objects besides buckets that hold something (tenancy.plan.diff.STATEFUL)."""
    offboarded = {}
    for tenant in tenants:
        repository = _repository(tenant["facts"])
        if tenant["status"] == "offboarded" and "move" not in tenant and repository:
            offboarded.setdefault(repository, tenant)
    recorded = {str(bucket["bucket"]): bool(bucket.get("recorded")) for bucket in leaving_buckets}
    found = []
    for tenant in tenants:
        repository = _repository(tenant["facts"])
        old = offboarded.pop(repository, None) if tenant["status"] == "onboarded" and "move" not in tenant else None
        if old is None:
            continue
        facts = {
            fact: [old["facts"].get(fact), tenant["facts"].get(fact)]
            for fact in FACTS
            if old["facts"].get(fact) != tenant["facts"].get(fact)
        }
        found.append(
            {
                "from": old["name"],
                "to": tenant["name"],
                "repository": repository,
                "objects": _paired(old, tenant, recorded, stateful),
                "facts": facts,
            }
        )
    return found


def renamed_names(diff: dict[str, Any]) -> set[str]:
    """Both names of every rename in the diff (documents from before renames were recorded have none)."""
    return {name for rename in diff.get("renames") or [] for name in (rename["from"], rename["to"])}
