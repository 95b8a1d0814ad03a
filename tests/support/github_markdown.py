"""A PR comment as GitHub shows it: cmark-gfm (GitHub's own Markdown library, PyPI cmarkgfm) turns it
into HTML, with raw HTML kept as GitHub keeps `<details>` and `<summary>`; helpers read its structure."""

from __future__ import annotations

import html
import re

import cmarkgfm
from cmarkgfm.cmark import Options


def to_html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def row_widths(page: str) -> list[tuple[int, str]]:
    """(characters, text) of every table row as it lays out: its cells side by side, each as wide as its longest line."""
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        width = sum(max(len(text_of(line)) for line in re.split(r"<br\s*/?>", cell)) for cell in cells) + 3 * len(cells)
        found.append((width, text_of(row).strip()))
    return found


def empty_header_rows(page: str) -> int:
    return sum(1 for head in re.findall(r"<thead>(.*?)</thead>", page, re.S) if not text_of(head).strip())


def first_blocks(page: str, count: int) -> list[str]:
    """The first `count` top-level elements, by tag name."""
    return re.findall(r"^<(\w+)", page, re.M)[:count]
