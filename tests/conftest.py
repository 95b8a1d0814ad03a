"""Shared fixtures: stack settings, tenant files written on the fly, and the program run under Pulumi's mock engine."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from tenancy.loader import load_tenants
from tenancy.settings import StackSettings, settings_from_config
from tenancy.simulation import Simulation, simulate
from tenancy.tenant import Tenant

PROJECT_DIR = Path(__file__).resolve().parent.parent
FIXTURE_TENANTS = Path(__file__).resolve().parent / "fixtures" / "tenants"

BASE_CONFIG: dict[str, Any] = {
    "aws:region": "us-west-2",
    "argo-tenants:environments": ["dev", "prod"],
    "argo-tenants:webhookBaseUrl": "https://events.example.org",
    "argo-tenants:vault": {"address": "https://vault.example.org:8200"},
    "argo-tenants:fallbackArtifactBucket": {"bucket": "platform-artifacts", "region": "us-west-2"},
    "argo-tenants:bucketNames": {"suffix": "-dev"},
}


def make_settings(stack: str = "dev", **overrides: Any) -> StackSettings:
    config = copy.deepcopy(BASE_CONFIG)
    for key, value in overrides.items():
        full = key if ":" in key else f"argo-tenants:{key}"
        if value is None:
            config.pop(full, None)
        else:
            config[full] = value
    return settings_from_config(config, stack)


@pytest.fixture
def settings() -> StackSettings:
    return make_settings()


def registration(name: str = "alpha", **spec: Any) -> dict[str, Any]:
    """A minimal valid RepoRegistration document; keyword arguments replace spec fields (None removes one)."""
    body: dict[str, Any] = {
        "repoUrl": f"https://github.com/acme/{name}.git",
        "tenant": "research",
        "artifactBucket": {"bucket": f"{name}-artifacts"},
    }
    for key, value in spec.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return {
        "apiVersion": "platform.calypr.io/v1alpha1",
        "kind": "RepoRegistration",
        "metadata": {"name": name},
        "spec": body,
    }


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
    def run(settings_override: StackSettings | None = None) -> list[Tenant]:
        return load_tenants(tenants_dir, settings_override or settings, display_base=tenants_dir.parent)

    return run


def tenant_of(document: dict, settings: StackSettings | None = None, tmp_dir: Path | None = None) -> Tenant:
    """Resolve one registration document the way the loader does (it must be valid)."""
    from tenancy.model import RepoRegistration

    settings = settings or make_settings()
    reg = RepoRegistration.model_validate(document, context={"kv_mount": settings.vault.kv_mount})
    return Tenant(registration=reg, settings=settings, source=f"tenants/{reg.name}.yaml")


def run_program(stack: str, tenants: Path = FIXTURE_TENANTS, **config: Any) -> Simulation:
    overrides = {"argo-tenants:tenantsDir": str(tenants), **{f"argo-tenants:{k}": v for k, v in config.items()}}
    return simulate(PROJECT_DIR, stack, overrides)


@pytest.fixture(scope="session")
def dev_plan() -> Simulation:
    """The program run for the dev stack over tests/fixtures/tenants."""
    result = run_program("dev")
    assert result.error is None, result.error
    return result


@pytest.fixture(scope="session")
def prod_plan() -> Simulation:
    result = run_program("prod")
    assert result.error is None, result.error
    return result


def children_of(plan: Simulation, parent_urn: str) -> list:
    return [resource for resource in plan.resources if resource.parent == parent_urn]


def component(plan: Simulation, type_name: str, name: str):
    return plan.get(f"argo-tenants:index:{type_name}", name)


def of_tenant(plan: Simulation, tenant: str) -> list:
    """Every resource under the TenantRepo of `tenant`, at any depth."""
    root = component(plan, "TenantRepo", tenant).urn
    inside = {root}
    found = []
    for resource in plan.resources:  # registration order: parents come before children
        if resource.parent in inside:
            inside.add(resource.urn)
            found.append(resource)
    return found


def stack_settings(stack: str) -> StackSettings:
    """The settings the committed Pulumi.<stack>.yaml gives the program."""
    from tenancy.stack_files import stack_config

    return settings_from_config(stack_config(PROJECT_DIR, stack), stack)
