"""Text from tenant files as messages show it: control characters escaped, long values cut short.

A file name or a value can hold anything a pull request puts there: terminal escapes, a carriage
return that hides the rest of a line, Unicode direction overrides. Messages show them as escapes,
so what a reviewer reads on a terminal is what the file holds.
"""

from __future__ import annotations

from typing import Any

# How much of a value a message quotes; the rest is counted, not shown.
SHOWN_LENGTH = 64


def printable(text: str) -> str:
    """`text` with every character that is not printable (controls, format characters) as its escape."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def shown(value: Any, limit: int = SHOWN_LENGTH) -> str:
    """A value in a message: a string quoted, anything else as Python writes it; escaped, and cut at
    `limit` characters with the length said."""
    quote = "'" if isinstance(value, str) else ""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return f"{quote}{printable(text)}{quote}"
    # Cut before escaping: an escape is longer than the character, and the value may be long.
    return f"{quote}{printable(text[:limit])}…{quote} ({len(text)} characters)"
