"""Who a merge lets in: every change to an existing registration's access, and every rename, read from
the tenant files at the base and at head.

Access is what a registration grants: the repository whose pushes run in its namespace with its
buckets and keys (`repoUrl`), the GitHub App installation that mints its tokens (`installationId`),
who administers and reads its workflows (`adminUsers`, `readUsers`, `isPublic`), what its repository
defines in its namespace and whose pushes run there (`definitions`, `deployers`), and who owns the
file (`owners`, which .github/CODEOWNERS asks to review it). A change to any of these on a
registration that exists at the base needs its owners (as the base names them) or the platform to
approve; the pull request's author alone never can. A registration handed to another repository
counts whether or not its namespace name changes.

A rename is a registration that leaves under one name and arrives under another with the same
repository: shown as one, with what happens to its namespace and buckets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from tenancy.model import naming
from tenancy.model.formats import github_repo_url_parts
from tenancy.model.retired import RETIRED_BUCKETS_FILE

# yaml.safe_load's loader in libyaml's C code where PyYAML has it (the PyPI wheels do): the verdict reads
# every tenant file of both revisions here, and the pure-Python one took longer than planning them.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# spec fields, in the order a reviewer reads them: the repository first.
# definitions: what the repository may define and run in its namespace; deployers: whose pushes run.
ACCESS_FIELDS = ("repoUrl", "installationId", "adminUsers", "readUsers", "isPublic", "definitions", "deployers", "owners")


@dataclass(frozen=True)
class AccessChange:
    registration: str
    field: str
    before: Any
    after: Any
    # Who may approve it besides the platform: the registration's owners at the base.
    owners: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "registration": self.registration,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "owners": list(self.owners),
        }


@dataclass(frozen=True)
class Rename:
    before: str
    after: str
    repo_url: str
    namespace: str
    # As the tenant files write them (no environment's prefix or suffix).
    buckets_before: tuple[str, ...]
    buckets_after: tuple[str, ...]
    # The real buckets each stack's plan pairs across the rename (its diff's `renames`): stack -> (before, after).
    planned: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()

    def with_plans(self, diffs: dict[str, dict[str, Any]]) -> Rename:
        """The rename with each stack's real bucket names, from that stack's plan (the same entry its section shows)."""
        planned = []
        for stack, diff in sorted(diffs.items()):
            for entry in diff.get("renames") or []:
                if (entry["from"], entry["to"]) != (self.before, self.after):
                    continue
                buckets = [item for item in entry["objects"] if item["kind"] == "bucket"]
                planned.append(
                    (
                        stack,
                        tuple(item["before"]["name"] for item in buckets if "before" in item),
                        tuple(item["after"]["name"] for item in buckets if "after" in item),
                    )
                )
        return replace(self, planned=tuple(planned))

    def as_dict(self) -> dict[str, Any]:
        found = {
            "from": self.before,
            "to": self.after,
            "repoUrl": self.repo_url,
            "namespace": self.namespace,
            "bucketsBefore": list(self.buckets_before),
            "bucketsAfter": list(self.buckets_after),
        }
        if self.planned:
            found["stacks"] = {
                stack: {"bucketsBefore": list(before), "bucketsAfter": list(after)} for stack, before, after in self.planned
            }
        return found

    def words(self) -> str:
        """One paragraph: the namespace, then the buckets by their real names in each stack planned (the tenant
        files' names, marked as such, when no stack was)."""
        sides = [(f" ({stack})", before, after) for stack, before, after in self.planned] or [
            (" (as the tenant files name it; each environment adds its affix)", self.buckets_before, self.buckets_after)
        ]
        kept, gone, new = [], [], []
        for label, before, after in sides:
            kept += [f"{name}{label}" for name in sorted(set(before) & set(after))]
            gone += [f"{name}{label}" for name in sorted(set(before) - set(after))]
            new += [f"{name}{label}" for name in sorted(set(after) - set(before))]
        parts = [
            f"renamed {self.before} → {self.after} (same repository {self.repo_url}): namespace {self.namespace} keeps "
            f"its name but is {self.before}'s in the state; `pulumi up` alone would create it again for {self.after} "
            "(failing on the name that exists) and delete it with everything in it: keep the old name, or move its state first"
        ]
        if kept:
            parts.append(
                f"bucket{'s' if len(kept) > 1 else ''} {', '.join(kept)} leave{'' if len(kept) > 1 else 's'} "
                f"{self.before}'s state and {'are' if len(kept) > 1 else 'is'} claimed again by {self.after}: "
                f"record in tenants/_retired-buckets.yaml with `returnTo: {self.after}`, then `pulumi import` (docs/operations.md)"
            )
        if gone:
            parts.append(f"bucket{'s' if len(gone) > 1 else ''} {', '.join(gone)} leave{'' if len(gone) > 1 else 's'} management, kept in S3")
        if new:
            parts.append(f"new bucket{'s' if len(new) > 1 else ''} {', '.join(new)}")
        return "; ".join(parts)


def read_registrations(directories: list[Path]) -> dict[str, dict[str, Any]]:
    """metadata.name -> spec, of every tenant file that parses (validation reports the others)."""
    found: dict[str, dict[str, Any]] = {}
    for directory in directories:
        if not directory.is_dir() or directory.is_symlink():
            continue
        for path in sorted(directory.glob("*.yaml")):
            if path.name == RETIRED_BUCKETS_FILE or path.is_symlink() or not path.is_file():
                continue
            try:
                document = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_SAFE_LOADER)
            except (yaml.YAMLError, UnicodeDecodeError):
                continue
            if not isinstance(document, dict) or not isinstance(document.get("spec"), dict):
                continue
            name = (document.get("metadata") or {}).get("name") if isinstance(document.get("metadata"), dict) else None
            found[str(name or path.stem)] = document["spec"]
    return found


def _canonical(url: Any) -> str:
    parsed = github_repo_url_parts(url) if isinstance(url, str) else None
    return f"{parsed[0]}/{parsed[1]}".lower() if parsed else str(url)


def _value(spec: dict[str, Any], field: str) -> Any:
    value = spec.get(field)
    if field in ("adminUsers", "readUsers", "owners"):
        return sorted(str(item) for item in value) if isinstance(value, list) else []
    if field == "isPublic":
        return bool(value)
    if field == "repoUrl":
        return _canonical(value)
    return value


def owners_of(spec: dict[str, Any]) -> tuple[str, ...]:
    owners = spec.get("owners")
    return tuple(str(owner) for owner in owners) if isinstance(owners, list) else ()


def _buckets(spec: dict[str, Any]) -> tuple[str, ...]:
    names = []
    for field in ("artifactBucket", "dataBucket"):
        bucket = spec.get(field)
        if isinstance(bucket, dict) and isinstance(bucket.get("bucket"), str):
            names.append(bucket["bucket"])
    return tuple(names)


def _namespace(url: str) -> str:
    owner, _, repo = url.partition("/")
    return naming.tenant_namespace(owner, repo) if repo else "(unknown)"


def renames(base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]]) -> list[Rename]:
    """Registrations that leave under one name and arrive under another with the same repository."""
    gone = {_canonical(spec.get("repoUrl")): name for name, spec in base.items() if name not in head}
    found = []
    for name, spec in sorted(head.items()):
        if name in base:
            continue
        url = _canonical(spec.get("repoUrl"))
        old = gone.get(url)
        if old is not None:
            found.append(Rename(old, name, url, _namespace(url), _buckets(base[old]), _buckets(spec)))
    return found


def access_changes(base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]]) -> list[AccessChange]:
    """Every access field that differs on a registration kept (by name, or across a rename)."""
    pairs = [(name, name) for name in sorted(set(base) & set(head))]
    pairs += [(rename.before, rename.after) for rename in renames(base, head)]
    changes = []
    for old, new in pairs:
        label = old if old == new else f"{old} → {new}"
        for field in ACCESS_FIELDS:
            before, after = _value(base[old], field), _value(head[new], field)
            if before != after:
                changes.append(AccessChange(label, field, before, after, owners_of(base[old])))
    return changes
