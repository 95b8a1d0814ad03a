"""Validation of tenant files against every stack of the project, the way `pulumi up` would run it on each.

The program sees one stack at a time; here all of them are at hand, so the rule only they allow
(one physical bucket name in two environments) runs too. Pulumi-free: this is what the pre-commit
hook runs, and it must stay quick.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from tenancy.loading import rules
from tenancy.project import shard_layout
from tenancy.loading.loader import TENANT_SUFFIX, load_registration_text, load_tenants
from tenancy.model.problems import Problem, SettingsError, TenantValidationError, format_loc
from tenancy.model.settings import StackSettings, settings_from_config
from tenancy.project.stack_files import stack_config, stack_names
from tenancy.model.tenant import Tenant
from tenancy.loading.yaml_source import YamlSourceError, parse_yaml

JSON_FORMAT_VERSION = 1


class ProjectError(Exception):
    """The command cannot run here at all (no Pulumi project, unknown stack): a usage error, not a tenant problem."""


@dataclass(frozen=True)
class Finding:
    """A problem and the stacks it was found for (most problems hold for every stack)."""

    problem: Problem
    stacks: tuple[str, ...]

    def as_dict(self) -> dict:
        return {**self.problem.as_dict(), "stacks": list(self.stacks)}


@dataclass(frozen=True)
class Report:
    stacks: tuple[str, ...]
    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    # Checks that could not run, and why (never a reason to pass: problems are reported anyway).
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict:
        """The `--format json` document (see docs/operations.md); `version` changes only when fields are removed or change meaning."""
        return {
            "version": JSON_FORMAT_VERSION,
            "valid": self.ok,
            "stacks": list(self.stacks),
            "files": list(self.files),
            "problems": [finding.as_dict() for finding in self.findings],
            "notes": list(self.notes),
        }


def project_stacks(project_dir: Path, stack: str | None = None) -> list[str]:
    """The stacks to check: `stack`, or every stack with a Pulumi.<stack>.yaml."""
    project_dir = Path(project_dir)
    if not (project_dir / "Pulumi.yaml").is_file():
        raise ProjectError(
            f"no Pulumi.yaml in {display_path(project_dir)}: run this from the repository root or pass --project-dir"
        )
    known = stack_names(project_dir)
    if stack is not None:
        if stack not in known:
            raise ProjectError(f"no stack '{stack}' (Pulumi.{stack}.yaml); known stacks: {', '.join(known) or 'none'}")
        return [stack]
    if not known:
        raise ProjectError(f"no stack settings (Pulumi.<stack>.yaml) in {display_path(project_dir)}")
    return known


@dataclass
class _Collector:
    """Problems found per stack, merged so that one found for every stack is reported once."""

    stacks: list[str]
    by_problem: dict[Problem, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def add(self, problem: Problem, stack: str) -> None:
        stacks = self.by_problem.setdefault(problem, [])
        if stack not in stacks:
            stacks.append(stack)

    def add_all(self, problems: Iterable[Problem], stack: str) -> None:
        for problem in problems:
            self.add(problem, stack)

    def add_everywhere(self, problem: Problem) -> None:
        """A problem of the rule across environments: it concerns every stack at once."""
        self.by_problem[problem] = list(self.stacks)

    def report(self) -> Report:
        findings = [
            Finding(problem, tuple(sorted(stacks)))
            for problem, stacks in sorted(self.by_problem.items(), key=lambda item: _order(item[0]))
        ]
        return Report(tuple(self.stacks), tuple(sorted(self.files)), tuple(findings), tuple(self.notes))


def _order(problem: Problem):
    return (problem.file, problem.line or 0, problem.field, problem.message)


def _stack_settings(project_dir: Path, stacks: list[str], collector: _Collector) -> dict[str, StackSettings]:
    """Settings of each stack that has valid ones; a stack with bad settings is a problem of its file."""
    settings: dict[str, StackSettings] = {}
    for stack in stacks:
        try:
            settings[stack] = settings_from_config(stack_config(project_dir, stack), stack)
        except SettingsError as err:
            collector.add(Problem(display_path(Path(project_dir) / f"Pulumi.{stack}.yaml"), None, "", str(err)), stack)
    return settings


def _layout_problems(project_dir: Path, settings: dict[str, StackSettings], collector: _Collector) -> None:
    """How the stacks divide the environments (tenancy.project.shard_layout): only all of them together can tell."""
    for found in shard_layout.problems(shard_layout.entries(settings)):
        path = Path(project_dir) / found.file
        loc = ("config", *found.key.split(".")) if found.key else ()
        collector.add(Problem(display_path(path), _line_of(path, loc), found.key, found.message), found.stack)


def validate_paths(project_dir: Path, paths: list[Path], stack: str | None = None) -> Report:
    """Check `paths` (tenant files or directories of them; none: each stack's tenants directory).

    A file is checked together with the other files of its directory, as the program reads them:
    names, repositories, buckets and Vault paths must be unique among them.
    """
    stacks = project_stacks(project_dir, stack)
    collector = _Collector(stacks)
    settings = _stack_settings(project_dir, stacks, collector)
    if stack is None:
        _layout_problems(project_dir, settings, collector)
    loaded: dict[Path, dict[str, list[Tenant]]] = {}
    for stack_name, current in settings.items():
        for directory in _directories(project_dir, paths, current, collector, stack_name):
            collector.files.update(_tenant_files(directory))
            try:
                loaded.setdefault(directory, {})[stack_name] = load_tenants(directory, current)
            except TenantValidationError as err:
                collector.add_all(err.problems, stack_name)
    for directory, by_stack in loaded.items():
        if set(by_stack) != set(stacks):
            if len(stacks) > 1:
                collector.notes.append(
                    f"{display_path(directory)}: bucket names were not compared across environments, because "
                    "the files do not load for every stack yet"
                )
            continue

        def line(loc, source, directory=directory):
            return _line_of(directory / Path(source).name, loc)

        for found in _across_environments(by_stack, settings):
            collector.add_everywhere(_located(found, line))
    return collector.report()


def check_new_file(project_dir: Path, path: Path, text: str, stack: str | None = None) -> Report:
    """Would `text`, written to `path`, be valid for every stack, alone and beside the files already there?

    For commands that write files (`new`): nothing is written unless this passes.
    """
    stacks = project_stacks(project_dir, stack)
    collector = _Collector(stacks)
    settings = _stack_settings(project_dir, stacks, collector)
    directory, display = Path(path).parent, display_path(path)
    documents = {}

    def line(loc, source):
        if source == display:
            return documents["new"].line_for(loc)
        return _line_of(directory / Path(source).name, loc)

    by_stack: dict[str, list[Tenant]] = {}
    for stack_name, current in settings.items():
        registration, documents["new"], problems = load_registration_text(text, display, current)
        collector.add_all(problems, stack_name)
        if registration is None:
            continue
        try:
            existing = load_tenants(directory, current) if directory.is_dir() else []
        except TenantValidationError:
            note = (
                f"{display_path(directory)} has problems of its own (`python -m tenancy validate` lists them), "
                "so clashes with its files were not checked"
            )
            if note not in collector.notes:
                collector.notes.append(note)
            continue
        by_stack[stack_name] = [*existing, Tenant(registration=registration, settings=current, source=display)]
        for found in rules.across_registrations(by_stack[stack_name]):
            collector.add(_located(found, line), stack_name)
    if set(by_stack) == set(stacks):
        for found in _across_environments(by_stack, settings):
            collector.add_everywhere(_located(found, line))
    return collector.report()


def default_tenants_dir(project_dir: Path) -> Path:
    """Where `new` and `import` write: the stacks' tenants directory (`tenants/` unless a stack says otherwise)."""
    for stack in stack_names(project_dir):
        try:
            return Path(project_dir) / settings_from_config(stack_config(project_dir, stack), stack).tenants_dir
        except SettingsError:
            continue
    return Path(project_dir) / StackSettings.model_fields["tenants_dir"].default


def _directories(project_dir: Path, paths: list[Path], settings: StackSettings, collector: _Collector, stack: str) -> list[Path]:
    if not paths:
        return [Path(project_dir) / settings.tenants_dir]
    directories: list[Path] = []
    for path in paths:
        if path.is_dir():
            directory = path
        elif path.is_file():
            directory = path.parent
        else:
            collector.add(Problem(display_path(path), None, "", "does not exist"), stack)
            continue
        if directory.resolve() not in {known.resolve() for known in directories}:
            directories.append(directory)
    return directories


def _tenant_files(directory: Path) -> list[str]:
    if not directory.is_dir():
        return []
    return [display_path(entry) for entry in directory.iterdir() if entry.name.endswith(TENANT_SUFFIX) and not entry.name.startswith(".")]


def _across_environments(by_stack: dict[str, list[Tenant]], settings: dict[str, StackSettings]) -> Iterable[rules.Attributed]:
    if len(by_stack) < 2:
        return []
    return rules.across_environments({settings[stack].environment: tenants for stack, tenants in by_stack.items()})


def _located(found: rules.Attributed, line) -> Problem:
    """A cross-file finding as a Problem of the blamed file; `line(loc, source)` finds its line."""
    loc = found.problem.loc
    return Problem(found.tenant.source, line(loc, found.tenant.source), format_loc(loc), found.problem.message)


def _line_of(path: Path, loc) -> int | None:
    try:
        return parse_yaml(path.read_text(encoding="utf-8-sig")).line_for(loc)
    except (OSError, UnicodeDecodeError, YamlSourceError):
        return None


def display_path(path: Path) -> str:
    """As the loader names files: relative to the current directory when inside it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(os.path.normpath(path)).as_posix()
