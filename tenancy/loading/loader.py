"""Loads every tenant file of a directory, validates all of them, and fails once with every problem found.

Each file is read and parsed once, keeping its lines (`TenantFile`); checking it against a stack,
and placing any later problem at its line, use that kept document. A file that cannot be read is
never skipped: a skipped registration is a deleted one.
"""

from __future__ import annotations

import difflib
import functools
import os
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from pydantic import BaseModel, ValidationError

from tenancy.loading import rules, values_form
from tenancy.loading.ignored import ignored_values
from tenancy.loading.yaml_source import (
    YamlDocument,
    YamlSourceError,
    display_path,
    parse_yaml,
    read_source,
    refusal_of_entry,
)
from tenancy.model.problems import Problem, TenantValidationError
from tenancy.model.registration import API_VERSION, KIND, BucketSpec, Metadata, RepoRegistration, RepoRegistrationSpec
from tenancy.model.retired import NO_RETIRED_BUCKETS, RETIRED_BUCKETS_FILE, RetiredBuckets
from tenancy.model.settings import StackSettings
from tenancy.model.tenant import Tenant
from tenancy.model.text import printable, shown

TENANT_SUFFIX = ".yaml"
_MISNAMED_SUFFIXES = (".yml", ".json", ".YAML", ".YML")
_IGNORED_SUFFIXES = (".md", ".txt")


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> YamlDocument:
    """The same text is the same document. The verdict reads each revision's files twice (its
    program, then the moves), and most are the same bytes at both revisions (tenancy.plan.incremental);
    no reader changes a document, so they are shared. At most 4,096 of at most 64 KB each."""
    return parse_yaml(text)


# What a check on what a registration builds (tenancy.manifests.sizes) finds, by check, document and
# settings (where the files are read from aside): a pure function of the registration, which is one of
# the document (_parsed) and the settings. The verdict checks most files at both revisions, and the
# merge's review once more: each is built once. Each entry keeps its document, so its id stays its own.
_CHECKED: dict[tuple[Any, int, str], tuple[YamlDocument, tuple[Problem, ...]]] = {}
_CHECKED_MAX = 8192


def _checked(check: Callable[[Tenant], Iterable[Problem]], tenant: Tenant, document: YamlDocument, settings_key: str) -> tuple[Problem, ...]:
    key = (check, id(document), settings_key)
    kept = _CHECKED.get(key)
    if kept is not None and kept[0] is document:
        return kept[1]
    if len(_CHECKED) >= _CHECKED_MAX:
        _CHECKED.clear()
    found = tuple(check(tenant))
    _CHECKED[key] = (document, found)
    return found


@dataclass(frozen=True)
class TenantFile:
    """One tenant file, read and parsed once; `document` is None when it could not be (`problems` say why)."""

    path: Path
    display: str
    document: YamlDocument | None
    # Problems of reading and parsing, already placed: the same for every stack.
    problems: tuple[Problem, ...] = ()
    # The text's first line: the project's checks ask for the schema line there (tenancy.project.schema_line).
    first_line: str = ""
    # What the reader noticed without refusing it (a registration written as Helm values), already placed.
    warnings: tuple[Problem, ...] = ()

    @classmethod
    def read(cls, path: Path, display: str) -> TenantFile:
        try:
            text = read_source(path)
        except YamlSourceError as err:
            return cls(path, display, None, (replace(err.problem, file=display),))
        return cls.parse(text, display, path)

    @classmethod
    def parse(cls, text: str, display: str, path: Path | None = None) -> TenantFile:
        """The file `text` is, or would be once written to `path` (default: `display`)."""
        path = Path(display) if path is None else path
        first_line = text.lstrip("\ufeff").partition("\n")[0].rstrip("\r")
        try:
            document = _parsed(text)
        except YamlSourceError as err:
            return cls(path, display, None, (replace(err.problem, file=display),), first_line)
        warnings: tuple[Problem, ...] = ()
        if values_form.is_values_form(document.data):
            document, refusals, warnings = values_form.as_manifest(document)
            if refusals:
                placed = tuple(replace(found, file=display, line=document.line_for(found.loc)) for found in refusals)
                return cls(path, display, None, placed, first_line)
        problems = tuple(replace(found, file=display) for found in document.problems)
        warnings = tuple(replace(found, file=display) for found in warnings)
        return cls(path, display, document, problems, first_line, warnings)

    def locate(self, problem: Problem) -> Problem:
        """`problem` as a problem of this file, at the line of its field."""
        return problem.at(self.display, self.document.line_for(problem.loc) if self.document else None)


@dataclass(frozen=True)
class Retired:
    """The record of retired buckets, read once, and what is wrong with it (its problems placed)."""

    buckets: RetiredBuckets = NO_RETIRED_BUCKETS
    problems: tuple[Problem, ...] = ()


NO_RETIRED = Retired()


def read_retired(path: Path, display: str) -> Retired:
    """The record of retired buckets, with the reader of tenant files."""
    file = TenantFile.read(path, display)
    if file.document is None or file.problems:
        return Retired(problems=file.problems)
    try:
        return Retired(RetiredBuckets.model_validate(file.document.data))
    except ValidationError as err:
        return Retired(problems=tuple(file.locate(Problem(tuple(e["loc"]), _message(e, tuple(e["loc"])))) for e in err.errors()))


@dataclass(frozen=True)
class TenantDirectory:
    """A tenants directory read once: its tenant files by display name, and what is wrong with the directory itself.

    `changed` names the files this change adds or edits (by display name; `validate` asks git): in a
    clash between two files, those are the ones blamed. Without it, the later file in name order is.
    """

    files: dict[str, TenantFile] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    changed: frozenset[str] = frozenset()
    # The buckets registrations of this directory left behind (tenancy.model.retired); none without the file.
    retired: Retired = NO_RETIRED

    def locate(self, problem: Problem) -> Problem:
        """A problem a rule across files blamed on one of them, at its line in the kept document."""
        return self.files[problem.file].locate(problem)

    def with_file(self, file: TenantFile) -> TenantDirectory:
        return replace(self, files={**self.files, file.display: file})


@dataclass(frozen=True)
class Loaded:
    """A directory's registrations resolved against one stack (sorted by name), and every problem found."""

    tenants: tuple[Tenant, ...]
    problems: tuple[Problem, ...]
    # What the files write that is read but not used (tenancy.loading.ignored): reported, never failing.
    warnings: tuple[Problem, ...] = ()


def load_tenants(
    directory: str | os.PathLike,
    settings: StackSettings,
    display_base: str | os.PathLike | None = None,
    checks: Sequence[Callable[[Tenant], Iterable[Problem]]] = (),
) -> list[Tenant]:
    """Every registration of `directory`, valid for `settings`, sorted by name.

    Raises TenantValidationError listing every problem of every file. `display_base` is what file
    names in messages are relative to (default: the current directory).
    """
    return valid_tenants(read_directory(directory, display_base), settings, checks)


def valid_tenants(
    directory: TenantDirectory, settings: StackSettings, checks: Sequence[Callable[[Tenant], Iterable[Problem]]] = ()
) -> list[Tenant]:
    """The registrations of a directory already read, valid for `settings`, sorted by name; raises
    TenantValidationError listing every problem of every file."""
    loaded = load_directory(directory, settings, checks)
    if loaded.problems:
        raise TenantValidationError(loaded.problems)
    return list(loaded.tenants)


def read_directory(directory: str | os.PathLike, display_base: str | os.PathLike | None = None) -> TenantDirectory:
    """Read and parse every tenant file of `directory` once, for as many stacks as will check it."""
    directory = Path(directory)
    if directory.is_symlink():
        # A link in a pull request could point the program at any directory of the machine.
        return TenantDirectory(
            problems=(Problem((), "is a symbolic link", hint="the tenants directory must be a directory", file=display_path(directory, display_base)),)
        )
    if not directory.is_dir():
        return TenantDirectory(
            problems=(
                Problem(
                    (),
                    "tenants directory does not exist; refusing to plan as if every tenant were removed",
                    file=display_path(directory, display_base),
                ),
            )
        )
    files: dict[str, TenantFile] = {}
    problems: list[Problem] = []
    retired = NO_RETIRED
    # display_path of every entry, with the two directories resolved once instead of once per file.
    folder, base = directory.resolve(), Path(display_base if display_base is not None else Path.cwd()).resolve()
    for entry in sorted(directory.iterdir()):
        try:
            display = (folder / entry.name).relative_to(base).as_posix()
        except ValueError:
            display = display_path(entry, display_base)
        if entry.name.startswith("."):
            # Hidden files (an editor's, git's placeholder) are not read; a hidden folder could hold a
            # program that Pulumi.yaml's `main:` points at, unseen by anyone reading tenant files.
            if entry.is_dir() and not entry.is_symlink():
                problems.append(
                    Problem((), "is a hidden folder", hint="nothing but tenant files belongs in the tenants directory", file=display)
                )
            continue
        if printable(entry.name) != entry.name:
            problems.append(
                Problem((), "has control characters in its name", hint="tenant files are named <name>.yaml", file=display)
            )
            continue
        try:
            mode = entry.lstat().st_mode
        except OSError as err:
            problems.append(Problem((), f"cannot be read: {err.strerror}", file=display))
            continue
        if stat.S_ISDIR(mode):
            problems.append(
                Problem((), "is a directory", hint="tenant files must sit directly in the tenants directory", file=display)
            )
        elif entry.name.endswith(TENANT_SUFFIX):
            refusal = refusal_of_entry(mode)
            if refusal is None and entry.name == RETIRED_BUCKETS_FILE:
                retired = read_retired(entry, display)
            elif refusal is None:
                files[display] = TenantFile.read(entry, display)
            else:
                message, _, hint = refusal
                problems.append(Problem((), message, hint=hint, file=display))
        elif entry.name.endswith(_MISNAMED_SUFFIXES):
            problems.append(
                Problem(
                    (),
                    f"is not read because tenant files end in {TENANT_SUFFIX}",
                    hint=f"rename it to <name>{TENANT_SUFFIX}",
                    file=display,
                )
            )
        elif not entry.name.endswith(_IGNORED_SUFFIXES):
            problems.append(
                Problem(
                    (),
                    "is not a tenant file",
                    hint=f"only <name>{TENANT_SUFFIX} and documentation belong here",
                    file=display,
                )
            )
    return TenantDirectory(files, tuple(problems), retired=retired)


def load_directory(
    directory: TenantDirectory, settings: StackSettings, checks: Sequence[Callable[[Tenant], Iterable[Problem]]] = ()
) -> Loaded:
    """Check every file of `directory` against `settings` and its retired buckets, alone and across files;
    then each registration's derived values against their limits (rules.derived_limits, and `checks` on
    what a layer above builds from it: tenancy.manifests.sizes)."""
    problems = [*directory.problems, *directory.retired.problems]
    tenants: list[Tenant] = []
    settings_key = settings.model_dump_json(exclude={"tenants_dir"})
    for file in directory.files.values():
        registration, found = registration_of(file, settings, directory.retired.buckets)
        problems.extend(found)
        if registration is None:
            continue
        expected = f"{registration.name}{TENANT_SUFFIX}"
        if file.path.name != expected:
            problems.append(
                file.locate(Problem(("metadata", "name"), f"is '{registration.name}', so the file must be named {expected}"))
            )
        tenant = Tenant(registration=registration, settings=settings, source=file.display)
        tenants.append(tenant)
        problems.extend(file.locate(found) for found in rules.derived_limits(tenant))
        for check in checks:
            problems.extend(file.locate(found) for found in _checked(check, tenant, file.document, settings_key))
    problems.extend(directory.locate(found) for found in rules.across_registrations(tenants, directory.changed))
    ordered = tuple(sorted(tenants, key=lambda tenant: tenant.name))
    return Loaded(ordered, tuple(problems), tuple(tenant_warnings(directory, ordered)))


def tenant_warnings(directory: TenantDirectory, tenants: Iterable[Tenant]) -> list[Problem]:
    """Every warning of the files `tenants` were read from, placed and in file order: what the reader
    noticed, and every written value the program ignores for its derived one."""
    found = [warning for tenant in tenants for warning in directory.files[tenant.source].warnings]
    for tenant in tenants:
        file = directory.files[tenant.source]
        found.extend(file.locate(warning) for warning in ignored_values(tenant))
    return sorted(found, key=lambda warning: warning.sort_key)


def registration_of(
    file: TenantFile, settings: StackSettings, retired: RetiredBuckets = NO_RETIRED_BUCKETS
) -> tuple[RepoRegistration | None, list[Problem]]:
    """One file checked on its own against `settings` (no rules across files), with every problem it has.

    The registration is returned whenever it could be resolved against the stack, even with
    problems, so that rules across files still see it; any problem fails the load anyway.
    """
    problems = list(file.problems)
    document = file.document
    if document is None:
        return None, problems
    if not isinstance(document.data, dict):
        problems.append(file.locate(Problem((), f"must hold a {KIND} mapping (apiVersion, kind, metadata, spec)")))
        return None, problems
    pasted = cluster_output_problem(document.data, file.display)
    if pasted is not None:
        # One problem instead of one "not a known field" per key the cluster added: the fix is to convert the file.
        problems.append(file.locate(pasted))
        return None, problems
    try:
        registration = RepoRegistration.model_validate(document.data, context={"kv_mount": settings.vault.kv_mount})
    except ValidationError as err:
        # A field the reader already refused (a YAML 1.1 boolean, an over-long value) is not reported twice.
        reported = {found.loc for found in document.problems}
        for error in err.errors():
            loc = tuple(error["loc"])
            if loc not in reported:
                problems.append(file.locate(Problem(loc, _message(error, loc))))
        return None, problems
    problems.extend(file.locate(found) for found in rules.within_registration(registration))
    stack_problems = [file.locate(found) for found in rules.against_stack(registration, settings, retired)]
    problems.extend(stack_problems)
    return (None if stack_problems else registration), problems


# What the cluster adds to an object it returns (`kubectl get -o yaml`); never in a tenant file.
CLUSTER_METADATA = (
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "managedFields",
    "generation",
    "selfLink",
    "ownerReferences",
    "finalizers",
    "deletionTimestamp",
)


def cluster_output_problem(data: dict[str, Any], display: str) -> Problem | None:
    """The file is what a cluster returned (a `kind: List`, a `status`, metadata the API server
    keeps), pasted as it is: `python -m tenancy import` converts it. None for a tenant file."""
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    found = [("metadata", key) for key in CLUSTER_METADATA if key in metadata]
    if "status" in data:
        found.insert(0, ("status",))
    if data.get("kind") == "List" and "items" in data:
        found.insert(0, ("kind",))
    if not found:
        return None
    fields = ", ".join(".".join(loc) if loc != ("kind",) else "kind: List" for loc in found[:4])
    directory = display.rsplit("/", 1)[0] + "/" if "/" in display else "this directory"
    return Problem(
        found[0],
        f"looks like cluster output (`kubectl get -o yaml`: {fields}), not a tenant file",
        hint=(
            f"move it out of {directory} and run `python -m tenancy import <that file>`: it writes one tenant "
            "file per registration and leaves out what the cluster added"
        ),
    )


# Models met along a field path, to name the fields a misspelt key could have meant.
_MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): RepoRegistration,
    ("metadata",): Metadata,
    ("spec",): RepoRegistrationSpec,
    ("spec", "artifactBucket"): BucketSpec,
    ("spec", "dataBucket"): BucketSpec,
}


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _message(error: dict[str, Any], loc: tuple) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        model = _MODEL_AT.get(tuple(str(part) for part in loc[:-1]))
        allowed = _field_names(model) if model else []
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"; did you mean '{guess[0]}'?" if guess else ""
        return f"is not a known field{hint} (allowed here: {', '.join(allowed)})" if allowed else f"is not a known field{hint}"
    value_text = shown(value)
    if kind == "literal_error":
        expected = {"apiVersion": API_VERSION, "kind": KIND}.get(str(loc[-1]), error.get("ctx", {}).get("expected"))
        return f"must be {expected}, not {value_text}"
    if kind == "string_type":
        return f"must be a string, not {value_text}; quote it in YAML"
    if kind == "bool_type":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return f"is the string {value_text}; remove the quotes"
        return f"must be true or false, not {value_text}"
    if kind == "int_type":
        if isinstance(value, str) and value.strip().isdecimal() and value.isascii():
            return f"is the string {value_text}; remove the quotes"
        return f"must be a whole number, not {value_text}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a mapping of fields, not {value_text}"
    if kind in ("tuple_type", "list_type"):
        return f"must be a list, not {value_text}"
    return error["msg"]
