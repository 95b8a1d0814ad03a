"""One of each: one reader of the project's Pulumi files, one table of fake provider outputs.

Read from the source of every module of the runtime package, the program and the benchmark
(tests/test_layers.py lists them): a second reader or a second table is a test failure, not a
review comment.
"""

from __future__ import annotations

import ast
import re

import pytest

from tests.test_layers import SOURCES

STACK_READER = "tenancy.project.stacks"
FAKE_TABLE = "tenancy.plan.fake_outputs"
# A Pulumi file's name as a path or a pattern (f-string parts as "{}"): Pulumi.yaml, Pulumi.{}.yaml, Pulumi.*.yaml, Pulumi*.yaml.
_PULUMI_FILE = re.compile(r"Pulumi(\.yaml|\.\{\}\.yaml|\.?\*\.yaml|\.?\*)", re.ASCII)
# What the fakes answer, recognizable in any copy of them.
_FAKE_MARKERS = ("AKIAMOCK", "mock-secret-", "mock-password-", "arn:aws:mock", "repos/mock/")


def _literals(source: str) -> list[str]:
    """Every string literal of `source`; an f-string with "{}" for each value it formats."""
    found, parts = [], set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            found.append("".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values))
            parts.update(id(part) for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts:
            found.append(node.value)
    return found


def names_a_pulumi_file(source: str) -> list[str]:
    return [text for text in _literals(source) if _PULUMI_FILE.fullmatch(text)]


def holds_fakes(source: str) -> list[str]:
    return [text for text in _literals(source) if any(marker in text for marker in _FAKE_MARKERS)]


@pytest.mark.parametrize("module", sorted(set(SOURCES) - {STACK_READER}))
def test_only_the_stack_reader_names_a_pulumi_file(module):
    found = names_a_pulumi_file(SOURCES[module].read_text())
    assert not found, f"{module} spells {found}: read Pulumi.yaml and Pulumi.<stack>.yaml through {STACK_READER}"


@pytest.mark.parametrize("module", sorted(set(SOURCES) - {FAKE_TABLE}))
def test_only_the_fake_outputs_table_fakes_a_providers_outputs(module):
    found = holds_fakes(SOURCES[module].read_text())
    assert not found, f"{module} fakes provider outputs ({found}): answer from {FAKE_TABLE}"


def test_the_checks_see_a_second_reader_and_a_second_table():
    reader = 'import yaml\nyaml.safe_load((root / f"Pulumi.{stack}.yaml").read_text())\nroot.glob("Pulumi.*.yaml")\n'
    assert sorted(names_a_pulumi_file(reader)) == ["Pulumi.*.yaml", "Pulumi.{}.yaml"]
    assert names_a_pulumi_file('message = f"Pulumi.{stack}.yaml is removed"') == []
    assert holds_fakes('state = {"secret": f"mock-secret-{name}"}') == ["mock-secret-{}"]
    # And the two owners do hold what the checks look for.
    assert names_a_pulumi_file(SOURCES[STACK_READER].read_text())
    assert holds_fakes(SOURCES[FAKE_TABLE].read_text())
