"""The installation checklist holds on a checkout: every `python -m tenancy` command it gives runs as
written from the repository's root, and its steps are in order."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.support.cli_project import run_cli
from tests.support.program import PROJECT_DIR

INSTALLATION = PROJECT_DIR / "docs" / "installation.md"


def commands() -> list[str]:
    found = []
    for block in re.findall(r"```bash\n(.*?)```", INSTALLATION.read_text(), re.DOTALL):
        for line in block.splitlines():
            command = line.split("#", 1)[0].strip()
            if command.startswith("python -m tenancy "):
                found.append(command)
    return found


def test_the_checklist_gives_the_offline_commands():
    assert {shlex.split(command)[3] for command in commands()} >= {"validate", "permissions", "plan"}


@pytest.mark.parametrize("command", commands())
def test_each_offline_command_runs_as_written(command, monkeypatch, capsys):
    monkeypatch.chdir(PROJECT_DIR)
    code, out, err = run_cli(capsys, *shlex.split(command)[3:])
    assert code == 0, err or out


def test_the_steps_are_numbered_in_order():
    steps = [int(number) for number in re.findall(r"^## (\d+)\. ", INSTALLATION.read_text(), re.MULTILINE)]
    assert steps == list(range(1, len(steps) + 1))


def test_the_placeholder_message_names_the_checklists_app_step():
    from tenancy.plan.preamble import placeholder_line

    step = re.search(r"^## (\d+)\. The GitHub App$", INSTALLATION.read_text(), re.MULTILINE)[1]
    assert f"docs/installation.md, step {step})" in placeholder_line({"mode": "app", "placeholder": True})


def test_the_programs_refusal_names_the_same_step():
    step = re.search(r"^## (\d+)\. The GitHub App$", INSTALLATION.read_text(), re.MULTILINE)[1]
    assert f"docs/installation.md, step {step})" in (PROJECT_DIR / "__main__.py").read_text()
