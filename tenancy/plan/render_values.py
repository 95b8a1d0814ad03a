"""Values from plans, made short and safe to print: one line, no control characters, bounded length.

Tenant files come from pull requests, so anything they carry is shown as data: escape sequences
could rewrite a terminal, and a newline could break a table.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

def clean(text: str) -> str:
    """Control characters (ANSI escapes, carriage returns, newlines) as visible escapes."""
    return "".join(char if char.isprintable() else json.dumps(char)[1:-1] for char in text)


def short(value: Any, limit: int = 80) -> str:
    """One line of at most `limit` characters: strings as they are, everything else as compact JSON."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)
    # Cut before cleaning: a policy can be megabytes, and an escape is at most six characters.
    text = clean(text[: limit * 6])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_multiline(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value.strip("\n")


def line_changes(before: Any, after: Any, limit: int = 12) -> list[str]:
    """For multi-line text (a Vault policy, a ConfigMap document): the lines only one side has.

    Lines both sides have (a policy's repeated `}`) are left out, so removing one block of a
    policy reads as its one distinctive line. When only repetitions differ, a line diff is shown.
    """
    old = before.splitlines() if isinstance(before, str) else []
    new = after.splitlines() if isinstance(after, str) else []
    old_set, new_set = set(old), set(new)
    lines = [f"- {line}" for line in old if line not in new_set and line.strip()]
    lines += [f"+ {line}" for line in new if line not in old_set and line.strip()]
    if not lines:
        lines = [line for line in difflib.ndiff(old, new) if line[:1] in "+-" and line[2:].strip()]
    lines = [f"{line[0]} {short(line[2:], 100)}" for line in lines]
    if len(lines) > limit:
        lines = lines[:limit] + [f"… {len(lines) - limit} more changed lines"]
    return lines


def log_safe(text: str) -> str:
    """`text` for a CI log: a line GitHub's runner would read as a workflow command (`::error::`,
    `::add-mask::`, ... at its start, leading blanks ignored) is shown behind `| ` instead, whatever
    a stack or tenant file named; control characters are shown as escapes."""
    lines = []
    for line in text.split("\n"):
        line = clean(line)
        lines.append(f"| {line}" if line.lstrip().startswith("::") else line)
    return "\n".join(lines)
