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


def requirements_table() -> list[str]:
    """The rows of the table of what the cluster and your machine need, one string per row."""
    text = INSTALLATION.read_text()
    section = text[text.index("## What the cluster and your machine need") :]
    section = section[: section.index("\n## ")]
    return [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")][1:]


def _row_serving(group_version: str, kind: str, rows: list[str]) -> str | None:
    for row in rows:
        if f"`{group_version}`" in row and re.search(rf"\b{re.escape(kind)}\b", row):
            return row
    return None


@pytest.fixture(scope="module")
def shipped_plans(dev_plan, prod_plan, token_plan):
    """Every plan the repository ships or tests: both stacks over tenants/, over the test fixtures, and
    the personal-token fallback."""
    from tenancy.plan.document import plan_document
    from tests.support.program import run_program

    shipped = [run_program(stack, PROJECT_DIR / "tenants") for stack in ("dev", "prod")]
    return [plan_document(plan) for plan in (*shipped, dev_plan, prod_plan, token_plan)]


def test_every_kind_the_program_registers_has_its_minimum_version(shipped_plans):
    from tenancy.plan.permissions import registered_types

    rows = requirements_table()
    kinds = {t for document in shipped_plans for t in registered_types(document) if t.startswith("kubernetes:")}
    assert kinds, "the plans register no Kubernetes objects"
    missing = []
    for type_token in sorted(kinds):
        group_version, kind = type_token[len("kubernetes:") :].rsplit(":", 1)
        if _row_serving(group_version, kind, rows) is None:
            missing.append(f"`{group_version}` {kind}")
    assert not missing, f"docs/installation.md names no component (and minimum version) serving {missing}"


def test_every_provider_the_program_uses_is_in_the_table(shipped_plans):
    from tenancy.plan.permissions import ACTIONS, registered_types

    table = "\n".join(requirements_table())
    types = {t for document in shipped_plans for t in registered_types(document)} | set(ACTIONS)
    packages = {f"pulumi-{t.split(':', 1)[0]}" for t in types}
    assert {p for p in packages if f"`{p}`" not in table} == set()


def test_a_kind_without_a_row_is_caught():
    rows = requirements_table()
    assert _row_serving("argoproj.io/v1alpha1", "WorkflowTemplate", rows) is not None
    assert _row_serving("argoproj.io/v1alpha1", "Rollout", rows) is None
    assert _row_serving("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicy", rows) is None
    assert _row_serving("core/v1", "Workflow", rows) is None


def test_each_version_row_cites_its_source():
    for row in requirements_table():
        component, minimum = [cell.strip() for cell in row.strip("|").split("|")][:2]
        if component.startswith(("Python", "Pulumi CLI")):
            continue
        assert re.search(r"\]\(https://", row), f"{component} ({minimum}) gives no release or pull request"
