"""Validation of tenant files against every stack of the project, the way `pulumi up` would run it on each.

The program sees one stack at a time; here all of them are at hand, so the rule only they allow
(one physical bucket name in two environments) runs too. Each tenant file is read and parsed once,
whatever the number of stacks, and every problem finds its line in the document kept from then.
Pulumi-free: this is what the pre-commit hook runs, and it must stay quick.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Iterable

from tenancy.loading import rules
from tenancy.loading.loader import (
    TenantDirectory,
    TenantFile,
    display_path,
    load_directory,
    read_directory,
    registration_of,
)
from tenancy.manifests import sizes
from tenancy.model.problems import Problem
from tenancy.model.settings import StackSettings
from tenancy.model.tenant import Tenant
from tenancy.project import codeowners, schema_line, shard_layout
from tenancy.project.changes import changed_files
from tenancy.project.stacks import Stack, Stacks, project_stacks

JSON_FORMAT_VERSION = 1
# What `pulumi up` checks on what it builds from each registration (the program passes the same).
REGISTRATION_CHECKS = (sizes.registration_problems,)


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
    # Files whose first line is not the schema line, and that line: what `validate --fix` writes.
    fixes: tuple[tuple[Path, str], ...] = ()
    # Generated files that are stale, and their text: what `validate --fix` writes whole (CODEOWNERS).
    generated: tuple[tuple[Path, str], ...] = ()
    # Problems of form only (a missing schema line): the deploy gate and the verdict leave them to `validate`.
    form_only: frozenset[Problem] = frozenset()
    # What the files write that is read but not used (tenancy.loading.ignored): shown, never failing.
    warnings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def gate_findings(self) -> tuple[Finding, ...]:
        """The findings that stop a deploy and a merge: every one but those of form only."""
        return tuple(finding for finding in self.findings if finding.problem not in self.form_only)

    def as_dict(self) -> dict:
        """The `--format json` document (see docs/operations.md); `version` changes only when fields are removed or change meaning."""
        return {
            "version": JSON_FORMAT_VERSION,
            "valid": self.ok,
            "stacks": list(self.stacks),
            "files": list(self.files),
            "problems": [finding.as_dict() for finding in self.findings],
            "warnings": [finding.as_dict() for finding in self.warnings],
            "notes": list(self.notes),
        }


@dataclass
class _Collector:
    """Problems found per stack, merged so that one found for every stack is reported once."""

    stacks: tuple[str, ...]
    by_problem: dict[Problem, list[str]] = field(default_factory=dict)
    by_warning: dict[Problem, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def add(self, problem: Problem, stack: str) -> None:
        stacks = self.by_problem.setdefault(problem, [])
        if stack not in stacks:
            stacks.append(stack)

    def add_all(self, problems: Iterable[Problem], stack: str) -> None:
        for problem in problems:
            self.add(problem, stack)

    def warn_all(self, warnings: Iterable[Problem], stack: str) -> None:
        for warning in warnings:
            stacks = self.by_warning.setdefault(warning, [])
            if stack not in stacks:
                stacks.append(stack)

    def add_everywhere(self, problem: Problem) -> None:
        """A problem of the rule across environments: it concerns every stack at once."""
        self.by_problem[problem] = list(self.stacks)

    fixes: dict[Path, str] = field(default_factory=dict)
    generated: dict[Path, str] = field(default_factory=dict)
    form_only: set[Problem] = field(default_factory=set)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def report(self) -> Report:
        fixes = tuple(sorted(self.fixes.items()))
        generated = tuple(sorted(self.generated.items()))
        return Report(
            self.stacks,
            tuple(sorted(self.files)),
            _findings(self.by_problem),
            tuple(self.notes),
            fixes,
            generated,
            frozenset(self.form_only),
            _findings(self.by_warning),
        )


def _findings(by_problem: dict[Problem, list[str]]) -> tuple[Finding, ...]:
    return tuple(
        Finding(problem, tuple(sorted(stacks))) for problem, stacks in sorted(by_problem.items(), key=lambda item: item[0].sort_key)
    )


def _checked_settings(stacks: Stacks, collector: _Collector) -> dict[str, StackSettings]:
    """Settings of each checked stack that has valid ones; a stack with bad settings is a problem of its file,
    as is a stack file or Pulumi.yaml that repeats a key (tenancy.project.stacks.repeated_keys)."""
    for name in stacks.checked:
        stack = stacks[name]
        collector.add_all((*stacks.project_problems, *stack.file_problems), name)
        if stack.problem is not None:
            collector.add(_settings_problem(stack), name)
    return stacks.settings


def _settings_problem(stack: Stack) -> Problem:
    # validate's JSON (version 1) reports a bad setting about the file as a whole, its key in the message.
    return Problem((), str(stack.problem), file=display_path(stack.path))


def _layout_problems(stacks: Stacks, settings: dict[str, StackSettings], collector: _Collector) -> None:
    """How the stacks divide the environments (tenancy.project.shard_layout): only all of them together can tell."""
    by_file = {stack.path.name: stack for stack in stacks.by_name.values()}
    for problem in shard_layout.problems(shard_layout.entries(settings)):
        stack = by_file[problem.file]
        collector.add(stack.locate(problem), stack.name)
    _platform_bucket_problems(stacks, settings, collector)


def _platform_bucket_problems(stacks: Stacks, settings: dict[str, StackSettings], collector: _Collector) -> None:
    """Each program sees only its own stack: it can refuse another environment's fallback bucket only
    when its platformBuckets lists that bucket too (Pulumi.yaml declares them once, for all)."""
    fallbacks = {name: s.fallback_artifact_bucket.bucket for name, s in settings.items() if s.fallback_artifact_bucket}
    for name, current in settings.items():
        missing = sorted({bucket for other, bucket in fallbacks.items() if bucket not in current.platform_buckets})
        if missing:
            problem = Problem(
                ("argo-tenants:platformBuckets",),
                f"does not list {', '.join(missing)}, the fallback bucket of another stack",
                hint="declare platformBuckets once, in Pulumi.yaml, with every stack's fallback bucket",
            )
            collector.add(stacks[name].locate(problem), name)


def _with_changes(directory: TenantDirectory, path: Path) -> TenantDirectory:
    """The directory, knowing which of its files this change adds or edits (git), to blame those in a clash."""
    changed = changed_files(path)
    if not changed:
        return directory
    return replace(directory, changed=frozenset(name for name, file in directory.files.items() if file.path.resolve() in changed))


def validate_paths(project_dir: Path, paths: list[Path], stack: str | None = None) -> Report:
    """Check `paths` (tenant files or directories of them; none: each stack's tenants directory) for
    `stack`, or every stack of the project; ProjectError when there is nothing to check against."""
    return check_paths(project_stacks(project_dir, stack), paths)


def check_paths(stacks: Stacks, paths: list[Path]) -> Report:
    """Check `paths` against the stacks already read (their checked ones).

    A file is checked together with the other files of its directory, as the program reads them:
    names, repositories, buckets and Vault paths must be unique among them.
    """
    collector = _Collector(stacks.checked)
    settings = _checked_settings(stacks, collector)
    if stacks.only is None:
        _layout_problems(stacks, settings, collector)
    directories: dict[Path, TenantDirectory] = {}
    loaded: dict[Path, dict[str, list[Tenant]]] = {}
    for stack_name, current in settings.items():
        for path in _directories(stacks[stack_name], paths, collector):
            directory = directories.get(path)
            if directory is None:
                directory = directories[path] = _with_changes(read_directory(path), path)
                collector.files.update(directory.files)
            result = load_directory(directory, current, REGISTRATION_CHECKS)
            collector.warn_all(result.warnings, stack_name)
            if result.problems:
                collector.add_all(result.problems, stack_name)
            else:
                loaded.setdefault(path, {})[stack_name] = list(result.tenants)
    _schema_lines(stacks, directories, collector)
    if stacks.only is None and not paths:
        _codeowners(stacks, directories, collector)
    for path, by_stack in loaded.items():
        if set(by_stack) != set(stacks.checked):
            if len(stacks.checked) > 1:
                collector.note(
                    f"{display_path(path)}: bucket names were not compared across environments, because "
                    "the files do not load for every stack yet"
                )
            continue
        for problem in _across_environments(by_stack, settings, directories[path].changed):
            collector.add_everywhere(directories[path].locate(problem))
    return collector.report()


def _schema_lines(stacks: Stacks, directories: dict[Path, TenantDirectory], collector: _Collector) -> None:
    """Every tenant file of a stack's tenants directory starts with the schema line (`make test` checks it)."""
    for path, directory in directories.items():
        owners = [name for name in stacks.checked if stacks[name].tenants_dir.resolve() == path.resolve()]
        if not owners:
            continue
        expected = schema_line.modeline(path, stacks.project_dir)
        for file in directory.files.values():
            if file.first_line == expected:
                continue
            collector.fixes[file.path] = expected
            problem = Problem(
                (),
                f"does not start with the schema line `{expected}`, which editors check the file with "
                "and the tests require",
                hint="`python -m tenancy validate --fix` adds it",
                file=file.display,
                line=1,
            )
            collector.form_only.add(problem)
            for name in owners:
                collector.add(problem, name)


def expected_codeowners(stacks: Stacks, directories: dict[Path, TenantDirectory]) -> str:
    """.github/CODEOWNERS as the stacks' platformOwners and their tenant files' owners make it."""
    platform = [owner for settings in stacks.settings.values() for owner in settings.platform_owners]
    files = []
    for path, directory in directories.items():
        if not any(stacks[name].tenants_dir.resolve() == path.resolve() for name in stacks.checked):
            continue
        for file in directory.files.values():
            relative = PurePosixPath(file.path.resolve().relative_to(stacks.project_dir.resolve()).as_posix())
            files.append((relative, codeowners.owners_in(file.document.data if file.document else None)))
    return codeowners.generate(platform, files)


def codeowners_of(stacks: Stacks) -> str:
    """.github/CODEOWNERS as the tenant files of every stack's tenants directory make it."""
    paths = list(dict.fromkeys(stacks[name].tenants_dir for name in stacks.checked))
    return expected_codeowners(stacks, {path: read_directory(path) for path in paths if path.is_dir()})


def _codeowners(stacks: Stacks, directories: dict[Path, TenantDirectory], collector: _Collector) -> None:
    """The project at the repository's top (it has .github/) keeps .github/CODEOWNERS as its tenant files make it."""
    github = stacks.project_dir / ".github"
    if not github.is_dir():
        return
    path = stacks.project_dir / codeowners.CODEOWNERS
    expected = expected_codeowners(stacks, directories)
    actual = path.read_text(encoding="utf-8") if path.is_file() else None
    if actual == expected:
        return
    collector.generated[path] = expected
    problem = Problem(
        (),
        "is not what the tenant files' owners and platformOwners make it: GitHub would ask the wrong people to review",
        hint="`python -m tenancy validate --fix` writes it",
        file=display_path(path),
    )
    collector.add_everywhere(problem)


def check_new_file(stacks: Stacks, path: Path, text: str) -> Report:
    """Would `text`, written to `path`, be valid for every checked stack, alone and beside the files already there?

    For commands that write files (`new`): nothing is written unless this passes.
    """
    collector = _Collector(stacks.checked)
    settings = _checked_settings(stacks, collector)
    new = TenantFile.parse(text, display_path(path), Path(path))
    parent = Path(path).parent
    existing = read_directory(parent) if parent.is_dir() else TenantDirectory()
    # The file to be written is the one a clash is blamed on.
    directory = replace(existing.with_file(new), changed=frozenset({new.display}))
    by_stack: dict[str, list[Tenant]] = {}
    for stack_name, current in settings.items():
        registration, problems = registration_of(new, current, existing.retired.buckets)
        collector.add_all(problems, stack_name)
        if registration is None:
            continue
        result = load_directory(existing, current)
        if result.problems:
            collector.note(
                f"{display_path(parent)} has problems of its own (`python -m tenancy validate` lists them), "
                "so clashes with its files were not checked"
            )
            continue
        tenant = Tenant(registration=registration, settings=current, source=new.display)
        for check in (rules.derived_limits, *REGISTRATION_CHECKS):
            collector.add_all((new.locate(found) for found in check(tenant)), stack_name)
        by_stack[stack_name] = [*result.tenants, tenant]
        for problem in rules.across_registrations(by_stack[stack_name], directory.changed):
            collector.add(directory.locate(problem), stack_name)
    if set(by_stack) == set(stacks.checked):
        for problem in _across_environments(by_stack, settings, directory.changed):
            collector.add_everywhere(directory.locate(problem))
    return collector.report()


def _directories(stack: Stack, paths: list[Path], collector: _Collector) -> list[Path]:
    if not paths:
        return [stack.tenants_dir]
    directories: list[Path] = []
    for path in paths:
        if path.is_dir():
            directory = path
        elif path.is_file():
            directory = path.parent
        else:
            collector.add(Problem((), "does not exist", file=display_path(path)), stack.name)
            continue
        if directory.resolve() not in {known.resolve() for known in directories}:
            directories.append(directory)
    return directories


def _across_environments(
    by_stack: dict[str, list[Tenant]], settings: dict[str, StackSettings], changed: frozenset[str]
) -> Iterable[Problem]:
    if len(by_stack) < 2:
        return []
    return rules.across_environments({settings[stack].environment: tenants for stack, tenants in by_stack.items()}, changed)
