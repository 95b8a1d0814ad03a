"""What every plan says before its tenants: how the stack reaches GitHub (and what that means for private
repositories and commit status), whether its App ids are still placeholders, and what the tenant files
write that the program ignores.

All of it comes from the program's exports (`github`, `warnings` in __main__.py), so a revision whose
program exports neither shows nothing here rather than a guess.
"""

from __future__ import annotations

import html
from typing import Any

from tenancy.plan.render_values import clean

INSTALLATION_DOC = "docs/installation.md"
# A pull-request comment lists this many warnings; `validate` lists them all.
MARKDOWN_WARNINGS = 20


def github_mode(document: dict[str, Any]) -> dict[str, Any] | None:
    """`{"mode": "app", "appId": ..., "placeholder": ...}` or `{"mode": "token"}`; None when not exported."""
    exported = document.get("github", (document.get("outputs") or {}).get("github"))
    return exported if isinstance(exported, dict) and exported.get("mode") in ("app", "token") else None


def warnings(document: dict[str, Any]) -> list[str]:
    """The warnings, control characters escaped: they quote what a tenant file wrote."""
    exported = document.get("warnings", (document.get("outputs") or {}).get("warnings"))
    return [clean(str(item)) for item in exported] if isinstance(exported, list) else []


def github_line(mode: dict[str, Any]) -> str:
    """One sentence: the mode and what it means for a run."""
    if mode["mode"] == "app":
        return (
            f"GitHub: the App (id {mode.get('appId')}): webhooks managed as each owner's installation; runs fetch "
            "private repositories with a token minted for that repository, and report their outcome as a commit status."
        )
    return (
        "GitHub: the personal-token fallback (no githubApp): runs fetch public repositories only, and report "
        f"no commit status; set argo-tenants:githubApp for private repositories ({INSTALLATION_DOC})."
    )


def placeholder_line(mode: dict[str, Any]) -> str | None:
    if mode.get("mode") != "app" or not mode.get("placeholder"):
        return None
    return (
        "placeholder: replace before `pulumi up`: argo-tenants:githubApp holds example ids (placeholder: true); "
        f"`pulumi preview` and `pulumi up` refuse to run until they are the App's ({INSTALLATION_DOC}, step 7)."
    )


def text_lines(document: dict[str, Any]) -> list[str]:
    """The preamble at a terminal; nothing when the program exported none of it."""
    lines: list[str] = []
    mode = github_mode(document)
    if mode is not None:
        placeholder = placeholder_line(mode)
        lines += [placeholder] if placeholder else []
        lines.append(github_line(mode))
    found = warnings(document)
    if found:
        lines.append(f"{len(found)} warning{'s' if len(found) != 1 else ''} (read, not used; nothing fails):")
        lines += [f"  warning: {item}" for item in found]
    return lines


def markdown_blocks(document: dict[str, Any], code) -> list[str]:
    """The preamble in Markdown, one paragraph a block; `code` renders a value as inline code
    (tenancy.plan.markdown.code)."""
    blocks: list[str] = []
    mode = github_mode(document)
    if mode is not None:
        placeholder = placeholder_line(mode)
        if placeholder:
            blocks.append(f"> [!WARNING]\n> **{html.escape(placeholder, quote=False)}**")
        blocks.append(html.escape(github_line(mode), quote=False))
    found = warnings(document)
    if found:
        items = [f"- {code(item)}" for item in found[:MARKDOWN_WARNINGS]]
        if len(found) > MARKDOWN_WARNINGS:
            items.append(f"- … and {len(found) - MARKDOWN_WARNINGS} more (`python -m tenancy validate` lists them)")
        heading = f"**{len(found)} warning{'s' if len(found) != 1 else ''}** (read, not used; nothing fails):"
        blocks.append("\n".join([heading, *items]))
    return blocks
