"""The project's Pulumi.yaml and Pulumi.<stack>.yaml, read here only: each stack's config as `pulumi preview`
would hand it to the program, its settings or why they are invalid (at the file's line), and its tenants directory.

Commands that look at stacks (validate, new, import, shards, plan) and the benchmark read them here
once and hand the result down; a test (tests/test_layers.py) keeps every other module from opening
them. Pulumi-free, so that commands which only validate stay fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from tenancy.loading.yaml_source import YamlDocument, YamlSourceError, display_path, parse_yaml
from tenancy.model.problems import Problem, SettingsError
from tenancy.model.settings import OFFLINE_PLAN_ENV, StackSettings, config_key, settings_from_config

PROJECT_FILE = "Pulumi.yaml"
# What an encrypted value reads as: it cannot be decrypted offline.
SECRET = "[secret]"
TENANTS_DIR_KEY = config_key("tenants_dir")
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
    # What no approval lets through in the file itself (a repeated key), at its line: validate,
    # the deploy gate and the verdict refuse it alike (tenancy.project.validation reports it).
    file_problems: tuple[Problem, ...] = ()

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
    # Pulumi.yaml's own problems (a repeated key): every stack reads it.
    project_problems: tuple[Problem, ...] = ()

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


# Pulumi's own bound on a stack name is 100 characters of letters, digits, `-`, `_` and `.`
# (pulumi/pulumi sdk/go/common/tokens: `stackNameRE`); the first one alphanumeric here, so that no
# name starts like an option or a workflow command (`::`).
STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", re.ASCII)


def stack_name_problem(name: str) -> str | None:
    if STACK_NAME.fullmatch(name):
        return None
    return (
        "the stack name must be 1 to 100 ASCII letters, digits, '-', '_' or '.', starting with a letter or "
        "digit (Pulumi's own set, so that it can be printed and passed on safely)"
    )


def stack_file_name(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"


def stack_file(project_dir: Path, stack: str) -> Path:
    return Path(project_dir) / stack_file_name(stack)


def stack_name_of(file_name: str) -> str | None:
    """The stack a file holds the settings of (`Pulumi.dev.yaml`: dev), or None for any other file."""
    if file_name.startswith("Pulumi.") and file_name.endswith(".yaml"):
        return file_name[len("Pulumi.") : -len(".yaml")] or None
    return None


def is_settings_file(file_name: str) -> bool:
    """Pulumi.yaml or a Pulumi.<stack>.yaml: what Pulumi reads a project's settings from."""
    return file_name == PROJECT_FILE or stack_name_of(file_name) is not None


def stack_names(project_dir: Path) -> list[str]:
    """Stacks that have a settings file in the project, sorted."""
    return sorted(filter(None, (stack_name_of(path.name) for path in Path(project_dir).glob("Pulumi.*.yaml"))))


def read_project_file(project_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((Path(project_dir) / PROJECT_FILE).read_text())


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

    Encrypted values cannot be read offline; they are passed on as SECRET.
    """
    path = stack_file(project_dir, stack)
    if not path.is_file():
        raise FileNotFoundError(f"{path.name} does not exist: no stack '{stack}' in {project_dir}")
    return merged_config(read_project_file(project_dir), _read_stack_file(path)[0])


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


def read_stacks(settings_dir: str | Path, tenants_base: str | Path | None = None) -> Stacks:
    """Every stack with a Pulumi.<stack>.yaml in `settings_dir`.

    A relative tenantsDir is resolved against `tenants_base` (default: `settings_dir`), so the stack
    files of another revision can be read while tenant directories stay in the working tree.
    """
    settings_dir = Path(settings_dir)
    tenants_base = Path(tenants_base) if tenants_base is not None else settings_dir
    names = stack_names(settings_dir)
    if not names:
        return Stacks(settings_dir, {})
    text = (settings_dir / PROJECT_FILE).read_text()
    project = yaml.safe_load(text)
    problems = tuple(problem.at(display_path(settings_dir / PROJECT_FILE), problem.line) for problem in repeated_keys(text))
    stacks = {name: _read_stack(settings_dir, name, project, tenants_base) for name in names}
    return Stacks(settings_dir, stacks, project_problems=problems)


def project_stacks(project_dir: str | Path, stack: str | None = None) -> Stacks:
    """The project's stacks, checking `stack` only when given; ProjectError when the command cannot run here."""
    project_dir = Path(project_dir)
    if not (project_dir / PROJECT_FILE).is_file():
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
    data, document, file_problems = _read_stack_file(path)
    unsafe = stack_name_problem(name)
    if unsafe:
        file_problems = (Problem((), unsafe, hint="rename the file", file=display_path(path)), *file_problems)
    config = merged_config(project, data)
    try:
        settings, problem = settings_from_config(config, name), None
    except SettingsError as err:
        settings, problem = None, err.problem
    tenants_dir = settings.tenants_dir if settings else str(config.get(TENANTS_DIR_KEY, DEFAULT_TENANTS_DIR))
    return Stack(name, path, config, settings, problem, tenants_base / tenants_dir, document, file_problems)


def _read_stack_file(path: Path) -> tuple[Any, YamlDocument | None, tuple[Problem, ...]]:
    """The stack file's data as Pulumi's config reader takes it, its lines where the strict reader gives
    them, and what is refused in it whatever it sets (a repeated key; text that is not YAML).

    The strict reader's other findings (a value YAML would convert, such as `on`) are not refused here:
    Pulumi reads stack files with YAML readers of its own, and the settings model checks each value."""
    text = path.read_text()
    shown = display_path(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = Problem((), f"is not valid YAML ({str(err).splitlines()[0]})", hint="Pulumi cannot read it either")
        return None, None, (problem.at(shown, mark.line + 1 if mark else None),)
    problems = tuple(problem.at(shown, problem.line) for problem in repeated_keys(text))
    try:
        document = parse_yaml(text)
    except YamlSourceError:
        # Anchors, tags or an empty file: fine for Pulumi, only without lines here.
        return data, None, problems
    if document.problems:
        # A value the strict reader refuses or a repeated key: the plain reader's data, as Pulumi's would read it.
        return data, document, problems
    return document.data, document, problems


_MERGE_KEY = "tag:yaml.org,2002:merge"


def repeated_keys(text: str) -> list[Problem]:
    """Each mapping key a YAML text repeats, at the repeat's line (no file yet). Readers disagree on
    which value counts (PyYAML keeps the last; Go's yaml.v3, Pulumi's, refuses the file), so a value
    put first would be planned as no change and deployed as written, or the deploy would stop.
    A merge key (`<<`) is YAML's own, and left alone. Text that does not parse has none here."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    found: list[Problem] = []
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(root, ())]
    seen: set[int] = set()
    while pending:
        node, loc = pending.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE_KEY:
                    line = key.start_mark.line + 1
                    if key.value in first:
                        found.append(
                            Problem(
                                (*loc, key.value),
                                f"is written twice (lines {first[key.value]} and {line}): YAML readers disagree on which "
                                "value counts (Pulumi's refuses the file, others keep the last), so nobody can say what "
                                "`pulumi up` would read",
                                hint="write each key once, with the value you mean",
                                line=line,
                            )
                        )
                    else:
                        first[key.value] = line
                    pending.append((value, (*loc, key.value)))
                else:
                    pending.append((value, loc))
        elif isinstance(node, yaml.SequenceNode):
            pending += [(item, (*loc, index)) for index, item in enumerate(node.value)]
    return sorted(found, key=lambda problem: problem.line or 0)
