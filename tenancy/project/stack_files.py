"""Reads the project's Pulumi.yaml and Pulumi.<stack>.yaml as a `pulumi preview` would hand them to the program.

Pulumi-free, so that commands which only validate stay fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SECRET = "[secret]"


def stack_names(project_dir: Path) -> list[str]:
    """Stacks that have a settings file in the project, sorted."""
    return sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in Path(project_dir).glob("Pulumi.*.yaml"))


def stack_file(project_dir: Path, stack: str) -> Path:
    return Path(project_dir) / f"Pulumi.{stack}.yaml"


def read_project_file(project_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((Path(project_dir) / "Pulumi.yaml").read_text())


def project_name(project_dir: Path) -> str:
    return read_project_file(project_dir)["name"]


def program_directory(project_dir: Path) -> Path:
    """Where the project's program (`__main__.py`) is: Pulumi.yaml's `main`, relative to the project,
    or the project itself. A project may run another directory's program (examples/minio runs the
    repository's), while its settings and tenant files stay its own."""
    main = read_project_file(project_dir).get("main")
    return (Path(project_dir) / main).resolve() if main else Path(project_dir).resolve()


def stack_config(project_dir: Path, stack: str) -> dict[str, Any]:
    """The config a `pulumi preview` would hand the program: Pulumi.yaml defaults, then the stack file.

    Encrypted values cannot be read offline; they are passed on as "[secret]".
    """
    project = read_project_file(project_dir)
    path = stack_file(project_dir, stack)
    if not path.is_file():
        raise FileNotFoundError(f"{path.name} does not exist: no stack '{stack}' in {project_dir}")
    return merged_config(project, yaml.safe_load(path.read_text()))


def merged_config(project: dict[str, Any], stack_document: Any) -> dict[str, Any]:
    """Pulumi.yaml's declared defaults, overridden by the stack file's `config:` (already parsed)."""
    name = project["name"]
    config: dict[str, Any] = {}
    for key, declared in (project.get("config") or {}).items():
        full = key if ":" in key else f"{name}:{key}"
        if isinstance(declared, dict) and ("default" in declared or "value" in declared):
            config[full] = declared.get("value", declared.get("default"))
        elif not isinstance(declared, dict):
            config[full] = declared
    for key, value in ((stack_document or {}).get("config") or {}).items():
        config[key] = SECRET if isinstance(value, dict) and set(value) == {"secure"} else value
    return config
