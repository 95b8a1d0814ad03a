"""The house in layers: which module may import which, read from the source (every import, at any depth).

    model  <  loading, manifests  <  project  <  authoring, plan  <  cli        (bench/ sits beside tenancy/)

A layer imports only layers below it; the two layers on one rank do not import each other. The
program `pulumi up` runs (`__main__.py` and `components/`) reaches only model, loading and
manifests, and those three, with project and authoring, never import Pulumi: `validate` runs in a
pre-commit hook and must not pay for the SDK.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.support.program import PROJECT_DIR

RANK = {"model": 0, "loading": 1, "manifests": 1, "project": 2, "authoring": 3, "plan": 3, "cli": 4}
PROGRAM_LAYERS = {"model", "loading", "manifests"}
PULUMI_FREE = {"model", "loading", "manifests", "project", "authoring"}
OURS = ("tenancy", "components", "bench", "__main__")
MAX_TOP_LEVEL_MODULES = 12


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_DIR).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    paths = [PROJECT_DIR / "__main__.py", *PROJECT_DIR.glob("components/*.py")]
    paths += [*PROJECT_DIR.glob("tenancy/**/*.py"), *PROJECT_DIR.glob("bench/*.py")]
    return {_module_name(path): path for path in paths}


SOURCES = _sources()


def imports_in(source: str) -> frozenset[str]:
    """Every module `source` imports, at module level or inside a function, as the most specific name we know."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in SOURCES else node.module)
    return frozenset(found)


@cache
def imports_of(module: str) -> frozenset[str]:
    return imports_in(SOURCES[module].read_text())


def closure(module: str) -> set[str]:
    seen: set[str] = set()
    todo = [module]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(name for name in imports_of(current) if name in SOURCES)
    return seen


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "tenancy" and len(parts) > 1 and parts[1] in RANK else None


def test_every_tenancy_module_sits_in_a_layer_folder():
    loose = [name for name in SOURCES if name.startswith("tenancy.") and layer(name) is None and name != "tenancy.__main__"]
    assert not loose, f"modules outside the layer folders: {loose}"
    top = [path for path in (PROJECT_DIR / "tenancy").glob("*.py")]
    assert len(top) <= MAX_TOP_LEVEL_MODULES


@pytest.mark.parametrize("module", sorted(name for name in SOURCES if layer(name)))
def test_a_layer_imports_only_layers_below_it(module):
    own = layer(module)
    for imported in imports_of(module):
        other = layer(imported)
        if other is None or other == own:
            continue
        assert RANK[other] < RANK[own], f"{module} ({own}) imports {imported} ({other}), which is not below it"


@pytest.mark.parametrize("module", sorted(name for name in SOURCES if layer(name)))
def test_the_runtime_package_never_imports_the_benchmark(module):
    assert not [name for name in imports_of(module) if name.split(".")[0] == "bench"]


def test_the_program_reaches_only_the_model_loading_and_manifests():
    reached = closure("__main__")
    tooling = sorted(name for name in reached if layer(name) and layer(name) not in PROGRAM_LAYERS)
    assert not tooling, f"__main__.py reaches tooling modules: {tooling}"
    assert not [name for name in reached if name.startswith("bench")]
    # And it does reach them: a test that cannot fail proves nothing.
    assert {layer(name) for name in reached} >= PROGRAM_LAYERS


@pytest.mark.parametrize("module", sorted(name for name in SOURCES if layer(name) in PULUMI_FREE))
def test_the_pulumi_free_layers_never_import_pulumi(module):
    for reached in closure(module):
        pulumi = sorted(name for name in imports_of(reached) if name.split(".")[0].startswith("pulumi"))
        assert not pulumi, f"{module} reaches {reached}, which imports {pulumi}"


def test_the_checks_see_imports_inside_functions():
    source = "def run():\n    from tenancy.plan import engine\n    import pulumi_aws\n"
    assert imports_in(source) == {"tenancy.plan.engine", "pulumi_aws"}


def _cycle_through(start: str) -> list[str] | None:
    """An import path from `start` back to itself, if there is one."""
    paths = [[start]]
    seen: set[str] = set()
    while paths:
        path = paths.pop()
        for name in sorted(imports_of(path[-1])):
            if name == start:
                return [*path, start]
            if name in SOURCES and name not in seen:
                seen.add(name)
                paths.append([*path, name])
    return None


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_no_module_imports_itself_through_others(module):
    assert _cycle_through(module) is None, " -> ".join(_cycle_through(module))


def test_the_cycle_check_sees_a_cycle(monkeypatch):
    fake = {"a": frozenset({"b"}), "b": frozenset({"a"})}
    monkeypatch.setitem(SOURCES, "a", Path("a.py"))
    monkeypatch.setitem(SOURCES, "b", Path("b.py"))
    monkeypatch.setattr(sys.modules[__name__], "imports_of", fake.__getitem__)
    assert _cycle_through("a") == ["a", "b", "a"]
