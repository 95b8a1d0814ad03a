"""A new tenant file, written out in full: every field with its value or default, each explained by
the comment the model's own description gives it (so docs, schema and scaffold say the same thing)."""

from __future__ import annotations

import textwrap
import typing
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from tenancy.model import formats, naming
from tenancy.model.registration import API_VERSION, DEFAULT_REGION, KIND, RepoRegistration

WIDTH = 100

# Fields a new file leaves out: accepted only so that existing manifests load unchanged, and
# with no effect, so writing them would only raise questions.
OMITTED = frozenset(
    {
        ("metadata", "namespace"),
        ("metadata", "labels"),
        ("metadata", "annotations"),
        ("spec", "artifactBucket", "pathStyle"),
        ("spec", "dataBucket", "pathStyle"),
    }
)

HEADER = (
    "# A tenant registration, written by `python -m tenancy new`. Each comment comes from the model\n"
    "# (docs/reference.md lists every field); a commented-out field shows an example or its default.\n"
    "# Check with `python -m tenancy validate`; docs/onboarding.md has the next steps."
)


@dataclass(frozen=True)
class NewTenant:
    """What `new` was told; everything else is the model's default."""

    name: str
    repo_url: str
    tenant: str | None = None
    default_branch: str | None = None
    artifact_bucket: str | None = None
    data_bucket: str | None = None
    region: str = DEFAULT_REGION
    key_prefix: str | None = None
    admin_users: tuple[str, ...] = ()
    read_users: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    shard: str | None = None

    @property
    def owner(self) -> str | None:
        parts = formats.github_repo_url_parts(self.repo_url)
        return parts[0] if parts else None


@dataclass(frozen=True)
class Context:
    """What the examples in comments are drawn from: the project's environments and Vault layout."""

    environments: tuple[str, ...]
    vault_path_prefix: str
    endpoint_example: str | None = None
    shards: tuple[str, ...] = ()


def values(new: NewTenant) -> dict[str, Any]:
    """The document's given values (field aliases as keys); the tenant defaults to the repository's owner."""
    spec: dict[str, Any] = {"repoUrl": new.repo_url, "tenant": new.tenant or new.owner or ""}
    if new.default_branch:
        spec["defaultBranch"] = new.default_branch
    if new.artifact_bucket:
        spec["artifactBucket"] = {"bucket": new.artifact_bucket, "region": new.region}
        if new.key_prefix is not None:
            spec["artifactBucket"]["keyPrefix"] = new.key_prefix
    if new.data_bucket:
        spec["dataBucket"] = {"bucket": new.data_bucket, "region": new.region}
    if new.admin_users:
        spec["adminUsers"] = list(new.admin_users)
    if new.read_users:
        spec["readUsers"] = list(new.read_users)
    if new.owners:
        spec["owners"] = list(new.owners)
    if new.environments:
        spec["environments"] = list(new.environments)
    if new.shard:
        spec["shard"] = new.shard
    return {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": new.name}, "spec": spec}


def examples(new: NewTenant, context: Context) -> dict[tuple[str, ...], Any]:
    """Values shown commented out where a field is left to its default."""
    endpoint = context.endpoint_example or f"https://s3.{new.region}.amazonaws.com"
    found: dict[tuple[str, ...], Any] = {
        ("spec", "githubSecretName"): naming.webhook_secret_name(new.name),
        ("spec", "installationId"): 12345678,
        ("spec", "artifactBucket"): {"bucket": f"{new.name}-artifacts", "region": new.region, "keyPrefix": "workflows/"},
        ("spec", "dataBucket"): {"bucket": f"{new.name}-data", "region": new.region},
        ("spec", "environments"): list(context.environments),
        ("spec", "shard"): context.shards[0] if context.shards else "a",
        ("spec", "definitions"): {"path": "argo", "perEnvironment": True},
        ("spec", "deployers"): {(context.environments or ("prod",))[-1]: [new.owner or "octocat"]},
        ("spec", "refs"): {"dev": {"branch": new.default_branch or "main"}, "prod": {"tags": True}},
        ("spec", "nextflow"): {"paramsFile": "params.json", "profile": "test", "executor": "local", "resources": {"cpu": "2", "memory": "8Gi"}},
        ("spec", "guardrails"): {"podSecurity": "restricted", "quota": {"cpu": "4", "memory": "16Gi", "pods": 20}},
    }
    # keyPrefix left out: workflows/ in the artifact bucket, the whole data bucket ('').
    found[("spec", "artifactBucket", "keyPrefix")] = naming.DEFAULT_ARTIFACT_KEY_PREFIX
    found[("spec", "dataBucket", "keyPrefix")] = ""
    for field, purpose in (("artifactBucket", "artifacts"), ("dataBucket", "data")):
        found[("spec", field, "hostname")] = endpoint
        found[("spec", field, "externalSecretPath")] = naming.default_vault_path(context.vault_path_prefix, new.name, purpose)
    return found


def render(new: NewTenant, context: Context, modeline: str) -> str:
    lines = [modeline, HEADER]
    lines += _model_lines(RepoRegistration, values(new), examples(new, context), ())
    return "\n".join(lines) + "\n"


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _comment(text: str | None, indent: str) -> list[str]:
    if not text:
        return []
    return textwrap.wrap(" ".join(text.split()), WIDTH - len(indent) - 2, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# ")


def _model_lines(model: type[BaseModel], given: dict[str, Any], example: dict, loc: tuple[str, ...]) -> list[str]:
    indent = "  " * len(loc)
    lines: list[str] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        here = (*loc, key)
        if here in OMITTED:
            continue
        nested = _nested_model(info.annotation)
        lines += _comment(info.description or (nested.__doc__ if nested else None), indent)
        if key in given:
            if nested:
                lines.append(f"{indent}{key}:")
                lines += _model_lines(nested, given[key], example, here)
            else:
                lines += _value_lines(key, given[key], indent)
        elif here in example:
            lines += [f"{indent}# {line[len(indent):]}" for line in _value_lines(key, example[here], indent, flow=True)]
        elif info.default is not PydanticUndefined and info.default is not None:
            lines += _value_lines(key, info.default, indent)
    return lines


def _value_lines(key: str, value: Any, indent: str, flow: bool = False) -> list[str]:
    if isinstance(value, dict):
        inner = [f"{indent}  {k}: {_flow(v) if isinstance(v, (dict, list)) else _scalar(v)}" for k, v in value.items()]
        return [f"{indent}{key}:", *inner]
    if isinstance(value, (list, tuple)):
        if not value or flow:
            return [f"{indent}{key}: {yaml.safe_dump(list(value), default_flow_style=True, width=10**6).strip()}"]
        return [f"{indent}{key}:", *(f"{indent}  - {_scalar(item)}" for item in value)]
    return [f"{indent}{key}: {_scalar(value)}"]


def _flow(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6).strip()


def _scalar(value: Any) -> str:
    """One YAML scalar as a block mapping value, quoted only when YAML would read it as something else ('', 'yes', '1.0')."""
    return yaml.safe_dump({"k": value}, default_flow_style=False, width=10**6)[len("k: ") :].rstrip("\n")
