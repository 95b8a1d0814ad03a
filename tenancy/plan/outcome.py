"""How planning a stack ended, as the plan package reports it; `python -m tenancy` exits with the same numbers
(tenancy.cli.exit_codes takes its codes from here, so the two cannot drift apart)."""

from __future__ import annotations

from enum import IntEnum


class Outcome(IntEnum):
    CLEAR = 0
    # The change itself is invalid: a tenant file, a stack setting, or a path the program never reads.
    INVALID = 1
    USAGE = 2
    # Something a maintainer must approve first (offboarding, a program or platform change, an access change).
    BLOCKED = 3
    # The base revision cannot be planned, so there is nothing to compare with.
    BASE_UNAVAILABLE = 4


# Which outcome a run over several stacks ends with: a problem the pull request must fix first,
# then a base that cannot be compared, then what an approval can accept.
SEVERITY = (Outcome.USAGE, Outcome.INVALID, Outcome.BASE_UNAVAILABLE, Outcome.BLOCKED, Outcome.CLEAR)


def worst(codes: list[int]) -> Outcome:
    return next((code for code in SEVERITY if code in codes), Outcome.CLEAR)
