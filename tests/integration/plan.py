"""The JSON plan the integration suite applies to real components, and a read-only view over it.

Only the JSON document is read (it goes through json.dumps/loads), so the suite consumes exactly what
`plan --format json` hands to other tools.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from tenancy.plan.document import plan_document
from tenancy.model.settings import StackSettings, settings_from_config
from tenancy.plan.engine import simulate
from tenancy.project.stacks import stack_config

PROJECT_DIR = Path(__file__).resolve().parents[2]
TENANTS_DIR = Path(__file__).resolve().parent / "tenants"
STACK = "dev"
# The integration stack runs with a real-looking GitHub App (the committed stacks carry placeholder ids):
# one installation per owner of tests/integration/tenants, and a link to the Argo UI on each commit status.
GITHUB_APP_CONFIG = {
    "argo-tenants:githubApp": {"appId": 123456, "installations": {"acme": 1111, "other-org": 2222, "GammaLab": 3333}},
    "argo-tenants:argoWorkflowsUrl": "https://argo.dev.example.org",
}

VAULT_POLICY = "vault:index/policy:Policy"
VAULT_SECRET = "vault:kv/secretV2:SecretV2"
VAULT_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole"
BUCKET = "aws:s3/bucket:Bucket"
IAM_USER = "aws:iam/user:User"
IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy"
IAM_ACCESS_KEY = "aws:iam/accessKey:AccessKey"
REPOSITORY_WEBHOOK = "github:index/repositoryWebhook:RepositoryWebhook"


def build_plan(tenants_dir: Path = TENANTS_DIR, stack: str = STACK) -> dict[str, Any]:
    simulation = simulate(PROJECT_DIR, stack, {"argo-tenants:tenantsDir": str(tenants_dir), **GITHUB_APP_CONFIG})
    if simulation.error:
        raise AssertionError(f"the program failed for {tenants_dir}: {simulation.error}")
    return json.loads(json.dumps(plan_document(simulation)))


def stack_settings(stack: str = STACK) -> StackSettings:
    return settings_from_config({**stack_config(PROJECT_DIR, stack), **GITHUB_APP_CONFIG}, stack)


def manifest_id(manifest: dict) -> str:
    meta = manifest.get("metadata", {})
    where = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{manifest.get('kind')} {where}{meta.get('name')}"


@dataclass(frozen=True)
class Location:
    """Where a registration's objects live, as the plan's outputs state it (s3://bucket/prefix)."""

    tenant: str
    purpose: str
    bucket: str
    prefix: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


class Plan:
    """Read-only queries over one plan document (which tests may deep-copy and break on purpose)."""

    def __init__(self, document: dict[str, Any]):
        self.document = document

    @property
    def tenants(self) -> list[str]:
        return list(self.document["tenants"])

    @property
    def resources(self) -> list[dict]:
        return self.document["resources"]

    def of_type(self, type_token: str) -> list[dict]:
        return [r for r in self.resources if r["type"] == type_token]

    def manifests(self, kind: str | None = None, namespace: str | None = None) -> Iterator[dict]:
        for resource in self.resources:
            if not resource["type"].startswith("kubernetes:") or resource["type"].startswith("kubernetes:index"):
                continue
            manifest = resource["inputs"]
            if kind is not None and manifest.get("kind") != kind:
                continue
            if namespace is not None and manifest["metadata"].get("namespace") != namespace:
                continue
            yield manifest

    def manifest(self, kind: str, namespace: str | None, name: str) -> dict | None:
        for manifest in self.manifests(kind, namespace):
            if manifest["metadata"]["name"] == name:
                return manifest
        return None

    def vault_stores(self) -> Iterator[dict]:
        """SecretStores of the Vault provider (the others read the GitHub App's namespace: graph_checks)."""
        return (store for store in self.manifests("SecretStore") if "vault" in store["spec"]["provider"])

    def vault_external_secrets(self, namespace: str | None = None) -> Iterator[tuple[dict, dict | None]]:
        """(ExternalSecret, its store or None when missing) for every ExternalSecret that reads through a store
        that is not another provider's: Vault reads, and references to stores that do not exist."""
        for external in self.manifests("ExternalSecret", namespace):
            ref = external["spec"].get("secretStoreRef")
            if ref is None:
                continue  # a generator fills it (graph_checks.github_token_problems)
            store = self.manifest(ref.get("kind", "SecretStore"), external["metadata"]["namespace"], ref["name"])
            if store is not None and "vault" not in store["spec"]["provider"]:
                continue
            yield external, store

    def tenant_summary(self, tenant: str) -> dict:
        return self.document["outputs"]["tenants"][tenant]

    def locations(self) -> list[Location]:
        found = []
        for tenant, summary in sorted(self.document["outputs"]["tenants"].items()):
            for purpose in ("artifacts", "data"):
                uri = summary.get(purpose)
                if uri:
                    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
                    found.append(Location(tenant, purpose, bucket, prefix))
        return found

    def secret_owner(self, mount: str, path: str) -> str | None:
        for resource in self.of_type(VAULT_SECRET):
            if (resource["inputs"]["mount"], resource["inputs"]["name"]) == (mount, path):
                return resource["tenant"]
        return None

    def secret_paths(self) -> list[tuple[str, str, str]]:
        """(mount, path, owning component type) of every Vault secret the program writes."""
        out = []
        for resource in self.of_type(VAULT_SECRET):
            component = resource["urn"].split("::")[2].split("$")[-2]
            out.append((resource["inputs"]["mount"], resource["inputs"]["name"], component))
        return out
