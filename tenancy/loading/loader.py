"""Loads every tenant file of a directory, validates all of them, and fails once with every problem found.

A file that cannot be read is never skipped: a skipped registration is a deleted one.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from tenancy.loading import rules
from tenancy.model.registration import API_VERSION, KIND, BucketSpec, Metadata, RepoRegistration, RepoRegistrationSpec
from tenancy.model.problems import FieldProblem, Problem, TenantValidationError, format_loc
from tenancy.model.settings import StackSettings
from tenancy.model.tenant import Tenant
from tenancy.loading.yaml_source import YamlDocument, YamlSourceError, parse_yaml

TENANT_SUFFIX = ".yaml"
_MISNAMED_SUFFIXES = (".yml", ".json", ".YAML", ".YML")
_IGNORED_SUFFIXES = (".md", ".txt")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str


def load_tenants(directory: str | os.PathLike, settings: StackSettings, display_base: str | os.PathLike | None = None) -> list[Tenant]:
    """Every registration of `directory`, valid for `settings`, sorted by name.

    Raises TenantValidationError listing every problem of every file. `display_base` is what file
    names in messages are relative to (default: the current directory).
    """
    problems: list[Problem] = []
    files = list(_discover(Path(directory), display_base, problems))
    tenants: list[Tenant] = []
    documents: dict[str, YamlDocument] = {}
    for source in files:
        loaded = _load_file(source, settings, problems)
        if loaded is not None:
            tenant, document = loaded
            tenants.append(tenant)
            documents[source.display] = document
    for found in rules.across_registrations(tenants):
        document = documents[found.tenant.source]
        problems.append(_problem(found.tenant.source, document, found.problem))
    if problems:
        raise TenantValidationError(problems)
    return sorted(tenants, key=lambda tenant: tenant.name)


def _discover(directory: Path, display_base, problems: list[Problem]) -> Iterable[SourceFile]:
    display_dir = _display(directory, display_base)
    if not directory.is_dir():
        problems.append(
            Problem(display_dir, None, "", "tenants directory does not exist; refusing to plan as if every tenant were removed")
        )
        return
    for entry in sorted(directory.iterdir()):
        display = _display(entry, display_base)
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            problems.append(Problem(display, None, "", "is a directory; tenant files must sit directly in the tenants directory"))
        elif entry.name.endswith(TENANT_SUFFIX):
            yield SourceFile(entry, display)
        elif entry.name.endswith(_MISNAMED_SUFFIXES):
            problems.append(
                Problem(display, None, "", f"is not read because tenant files end in {TENANT_SUFFIX}; rename it to <name>{TENANT_SUFFIX}")
            )
        elif not entry.name.endswith(_IGNORED_SUFFIXES):
            problems.append(Problem(display, None, "", f"is not a tenant file; only <name>{TENANT_SUFFIX} and documentation belong here"))


def _display(path: Path, base) -> str:
    base = Path(base) if base is not None else Path.cwd()
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def load_registration_text(text: str, display: str, settings: StackSettings) -> tuple[RepoRegistration | None, YamlDocument | None, list[Problem]]:
    """Parse and validate one file's text on its own (no cross-file rules).

    The registration is returned whenever it could be resolved against the stack, even with
    problems, so that cross-file rules still see it; any problem fails the load anyway.
    """
    problems: list[Problem] = []
    try:
        document = parse_yaml(text)
    except YamlSourceError as err:
        return None, None, [Problem(display, err.line, "", err.message)]
    problems.extend(Problem(display, found.line, format_loc(found.loc), found.message) for found in document.problems)
    if not isinstance(document.data, dict):
        problems.append(Problem(display, document.line_for(()), "", f"must hold a {KIND} mapping (apiVersion, kind, metadata, spec)"))
        return None, document, problems
    try:
        registration = RepoRegistration.model_validate(document.data, context={"kv_mount": settings.vault.kv_mount})
    except ValidationError as err:
        for error in err.errors():
            loc = tuple(error["loc"])
            problems.append(Problem(display, document.line_for(loc), format_loc(loc), _message(error, loc)))
        return None, document, problems
    problems.extend(_problem(display, document, found) for found in rules.within_registration(registration))
    stack_problems = [_problem(display, document, found) for found in rules.against_stack(registration, settings)]
    problems.extend(stack_problems)
    return (None if stack_problems else registration), document, problems


def _load_file(source: SourceFile, settings: StackSettings, problems: list[Problem]) -> tuple[Tenant, YamlDocument] | None:
    try:
        text = source.path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(source.display, None, "", "is not UTF-8 text"))
        return None
    except OSError as err:
        problems.append(Problem(source.display, None, "", f"cannot be read: {err.strerror}"))
        return None
    registration, document, found = load_registration_text(text, source.display, settings)
    problems.extend(found)
    if registration is None:
        return None
    expected = f"{registration.name}{TENANT_SUFFIX}"
    if source.path.name != expected:
        problems.append(
            _problem(source.display, document, FieldProblem(("metadata", "name"), f"is '{registration.name}', so the file must be named {expected}"))
        )
    return Tenant(registration=registration, settings=settings, source=source.display), document


def _problem(display: str, document: YamlDocument, found: FieldProblem) -> Problem:
    return Problem(display, document.line_for(found.loc), format_loc(found.loc), found.message)


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
    if kind == "literal_error":
        expected = {"apiVersion": API_VERSION, "kind": KIND}.get(str(loc[-1]), error.get("ctx", {}).get("expected"))
        return f"must be {expected}, not {value!r}"
    if kind == "string_type":
        return f"must be a string, not {value!r}; quote it in YAML"
    if kind == "bool_type":
        return f"must be true or false, not {value!r}"
    if kind == "int_type":
        return f"must be a whole number, not {value!r}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a mapping of fields, not {value!r}"
    if kind in ("tuple_type", "list_type"):
        return f"must be a list, not {value!r}"
    return error["msg"]
