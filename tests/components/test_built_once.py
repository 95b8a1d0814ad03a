"""Build once, never patch: a builder that waits on an Output takes it as an Input and returns the
finished manifest, and no component reaches into a manifest to swap a value in (read from the source)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.program import PROJECT_DIR

COMPONENTS = sorted((PROJECT_DIR / "components").glob("*.py"))
BUILDERS = sorted((PROJECT_DIR / "tenancy" / "manifests").glob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def copies(tree: ast.AST) -> list[int]:
    """Lines that import `copy` or call a deepcopy: a component copies a manifest only to patch it."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            if "copy" in names or "deepcopy" in names:
                lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if called == "deepcopy":
                lines.append(node.lineno)
    return lines


def nested_writes(tree: ast.AST) -> list[int]:
    """Lines that assign, delete or augment through two subscripts or more (`m["spec"]["role"] = ...`):
    the shape of reaching into someone else's dict. Filling a dict of one's own (`d[key] = v`) is one."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Subscript):
                lines.append(node.lineno)
    return lines


def patch_calls(tree: ast.AST) -> list[int]:
    """Lines that call a `with_*` function: a manifest handed back with a value swapped in."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")).startswith("with_")
    ]


def patch_helpers(tree: ast.Module) -> list[str]:
    """Public builders named `with_*`: a copy of a manifest with a value swapped in."""
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("with_")]


@pytest.mark.parametrize("path", COMPONENTS, ids=lambda path: path.name)
def test_no_component_copies_or_reaches_into_a_manifest(path):
    tree = _tree(path)
    assert not copies(tree), f"{path.name}:{copies(tree)}: build the manifest with the Output instead of copying it"
    assert not nested_writes(tree), f"{path.name}:{nested_writes(tree)}: pass the Output into the builder instead"
    assert not patch_calls(tree), f"{path.name}:{patch_calls(tree)}: pass the Output into the builder instead"


@pytest.mark.parametrize("path", BUILDERS, ids=lambda path: path.name)
def test_no_builder_offers_a_patch_helper(path):
    assert not patch_helpers(_tree(path)), f"{path.name}: take the waited-for value as an Input of the builder"


@pytest.mark.parametrize(
    "source, found",
    [
        ("import copy\nm = copy.deepcopy(x)\n", "copies"),
        ("from copy import deepcopy\n", "copies"),
        ('m["spec"]["role"] = role\n', "writes"),
        ('m["spec"]["data"][0]["key"] += k\n', "writes"),
        ('names[key] = value\n', None),
        ("def with_role(store, role):\n    return store\n", "helpers"),
        ("m = external_secrets.with_source(secret, remote_key=key)\n", "calls"),
        ("m = external_secrets.external_secret(name=n, remote_key=key)\n", None),
    ],
)
def test_each_check_catches_its_shape(source, found):
    tree = ast.parse(source)
    caught = {
        "copies": bool(copies(tree)),
        "writes": bool(nested_writes(tree)),
        "calls": bool(patch_calls(tree)),
        "helpers": bool(patch_helpers(tree)),
    }
    assert caught == {kind: kind == found for kind in caught}
