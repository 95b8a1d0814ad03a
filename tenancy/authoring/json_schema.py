"""The JSON Schema of a tenant file (docs/tenant.schema.json), generated from the model, and the
`yaml-language-server` line through which editors find it is tenancy.project.schema_line's.

The schema is editor help, not the validation: the loader's checks (with file, line and a clear
message) decide. It carries the model's descriptions, defaults, patterns and lengths so that an
editor completes field names, explains each one on hover and flags most mistakes while typing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tenancy.model.registration import RepoRegistration
from tenancy.project.schema_line import SCHEMA_PATH

# Draft 7 is what the YAML language server (VS Code, Neovim, JetBrains' YAML plugin) fully
# supports; newer drafts are reported as "not yet fully supported". Nothing below needs more.
_DIALECT = "http://json-schema.org/draft-07/schema#"


def _draft7(node: Any) -> Any:
    """Pydantic's schema, made to read the same in a draft 7 validator.

    - Draft 7 ignores every keyword beside `$ref`, so a description next to one would be lost on
      hover: the reference moves into `allOf`.
    - Pydantic titles properties after the Python name ("Keyprefix"); editors show a title in
      place of the description, so property titles are dropped and the descriptions show.
    """
    if isinstance(node, list):
        return [_draft7(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _draft7(value) for key, value in node.items()}
    if "$ref" in result and len(result) > 1:
        result["allOf"] = [{"$ref": result.pop("$ref")}]
    if isinstance(result.get("properties"), dict):
        for prop in result["properties"].values():
            if isinstance(prop, dict):
                prop.pop("title", None)
    return result


def schema() -> dict[str, Any]:
    generated = _draft7(RepoRegistration.model_json_schema(by_alias=True))
    return {
        "$schema": _DIALECT,
        "title": "Tenant registration (RepoRegistration)",
        **{key: value for key, value in generated.items() if key != "title"},
    }


def render() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def write(project_dir: Path) -> Path:
    path = Path(project_dir) / SCHEMA_PATH
    path.write_text(render(), encoding="utf-8")
    return path


def is_current(project_dir: Path) -> bool:
    path = Path(project_dir) / SCHEMA_PATH
    return path.is_file() and path.read_text(encoding="utf-8") == render()
