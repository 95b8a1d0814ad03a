"""The project under test: stack settings built by hand, registration documents, and the program run
under Pulumi's mock engine, with helpers to find resources in what it registered."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tenancy.model.registration import RepoRegistration
from tenancy.model.settings import StackSettings, settings_from_config
from tenancy.model.tenant import Tenant
from tenancy.plan.engine import Simulation, simulate
from tenancy.project.stacks import stack_config

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
FIXTURES = PROJECT_DIR / "tests" / "fixtures"
FIXTURE_TENANTS = FIXTURES / "tenants"

BASE_CONFIG: dict[str, Any] = {
    "aws:region": "us-west-2",
    "kubernetes:enableConfigMapMutable": True,
    "argo-tenants:environments": ["dev", "prod"],
    "argo-tenants:webhookBaseUrl": "https://events.example.org",
    "argo-tenants:vault": {"address": "https://vault.example.org:8200"},
    "argo-tenants:fallbackArtifactBucket": {"bucket": "platform-artifacts", "region": "us-west-2"},
    "argo-tenants:platformBuckets": ["platform-artifacts", "platform-artifacts-prod"],
    "argo-tenants:bucketNames": {"suffix": "-dev"},
}

# The GitHub App as a stack configures it (docs/operations.md): one installation per owner of the test repositories.
GITHUB_APP: dict[str, Any] = {"appId": 123456, "installations": {"acme": 1111, "other-org": 2222, "GammaLab": 3333}}


def make_settings(stack: str = "dev", **overrides: Any) -> StackSettings:
    config = copy.deepcopy(BASE_CONFIG)
    for key, value in overrides.items():
        full = key if ":" in key else f"argo-tenants:{key}"
        if value is None:
            config.pop(full, None)
        else:
            config[full] = value
    return settings_from_config(config, stack)


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


def tenant_of(document: dict, settings: StackSettings | None = None, tmp_dir: Path | None = None) -> Tenant:
    """Resolve one registration document the way the loader does (it must be valid)."""
    settings = settings or make_settings()
    reg = RepoRegistration.model_validate(document, context={"kv_mount": settings.vault.kv_mount})
    return Tenant(registration=reg, settings=settings, source=f"tenants/{reg.name}.yaml")


def run_program(stack: str, tenants: Path = FIXTURE_TENANTS, **config: Any) -> Simulation:
    overrides = {"argo-tenants:tenantsDir": str(tenants), **{f"argo-tenants:{k}": v for k, v in config.items()}}
    return simulate(PROJECT_DIR, stack, overrides)


def token_mode_settings(directory: Path, stack: str = "dev") -> Path:
    """`directory` holding Pulumi.yaml and the committed Pulumi.<stack>.yaml without githubApp: the stack in
    the personal-token fallback, which the shipped stacks leave for the App (docs/installation.md)."""
    import yaml

    (directory / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    document = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())
    document["config"].pop("argo-tenants:githubApp")
    (directory / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))
    return directory


def run_token_mode(stack: str, directory: Path, tenants: Path = FIXTURE_TENANTS, **options: Any) -> Simulation:
    """The program for the committed stack in the token fallback, its settings written to `directory`."""
    overrides = {"argo-tenants:tenantsDir": str(tenants), **options.pop("overrides", {})}
    return simulate(PROJECT_DIR, stack, overrides, settings_dir=token_mode_settings(directory, stack), **options)


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
    return settings_from_config(stack_config(PROJECT_DIR, stack), stack)
