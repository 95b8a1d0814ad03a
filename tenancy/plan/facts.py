"""What a person wants to know about each tenant of a plan document: repository, namespace, buckets,
IAM user, Vault paths, webhook, template and how many resources of each type.

The program exports them: one RegistrationSummary per registration in the stack output `tenants`
(tenancy/model/summary.py, built in components/tenant_repo.py), read here through the same class. The
registered resources add only what no export says: each bucket's region and resource options, and the
resource counts.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tenancy.model.summary import RegistrationSummary

BUCKET = "aws:s3/bucket:Bucket"
MINIO_BUCKET = "minio:index/s3Bucket:S3Bucket"
# A registration's buckets, whichever API the stack's storage setting chose.
BUCKET_TYPES = frozenset({BUCKET, MINIO_BUCKET})
WEBHOOK = "github:index/repositoryWebhook:RepositoryWebhook"
# Every resource of a registration is under its TenantRepo, named after it.
TENANT_REPO = "argo-tenants:index:TenantRepo"


def short_type(type_token: str) -> str:
    """`aws:s3/bucket:Bucket` -> `Bucket`: the last segment is what people call a resource."""
    return type_token.rsplit(":", 1)[-1]


def summaries(document: dict[str, Any]) -> dict[str, RegistrationSummary]:
    """Tenant name -> the summary the program exports for it (`outputs.tenants`)."""
    exported = (document.get("outputs") or {}).get("tenants")
    if not isinstance(exported, dict):
        return {}
    return {name: RegistrationSummary.read(summary) for name, summary in exported.items() if isinstance(summary, dict)}


def bucket_purposes(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(tenant, bucket name) -> what the bucket holds (`artifacts`, `data`), for every managed bucket."""
    return {
        (tenant, bucket): purpose
        for tenant, summary in summaries(document).items()
        for purpose, bucket in (summary.buckets or {}).items()
    }


def bucket_fact(resource: dict[str, Any], purpose: str | None) -> dict[str, Any]:
    """A Bucket resource as the facts list it; `purpose` comes from the tenant's summary (bucket_purposes)."""
    inputs = resource["inputs"]
    return {
        "purpose": purpose,
        "bucket": inputs.get("bucket"),
        "region": inputs.get("region"),
        "protect": resource["protect"],
        "retainOnDelete": resource["retainOnDelete"],
    }


def repository_url(repository: Any) -> str | None:
    """The clone URL of an exported `owner/repo`: a registration's repoUrl can only be
    `https://github.com/<owner>/<repo>.git` (tenancy.model.formats), so this is the URL it was given."""
    return f"https://github.com/{repository}.git" if isinstance(repository, str) else None


def run_folder(artifacts: Any) -> str | None:
    """Where one run's outputs and logs land: the artifact repository's keyFormat is
    `<keyPrefix>{{workflow.name}}/{{pod.name}}` (tenancy.manifests.argo_workflows)."""
    return f"{artifacts}<workflow-name>/" if isinstance(artifacts, str) else None


def skipped(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Registration -> why this stack does not deploy it (`outputs.skipped`: another environment or shard)."""
    exported = (document.get("outputs") or {}).get("skipped")
    if not isinstance(exported, dict):
        return {}
    return {name: reason for name, reason in sorted(exported.items()) if isinstance(reason, dict)}


def skip_words(reason: dict[str, Any]) -> str:
    """`only environments prod` or `shard b`: why a registration is not in this stack, in a few words."""
    if reason.get("reason") == "shard":
        return f"shard {reason['shard']}" if reason.get("shard") else "no shard named"
    return "only environments " + ", ".join(str(name) for name in reason.get("environments") or [])


def tenant_facts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Tenant name -> key properties, for every tenant of the document."""
    exported = summaries(document)
    buckets: dict[tuple[str, str], dict[str, Any]] = {}
    types: dict[str, Counter] = {name: Counter() for name in document["tenants"]}
    for resource in document["resources"]:
        tenant = resource.get("tenant")
        # Components are Pulumi's grouping, not cloud objects: only custom resources are counted.
        if tenant not in types or not resource["custom"]:
            continue
        types[tenant][short_type(resource["type"])] += 1
        if resource["type"] in BUCKET_TYPES:
            buckets[(tenant, resource["inputs"].get("bucket"))] = resource
    facts: dict[str, dict[str, Any]] = {}
    for name, counts in types.items():
        summary = exported.get(name) or RegistrationSummary.read({})
        managed = []
        for purpose, bucket in (summary.buckets or {}).items():
            resource = buckets.get((name, bucket))
            if resource is not None:
                managed.append(bucket_fact(resource, purpose))
        facts[name] = {
            "repository": repository_url(summary.repository),
            "namespace": summary.namespace,
            "buckets": sorted(managed, key=lambda fact: (fact["purpose"], str(fact["bucket"]))),
            "artifacts": summary.artifacts,
            "iamUser": summary.iam_user,
            "vaultPaths": sorted(summary.vault_paths or []),
            "webhookUrl": summary.webhook_url,
            "paused": summary.paused is True,
            "workflowTemplate": summary.workflow_template,
            "definitions": summary.definitions if isinstance(summary.definitions, dict) else None,
            "deployers": list(summary.deployers or []),
            "adminUsers": list(summary.admin_users or []),
            "readUsers": list(summary.read_users or []),
            "public": summary.public is True,
            "outputs": run_folder(summary.artifacts),
            "refs": summary.refs or {},
            "runner": summary.runner or {},
            "guardrails": summary.guardrails or {},
            "resources": sum(counts.values()),
            "resourceTypes": dict(sorted(counts.items())),
        }
    return facts


# Inputs that name the object outside Pulumi, in the order they are looked for: a Vault role, an IAM
# user or policy, a bucket (and a bucket's settings, named by their bucket), a GitHub owner or repository.
_NAME_INPUTS = ("roleName", "name", "bucket", "owner", "repository")


def physical_name(resource: dict[str, Any]) -> str:
    """The name the object has outside Pulumi: `namespace/name` in Kubernetes, the Vault name, the bucket,
    the GitHub owner; the logical name for what has none (an access key, a generated password)."""
    inputs = resource["inputs"]
    metadata = inputs.get("metadata")
    if isinstance(metadata, dict) and metadata.get("name"):
        return f"{metadata['namespace']}/{metadata['name']}" if metadata.get("namespace") else str(metadata["name"])
    if isinstance(inputs.get("mount"), str) and isinstance(inputs.get("name"), str):
        return f"{inputs['mount']}/{inputs['name']}"  # a Vault KV secret, as its path reads
    for key in _NAME_INPUTS:
        if isinstance(inputs.get(key), str):
            return inputs[key]
    return resource["name"]


def shared_resources(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Custom resources that belong to no tenant (event routing, webhook store, GitHub providers), by URN."""
    return sorted(
        (r for r in document["resources"] if r.get("tenant") is None and r["custom"]), key=lambda r: r["urn"]
    )


def definitions_line(definitions: dict[str, Any] | None) -> str | None:
    """`definitions synced by Argo CD from <repo>@<ref>:<path>`, or None for the generated template only."""
    if not definitions:
        return None
    return f"definitions synced by Argo CD from {definitions.get('repository')}@{definitions.get('ref')}:{definitions.get('path')}"


APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"


def definitions_change(entries: list[dict[str, Any]]) -> str | None:
    """What a change does to a registration's synced definitions, from its Application's entry in a diff:
    removing spec.definitions deletes the Application, which has no cascade finalizer, so Argo CD deletes
    nothing it synced (tenancy/manifests/argo_cd.py)."""
    for entry in entries:
        if entry.get("type") != APPLICATION:
            continue
        name = entry.get("physicalName") or entry.get("name")
        if entry.get("action") in ("delete", "retain"):
            return (
                f"definitions no longer synced: Application {name} is deleted without cascade, so the objects it "
                "synced stay in the namespace, unmanaged (delete them by hand if they should go)"
            )
        if entry.get("action") == "create":
            return f"definitions now synced by Argo CD (Application {name})"
        if entry.get("action") == "replace":
            return f"definitions: Application {name} is replaced; what it synced stays and is adopted again"
    return None
