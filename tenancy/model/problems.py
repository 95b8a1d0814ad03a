"""Validation problems: what is wrong, in which file, at which line and field, collected and raised once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from tenancy.model.text import SHOWN_LENGTH, printable

Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    """`("spec", "adminUsers", 1)` -> `spec.adminUsers[1]`: the path a user sees in their YAML."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            # A key is whatever the file wrote (an unknown field may be long or hold escapes).
            part = printable(part if len(part) <= SHOWN_LENGTH else f"{part[:SHOWN_LENGTH]}…")
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a tenant file or a stack file: the field, what is wrong, the fix, and where.

    A check that knows the field but not the file states `loc` and `message` only; whoever holds the
    file's parsed document fills in `file` and `line` with `at`.
    """

    loc: Loc
    message: str
    hint: str | None = None
    file: str = ""
    line: int | None = None

    def __post_init__(self):
        # Whatever a file name or message quotes reaches a terminal escaped (tenancy.model.text).
        object.__setattr__(self, "message", printable(self.message))
        if self.hint is not None:
            object.__setattr__(self, "hint", printable(self.hint))
        object.__setattr__(self, "file", printable(self.file))

    @property
    def field(self) -> str:
        return format_loc(self.loc)

    @property
    def text(self) -> str:
        """The message with its fix, as users read it."""
        return self.message if self.hint is None else f"{self.message}; {self.hint}"

    @property
    def sort_key(self) -> tuple:
        return (self.file, self.line or 0, self.field, self.text)

    def at(self, file: str, line: int | None) -> Problem:
        return replace(self, file=file, line=line)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line is not None else self.file
        return ": ".join(part for part in (where, self.field, self.text) if part)

    def as_dict(self) -> dict:
        """The problem in `validate --format json` (version 1: the message includes the fix)."""
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.text}


class TenantValidationError(Exception):
    """Every problem of every tenant file, raised once so that one run reports them all."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=lambda problem: problem.sort_key)
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        # No verdict on what happened: the same report ends `pulumi up`, `pulumi preview` and the
        # offline `plan`, and each says for itself what it did not do.
        header = f"{count} problem{'s' if count != 1 else ''} in tenant registrations:"
        return "\n".join([header, *(f"  {p}" for p in self.problems)])


class SettingsError(Exception):
    """A stack setting is missing or malformed; the problem's field is the setting's key."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))
