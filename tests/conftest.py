"""Shared fixtures: stack settings, tenant files written on the fly, and the program run under Pulumi's
mock engine (helpers in tests/support/program.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
import yaml

from tenancy.loading.loader import load_tenants
from tenancy.model.settings import StackSettings
from tenancy.model.tenant import Tenant
from tenancy.plan.engine import Simulation
from tests.support.program import make_settings, run_program, run_token_mode


@pytest.fixture
def settings() -> StackSettings:
    return make_settings()


@pytest.fixture
def tenants_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "tenants"
    directory.mkdir()
    return directory


@pytest.fixture
def write_tenant(tenants_dir: Path) -> Callable[..., Path]:
    def write(document: dict | str, filename: str | None = None) -> Path:
        if isinstance(document, dict):
            filename = filename or f"{document['metadata']['name']}.yaml"
            text = yaml.safe_dump(document, sort_keys=False)
        else:
            text = document
        path = tenants_dir / filename
        path.write_text(text)
        return path

    return write


@pytest.fixture
def load(tenants_dir: Path, settings: StackSettings) -> Callable[..., list[Tenant]]:
    def run(settings_override: StackSettings | None = None, checks=()) -> list[Tenant]:
        return load_tenants(tenants_dir, settings_override or settings, display_base=tenants_dir.parent, checks=checks)

    return run


@pytest.fixture(scope="session")
def dev_plan() -> Simulation:
    """The program run for the dev stack over tests/fixtures/tenants."""
    result = run_program("dev")
    assert result.error is None, result.error
    return result


@pytest.fixture(scope="session")
def token_plan(tmp_path_factory) -> Simulation:
    """The dev stack in the personal-token fallback (without githubApp), over tests/fixtures/tenants."""
    result = run_token_mode("dev", tmp_path_factory.mktemp("token-mode"))
    assert result.error is None, result.error
    return result


@pytest.fixture(scope="session")
def prod_plan() -> Simulation:
    result = run_program("prod")
    assert result.error is None, result.error
    return result
