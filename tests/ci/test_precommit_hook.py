"""The pre-commit configuration: tenant files are validated on commit, the way CI validates them."""

import re
import shlex
import subprocess
import sys

import pytest
import yaml

from tests.support.program import PROJECT_DIR

CONFIG = PROJECT_DIR / ".pre-commit-config.yaml"


def hook(hook_id):
    config = yaml.safe_load(CONFIG.read_text())
    return next(h for repo in config["repos"] for h in repo["hooks"] if h["id"] == hook_id)


def test_pre_commit_accepts_the_configuration():
    pytest.importorskip("pre_commit", reason="pre-commit is installed by `make setup-test`")
    subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)], check=True, capture_output=True)


def test_the_tenant_hook_runs_validate_for_every_stack_on_the_whole_directory():
    validate = hook("validate-tenants")
    assert shlex.split(validate["entry"])[1:] == ["-m", "tenancy", "validate"]
    assert validate["pass_filenames"] is False


@pytest.mark.parametrize("path", ["tenants/alpha.yaml", "tenants/alpha.yml", "Pulumi.yaml", "Pulumi.dev.yaml"])
def test_the_tenant_hook_runs_when_tenants_or_stack_settings_change(path):
    assert re.search(hook("validate-tenants")["files"], path)


@pytest.mark.parametrize("path", ["README.md", "tenancy/model/registration.py", "docs/tenants/x.yaml"])
def test_the_tenant_hook_skips_other_files(path):
    assert not re.search(hook("validate-tenants")["files"], path)
