"""The first line of every tenant file of the project, `# yaml-language-server: $schema=<path>`: how
editors find the tenant file's JSON Schema (docs/tenant.schema.json), and what `make test` requires.

The program does not need it (a pasted manifest loads as it is); `validate` asks for it in the
stacks' tenants directories and `validate --fix` writes it, so that CI's check and the tests agree.
"""

from __future__ import annotations

import os
from pathlib import Path

SCHEMA_PATH = Path("docs") / "tenant.schema.json"
PREFIX = "# yaml-language-server: $schema="


def schema_file(project_dir: Path) -> Path:
    """The project's schema, or the repository's for a project inside it without one of its own
    (examples/minio runs the repository's program: its tenant files point at the repository's docs)."""
    own = Path(project_dir).resolve() / SCHEMA_PATH
    if own.is_file():
        return own
    found = (directory / SCHEMA_PATH for directory in Path(project_dir).resolve().parents)
    return next((path for path in found if path.is_file()), own)


def modeline(tenant_dir: Path, project_dir: Path) -> str:
    """The first line of a tenant file in `tenant_dir`: the schema's path relative to that directory,
    which is how the YAML language server resolves it (relative to the open file)."""
    relative = os.path.relpath(schema_file(project_dir), Path(tenant_dir).resolve())
    return f"{PREFIX}{Path(relative).as_posix()}"


def with_modeline(text: str, line: str) -> str:
    """`text` with `line` first: replacing a schema line that points elsewhere, or added above the rest."""
    body = text.lstrip("\ufeff")
    first, newline, rest = body.partition("\n")
    if first.startswith(PREFIX):
        body = rest if newline else ""
    return f"{line}\n{body}"
