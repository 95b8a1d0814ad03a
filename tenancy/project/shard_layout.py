"""How the project's stacks divide its environments: each environment is deployed by one unsharded stack,
or by one stack per shard (docs/sharding.md). Checked over every Pulumi.<stack>.yaml at once, because
no stack can see the others: a shard without a stack would silently never deploy its registrations.

Pulumi-free, like `validate`, which runs these rules, and `shards`, which lists the stacks for CI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from tenancy.model.problems import Loc, Problem
from tenancy.model.registration import RepoRegistration
from tenancy.model.settings import StackSettings, config_key
from tenancy.project.stacks import stack_file_name

# What Pulumi accepts as a stack name; CI hands these to jobs, so nothing else may pass.
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+", re.ASCII)


@dataclass(frozen=True)
class StackEntry:
    """One stack, as far as the division of environments goes."""

    stack: str
    environment: str
    shard: str | None
    of: tuple[str, ...] | None
    webhook_base_url: str

    @classmethod
    def of_settings(cls, stack: str, settings: StackSettings) -> StackEntry:
        return cls(
            stack=stack,
            environment=settings.environment,
            shard=settings.shard_name,
            of=settings.shard.of if settings.shard else None,
            webhook_base_url=settings.webhook_base_url,
        )

    def as_dict(self) -> dict:
        return {
            "stack": self.stack,
            "environment": self.environment,
            "shard": self.shard,
            "of": list(self.of) if self.of is not None else None,
        }


@dataclass(frozen=True)
class Place:
    """The stack that deploys a registration, and its shard (None: the environment's only stack)."""

    stack: str
    shard: str | None

    def as_dict(self) -> dict:
        return {"stack": self.stack, "shard": self.shard}


def entries(settings: Mapping[str, StackSettings]) -> list[StackEntry]:
    return [StackEntry.of_settings(stack, settings[stack]) for stack in sorted(settings)]


def _blame(entry: StackEntry, loc: Loc, message: str, hint: str | None = None) -> Problem:
    """A problem of `entry`'s stack file; `loc` is the setting's key path under `config:`."""
    return Problem(loc, message, hint=hint, file=stack_file_name(entry.stack))


def _key(field: str, *nested: str) -> Loc:
    return (config_key(field), *nested)


def _listed(values: Iterable[str]) -> str:
    return ", ".join(values)


def problems(stacks: Iterable[StackEntry]) -> list[Problem]:
    """Every way the stacks fail to give each registration of an environment exactly one stack.

    A problem is blamed on the later stack's file (in name order) and names the earlier one it meets.
    """
    stacks = sorted(stacks, key=lambda entry: entry.stack)
    found = [
        _blame(entry, (), f"'{entry.stack}' is not a Pulumi stack name: use letters, digits, '-', '_' and '.'")
        for entry in stacks
        if not _STACK_NAME.fullmatch(entry.stack)
    ]
    for environment in sorted({entry.environment for entry in stacks}):
        group = [entry for entry in stacks if entry.environment == environment]
        found += _division_problems(environment, group)
        found += _webhook_problems(environment, group)
    return found


def _division_problems(environment: str, group: list[StackEntry]) -> list[Problem]:
    found: list[Problem] = []
    unsharded = [entry for entry in group if entry.shard is None]
    sharded = [entry for entry in group if entry.shard is not None]
    if sharded:
        names = _listed(entry.stack for entry in sharded)
        found += [
            _blame(
                entry,
                _key("shard"),
                f"is not set, but stacks {names} split environment {environment} into shards; an environment "
                "is deployed by one stack or by shard stacks only, or registrations would be deployed twice",
            )
            for entry in unsharded
        ]
    else:
        found += [
            _blame(
                entry,
                _key("environment"),
                f"'{environment}' is also deployed by Pulumi.{unsharded[0].stack}.yaml; two unsharded stacks of one "
                "environment would both deploy every registration of it (split it into shards with the setting shard)",
            )
            for entry in unsharded[1:]
        ]
        return found
    first = sharded[0]
    for entry in sharded[1:]:
        if set(entry.of) != set(first.of):
            found.append(
                _blame(
                    entry,
                    _key("shard", "of"),
                    f"[{_listed(entry.of)}] differs from [{_listed(first.of)}] in Pulumi.{first.stack}.yaml",
                    hint=f"every shard stack of environment {environment} lists the same shards",
                )
            )
    owner: dict[str, StackEntry] = {}
    for entry in sharded:
        if entry.shard in owner:
            found.append(
                _blame(
                    entry,
                    _key("shard", "name"),
                    f"'{entry.shard}' is also the shard of Pulumi.{owner[entry.shard].stack}.yaml",
                    hint=f"each shard of environment {environment} has one stack",
                )
            )
        owner.setdefault(entry.shard, entry)
    reported: set[str] = set()
    for entry in sharded:
        for shard in entry.of:
            # Once, on the first stack that lists it.
            if shard in owner or shard in reported:
                continue
            reported.add(shard)
            found.append(
                _blame(
                    entry,
                    _key("shard", "of"),
                    f"lists shard '{shard}', which has no stack, so its registrations would never be deployed",
                    hint=f"add Pulumi.{environment}-{shard}.yaml (with environment: {environment} and shard: {{name: {shard}, "
                    f"of: [{_listed(entry.of)}]}}) or remove '{shard}' from every shard stack of {environment}",
                )
            )
    return found


def _webhook_problems(environment: str, group: list[StackEntry]) -> list[Problem]:
    """Each stack has its own EventSource, and the ingress routes one URL to one of them."""
    found: list[Problem] = []
    first: dict[str, StackEntry] = {}
    for entry in group:
        if entry.webhook_base_url in first:
            found.append(
                _blame(
                    entry,
                    _key("webhook_base_url"),
                    f"is also the webhookBaseUrl of Pulumi.{first[entry.webhook_base_url].stack}.yaml",
                    hint=f"each stack of environment {environment} needs its own, routed by the ingress to its own EventSource",
                )
            )
        first.setdefault(entry.webhook_base_url, entry)
    return found


def placement(stacks: Iterable[StackEntry], environment: str, registration: RepoRegistration) -> Place | None:
    """The stack that deploys `registration` in `environment`, or None when none does."""
    spec = registration.spec
    if not spec.wants(environment):
        return None
    group = [entry for entry in stacks if entry.environment == environment]
    for entry in group:
        if entry.shard is not None and entry.shard == spec.shard:
            return Place(entry.stack, entry.shard)
    unsharded = [entry for entry in group if entry.shard is None]
    return Place(unsharded[0].stack, None) if unsharded else None
