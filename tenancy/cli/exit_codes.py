"""The exit codes of `python -m tenancy`: one list for every command, and the help text that explains it."""

from __future__ import annotations

from enum import IntEnum

from tenancy.plan.outcome import Outcome


class ExitCode(IntEnum):
    SUCCESS = Outcome.CLEAR
    INVALID = Outcome.INVALID
    # The same number as INVALID: a generated file out of date is a check that failed.
    OUT_OF_DATE = Outcome.INVALID
    USAGE = Outcome.USAGE
    OFFBOARDING = Outcome.BLOCKED
    BASE_UNAVAILABLE = Outcome.BASE_UNAVAILABLE


# What each code means, as --help prints it (one string per line).
MEANINGS: dict[ExitCode, tuple[str, ...]] = {
    ExitCode.SUCCESS: ("success",),
    ExitCode.INVALID: (
        "invalid tenant files or stack settings (validate, plan, new, import, shards), or a change plan",
        "--base refuses; new and import",
        "also when a file exists (never overwritten) or an entry could not be imported; schema and",
        "reference --check when the committed file is out of date",
    ),
    ExitCode.USAGE: ("wrong usage of the command line",),
    ExitCode.OFFBOARDING: (
        "plan --base: the change waits for an approval: it offboards a tenant or moves one to another",
        "shard's stack, takes a bucket out of management, deletes or replaces a namespace, Vault secret",
        "or IAM user, drops a protection, or narrows what a staying registration can reach or call",
        "(offboarding); changes the program, Pulumi.yaml or a",
        "setting that redirects a deploy (platform-change); or an existing registration's access",
        "(access-change); see --approved and docs/ci.md",
    ),
    ExitCode.BASE_UNAVAILABLE: (
        "plan --base: the base revision cannot be planned (unknown or unfetched ref, no git",
        "repository, its tenant files or settings are invalid, or its own program fails)",
    ),
}


def _help_text() -> str:
    lines = ["exit codes:"]
    for code in ExitCode:
        first, *rest = MEANINGS[code]
        lines.append(f"  {code.value}  {first}")
        lines += [f"     {line}" for line in rest]
    return "\n".join(lines) + "\n"


HELP_TEXT = _help_text()
