"""Which registration a tenants-directory entry holds, by its name alone: a tenant file is named after
its registration (the loader refuses any other name), so the plan can tell which registrations a change
touches (tenancy.plan.incremental) without reading a file."""

from __future__ import annotations

from pathlib import Path

from tenancy.loading.loader import TENANT_SUFFIX
from tenancy.model.retired import RETIRED_BUCKETS_FILE


def registration_named(entry: str) -> str | None:
    """The registration of the entry at `entry` (a path inside the tenants directory), or None for an
    entry that is no tenant file: the retired buckets' record, a hidden or nested file, anything else."""
    if "/" in entry or entry.startswith(".") or entry == RETIRED_BUCKETS_FILE or not entry.endswith(TENANT_SUFFIX):
        return None
    return entry[: -len(TENANT_SUFFIX)]


def registrations_in(directory: Path) -> set[str]:
    """The registrations of a tenants directory, by their files' names."""
    if not directory.is_dir():
        return set()
    entries = (registration_named(entry.name) for entry in directory.iterdir() if entry.is_file())
    return {name for name in entries if name}
