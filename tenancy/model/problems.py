"""Validation problems: what is wrong, in which file, at which line and field, collected and raised once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    """`("spec", "adminUsers", 1)` -> `spec.adminUsers[1]`: the path a user sees in their YAML."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a tenant file (or a stack setting), with where to look."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class FieldProblem:
    """A problem found by a check that knows the field but not yet the file and line."""

    loc: Loc
    message: str


class TenantValidationError(Exception):
    """Every problem of every tenant file, raised once so that one run reports them all."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.field, p.message))
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        header = f"{count} problem{'s' if count != 1 else ''} in tenant registrations; nothing was deployed:"
        return "\n".join([header, *(f"  {p}" for p in self.problems)])


class SettingsError(Exception):
    """A stack setting is missing or malformed; the message names the key."""
