"""Colour for command output: only on a terminal, never when NO_COLOR is set (https://no-color.org)."""

from __future__ import annotations

import os
from typing import TextIO

_CODES = {"bold": "1", "red": "31", "green": "32", "yellow": "33", "cyan": "36", "dim": "2"}


def wants_colour(stream: TextIO) -> bool:
    # NO_COLOR counts when present and not empty; a pipe or a file gets plain text, so a CI log
    # or `> report.txt` never holds escape codes.
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Painter:
    """Wraps text in ANSI styles when the stream it writes to wants colour, and returns it unchanged otherwise."""

    def __init__(self, stream: TextIO):
        self.enabled = wants_colour(stream)

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles:
            return text
        codes = ";".join(_CODES[style] for style in styles)
        return f"\033[{codes}m{text}\033[0m"
