"""A tenants directory as the plan needs it without loading the program: how many tenant files it
holds, and which stack (and shard) of an environment deploys each registration in it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from tenancy.loading.loader import TENANT_SUFFIX, read_directory, valid_tenants
from tenancy.model.problems import TenantValidationError
from tenancy.project import shard_layout
from tenancy.project.stacks import read_stacks


def tenant_file_count(directory: Path) -> int:
    return sum(1 for _ in directory.glob(f"*{TENANT_SUFFIX}")) if directory.is_dir() else 0


def places(
    settings_dir: Path, tenants_dir: Path, stack: str, environment: str, only: frozenset[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Registration -> the stack (and shard) that deploys it in `environment`, with the stack files of
    `settings_dir` and the tenant files of `tenants_dir`; of the registrations `only` when given
    (their files alone are checked: the plan of this revision has read and checked them all).

    Best effort: when the settings or tenant files do not load, no registration is known to be
    elsewhere, and a move shows as a plain offboarding or onboarding (which blocks just the same).
    """
    settings = read_stacks(settings_dir).settings
    # This stack's settings, or (for a stack new at head) those of another stack of the environment.
    reading = settings.get(stack) or next((s for s in settings.values() if s.environment == environment), None)
    if reading is None:
        return {}
    try:
        directory = read_directory(tenants_dir)
        if only is not None:
            directory = replace(directory, files={key: file for key, file in directory.files.items() if file.path.stem in only})
        tenants = valid_tenants(directory, reading)
    except TenantValidationError:
        return {}
    stacks = shard_layout.entries(settings)
    found = {tenant.name: shard_layout.placement(stacks, environment, tenant.registration) for tenant in tenants}
    return {name: place.as_dict() for name, place in found.items() if place is not None}
