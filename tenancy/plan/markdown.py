"""GitHub-flavoured Markdown pieces for PR comments, and fitting whole sections under a size limit.

A comment longer than GitHub's limit (65,536 characters) is refused, and a comment cut at an
arbitrary character can end inside a table or a `<details>` block. `fit` keeps whole sections only
and says how many it left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from tenancy.plan.render_values import clean

# GitHub refuses comment bodies over 65,536 characters; measured in UTF-8 bytes here, which is
# never less than the character count, so the bound holds however GitHub counts.
GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_BUDGET = 60_000


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def code(text: str) -> str:
    """An inline code span for any text: mentions, HTML and emphasis in it stay inert."""
    text = clean(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or not text else text
    return f"{fence}{padded}{fence}"


def code_block(text: str, language: str = "text") -> str:
    """A fenced block that no line of `text` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{clean_block(text)}\n{fence}"


def clean_block(text: str) -> str:
    return "\n".join(clean(line) for line in text.splitlines())


def cell(text: str) -> str:
    """Table cell content: GFM splits cells on `|` even inside code spans unless it is escaped."""
    return text.replace("|", "\\|")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def details(summary: str, body: str) -> str:
    # Blank lines around the body: GitHub renders Markdown inside <details> only after one.
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


@dataclass(frozen=True)
class Section:
    key: str
    text: str


def fit(
    head: str,
    sections: Sequence[Section],
    tail: Callable[[list[Section]], str],
    budget: int = DEFAULT_BUDGET,
    fallback: str = "",
) -> str:
    """`head`, then sections in order while they fit, then `tail(left_out)`; never over `budget`.

    Sections are whole or absent. `tail` must stay short (a few hundred bytes): it says what was
    left out and where to see everything. When even `head` does not fit, `fallback` (a line or
    two pointing elsewhere) stands for the whole report.
    """
    reserve = size(tail(list(sections))) + 2
    if size(head) + reserve + 1 > budget:
        return fallback + "\n" if size(fallback) < budget else ""
    parts = [head]
    used = size(head)
    included = 0
    for section in sections:
        needed = size(section.text) + 2
        if used + needed + reserve > budget:
            break
        parts.append(section.text)
        used += needed
        included += 1
    closing = tail(list(sections[included:]))
    if closing:
        parts.append(closing)
    return "\n\n".join(parts) + "\n"
