"""A tenant file written as the reference Helm chart's values (`repoRegistrations:` with one entry), read as
the RepoRegistration manifest it describes.

The platform's artifact-repository guide shows registrations in that form (the entry's `name` beside
its spec fields). Pasted into `tenants/`, the entry becomes `metadata.name` and `spec`, and every line
kept from the file moves with it, so a problem still points at the line the tenant wrote. One entry a
file: names, files and blame are one-to-one (`python -m tenancy import` splits a longer list).
"""

from __future__ import annotations

from dataclasses import replace

from tenancy.loading.yaml_source import YamlDocument
from tenancy.model.problems import Loc, Problem
from tenancy.model.registration import API_VERSION, KIND

HELM_KEY = "repoRegistrations"
_ENTRY: Loc = (HELM_KEY, 0)


def is_values_form(data: object) -> bool:
    return isinstance(data, dict) and HELM_KEY in data and "spec" not in data and "kind" not in data


def as_manifest(document: YamlDocument) -> tuple[YamlDocument, tuple[Problem, ...], tuple[Problem, ...]]:
    """(the manifest, problems, warnings) of a values-form document; the document itself, with a problem,
    when it holds anything but one mapping entry under `repoRegistrations`."""
    data = document.data
    others = [key for key in data if key != HELM_KEY]
    entries = data[HELM_KEY]
    refusal = None
    if others:
        refusal = Problem(
            (str(others[0]),),
            f"is a Helm value beside {HELM_KEY}; a tenant file holds one registration and nothing else",
            hint="keep only the repoRegistrations entry, or run `python -m tenancy import <file>`",
        )
    elif not isinstance(entries, list) or len(entries) != 1 or not isinstance(entries[0], dict):
        count = len(entries) if isinstance(entries, list) else 0
        refusal = Problem(
            (HELM_KEY,),
            f"must hold exactly one registration entry here (it holds {count})",
            hint="a tenant file holds one registration: `python -m tenancy import <file>` writes one file per entry",
        )
    if refusal is not None:
        return document, (refusal,), ()
    entry = entries[0]
    manifest = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": entry["name"]} if "name" in entry else {},
        "spec": {key: value for key, value in entry.items() if key != "name"},
    }
    converted = YamlDocument(manifest, _moved_lines(document.lines), tuple(_moved(p) for p in document.problems))
    name = entry.get("name")
    warning = Problem(
        (),
        f"is written as Helm values ({HELM_KEY}:), read as the {KIND} "
        + (f"'{name}'" if isinstance(name, str) else "it describes"),
        hint="`python -m tenancy import <file>` rewrites it as a manifest",
        line=document.lines.get((HELM_KEY,)),
    )
    return converted, (), (warning,)


def _manifest_loc(loc: Loc) -> Loc | None:
    """Where a node of the entry sits in the manifest: its name under metadata, the rest under spec."""
    if tuple(loc[:2]) != _ENTRY:
        return None
    rest = tuple(loc[2:])
    if not rest:
        return ("spec",)
    return ("metadata", "name") if rest == ("name",) else ("spec", *rest)


def _moved_lines(lines: dict[Loc, int]) -> dict[Loc, int]:
    moved: dict[Loc, int] = {(): lines.get((), 1)}
    for loc, line in lines.items():
        target = _manifest_loc(loc)
        if target is not None:
            moved[target] = line
    entry_line = lines.get(_ENTRY)
    if entry_line is not None:
        moved.setdefault(("metadata",), entry_line)
        moved.setdefault(("spec",), entry_line)
    return moved


def _moved(problem: Problem) -> Problem:
    target = _manifest_loc(problem.loc)
    return problem if target is None else replace(problem, loc=target)
