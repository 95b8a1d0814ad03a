"""Every stack of the project, read once: its config, its settings or why they are invalid, and its tenants directory.

Commands that look at stacks (validate, new, import, shards) read them here once and hand the
result down, instead of each reading Pulumi.<stack>.yaml again. Pulumi-free, so that they stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from tenancy.loading.loader import display_path
from tenancy.loading.yaml_source import YamlDocument, YamlSourceError, parse_yaml
from tenancy.model.problems import Problem, SettingsError
from tenancy.model.settings import CONFIG_NAMESPACE, StackSettings, settings_from_config
from tenancy.project.stack_files import merged_config, read_project_file, stack_file, stack_names

TENANTS_DIR_KEY = f"{CONFIG_NAMESPACE}:tenantsDir"
DEFAULT_TENANTS_DIR = StackSettings.model_fields["tenants_dir"].default


class ProjectError(Exception):
    """The command cannot run here at all (no Pulumi project, unknown stack): a usage error, not a tenant problem."""


@dataclass(frozen=True)
class Stack:
    """One Pulumi.<name>.yaml: the config `pulumi preview` would hand the program, and what it makes of it."""

    name: str
    path: Path
    config: dict[str, Any]
    # Exactly one of the two: the settings, or the problem (its field the setting's key) that stops them.
    settings: StackSettings | None
    problem: Problem | None
    # The stack's tenantsDir, resolved; read from the config even where other settings are invalid.
    tenants_dir: Path
    # The file's lines, where the strict YAML reader could give them.
    document: YamlDocument | None = field(default=None, repr=False)

    def locate(self, problem: Problem) -> Problem:
        """A problem of a setting (`loc` is its key path under `config:`) as a problem of this file, at its line."""
        loc = ("config", *problem.loc) if problem.loc else ()
        return problem.at(display_path(self.path), self.document.line_for(loc) if self.document else None)


@dataclass(frozen=True)
class Stacks:
    """The project's stacks by name, and the one a command was limited to (`--stack`; None: all of them)."""

    project_dir: Path
    by_name: dict[str, Stack]
    only: str | None = None

    def __getitem__(self, name: str) -> Stack:
        return self.by_name[name]

    @property
    def checked(self) -> tuple[str, ...]:
        """The stacks a command looks at, in name order."""
        return (self.only,) if self.only is not None else tuple(self.by_name)

    @property
    def settings(self) -> dict[str, StackSettings]:
        """The settings of every checked stack whose settings are valid."""
        return {name: self[name].settings for name in self.checked if self[name].settings is not None}

    @property
    def default_tenants_dir(self) -> Path:
        """Where `new` and `import` write: the first valid stack's tenants directory (`tenants/` when none is valid)."""
        for stack in self.by_name.values():
            if stack.settings is not None:
                return stack.tenants_dir
        return self.project_dir / DEFAULT_TENANTS_DIR


def read_stacks(settings_dir: str | Path, tenants_base: str | Path | None = None) -> Stacks:
    """Every stack with a Pulumi.<stack>.yaml in `settings_dir`.

    A relative tenantsDir is resolved against `tenants_base` (default: `settings_dir`), so the stack
    files of another revision can be read while tenant directories stay in the working tree.
    """
    settings_dir = Path(settings_dir)
    tenants_base = Path(tenants_base) if tenants_base is not None else settings_dir
    names = stack_names(settings_dir)
    project = read_project_file(settings_dir) if names else {}
    return Stacks(settings_dir, {name: _read_stack(settings_dir, name, project, tenants_base) for name in names})


def project_stacks(project_dir: str | Path, stack: str | None = None) -> Stacks:
    """The project's stacks, checking `stack` only when given; ProjectError when the command cannot run here."""
    project_dir = Path(project_dir)
    if not (project_dir / "Pulumi.yaml").is_file():
        raise ProjectError(
            f"no Pulumi.yaml in {display_path(project_dir)}: run this from the repository root or pass --project-dir"
        )
    stacks = read_stacks(project_dir)
    known = list(stacks.by_name)
    if stack is not None:
        if stack not in stacks.by_name:
            raise ProjectError(f"no stack '{stack}' (Pulumi.{stack}.yaml); known stacks: {', '.join(known) or 'none'}")
        return replace(stacks, only=stack)
    if not known:
        raise ProjectError(f"no stack settings (Pulumi.<stack>.yaml) in {display_path(project_dir)}")
    return stacks


def _read_stack(settings_dir: Path, name: str, project: dict[str, Any], tenants_base: Path) -> Stack:
    path = stack_file(settings_dir, name)
    data, document = _read_stack_file(path)
    config = merged_config(project, data)
    try:
        settings, problem = settings_from_config(config, name), None
    except SettingsError as err:
        settings, problem = None, err.problem
    tenants_dir = settings.tenants_dir if settings else str(config.get(TENANTS_DIR_KEY, DEFAULT_TENANTS_DIR))
    return Stack(name, path, config, settings, problem, tenants_base / tenants_dir, document)


def _read_stack_file(path: Path) -> tuple[Any, YamlDocument | None]:
    """The stack file's data as Pulumi's config reader takes it, and its lines where the strict reader gives them."""
    text = path.read_text()
    try:
        document = parse_yaml(text)
    except YamlSourceError:
        # Anchors, tags or an empty file: fine for Pulumi, only without lines here.
        return yaml.safe_load(text), None
    if document.problems:
        # A repeated key: the plain reader keeps the last value, where the strict one keeps the first.
        return yaml.safe_load(text), document
    return document.data, document
