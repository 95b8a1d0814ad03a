"""A throwaway copy of the project's settings (Pulumi.yaml and the stack files) for command-line tests,
and the command line run in-process against it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from tenancy.cli.main import main
from tests.support.program import PROJECT_DIR


def make_project(root: Path, stacks: dict[str, dict[str, Any]] | None = None) -> Path:
    """`root` with Pulumi.yaml, docs/tenant.schema.json and stack files; `stacks` maps each stack to keep
    to config overrides (None drops a key). Default: every committed stack, unchanged."""
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", root / "Pulumi.yaml")
    (root / "docs").mkdir(exist_ok=True)
    shutil.copy(PROJECT_DIR / "docs" / "tenant.schema.json", root / "docs" / "tenant.schema.json")
    for path in PROJECT_DIR.glob("Pulumi.*.yaml"):
        stack = path.name[len("Pulumi.") : -len(".yaml")]
        if stacks is not None and stack not in stacks:
            continue
        document = yaml.safe_load(path.read_text())
        for key, value in (stacks or {}).get(stack, {}).items():
            if value is None:
                document["config"].pop(key, None)
            else:
                document["config"][key] = value
        (root / path.name).write_text(yaml.safe_dump(document, sort_keys=False))
    (root / "tenants").mkdir(exist_ok=True)
    return root


def add_shard_stack(root: Path, environment: str, shard: str, of: list[str], **config: Any) -> Path:
    """Pulumi.<environment>-<shard>.yaml: the committed stack of `environment`, made that shard of it,
    with its own webhook URL; `config` overrides `argo-tenants:` keys (None drops one)."""
    document = yaml.safe_load((PROJECT_DIR / f"Pulumi.{environment}.yaml").read_text())
    values = document["config"]
    values["argo-tenants:environment"] = environment
    values["argo-tenants:shard"] = {"name": shard, "of": of}
    values["argo-tenants:webhookBaseUrl"] = f"{values['argo-tenants:webhookBaseUrl']}/{shard}"
    for key, value in config.items():
        if value is None:
            values.pop(f"argo-tenants:{key}", None)
        else:
            values[f"argo-tenants:{key}"] = value
    path = root / f"Pulumi.{environment}-{shard}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def shard_of_line(path: Path) -> int:
    """The line of `of:` under argo-tenants:shard in a stack file add_shard_stack wrote."""
    # Bytes, not text: tests that count how often the program reads a file as text call this too.
    lines = path.read_bytes().decode().splitlines()
    start = lines.index("  argo-tenants:shard:")
    return next(number for number, line in enumerate(lines[start:], start + 1) if line.strip().startswith("of:"))


SCHEMA_LINE = "# yaml-language-server: $schema=../docs/tenant.schema.json"


def write_tenant_file(root: Path, document: dict[str, Any] | str, filename: str | None = None) -> Path:
    """`root`/tenants/<name>.yaml as `new` writes it: the schema line, then the document (a string as it is)."""
    path = root / "tenants" / (filename or f"{document['metadata']['name']}.yaml")
    path.write_text(document if isinstance(document, str) else f"{SCHEMA_LINE}\n{yaml.safe_dump(document, sort_keys=False)}")
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
