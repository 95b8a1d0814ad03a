"""What a person wants to know about each tenant of a plan document: namespace, buckets, IAM user,
Vault paths, webhook; read from the registered resources, so any plan document (v1) will do."""

from __future__ import annotations

from collections import Counter
from typing import Any

BUCKET = "aws:s3/bucket:Bucket"
MINIO_BUCKET = "minio:index/s3Bucket:S3Bucket"
# A registration's buckets and its storage identity, whichever API the stack's storage setting chose.
BUCKET_TYPES = frozenset({BUCKET, MINIO_BUCKET})
STORAGE_USER_TYPES = frozenset({"aws:iam/user:User", "minio:index/iamUser:IamUser"})
NAMESPACE = "kubernetes:core/v1:Namespace"
KV_SECRET = "vault:kv/secretV2:SecretV2"
WEBHOOK = "github:index/repositoryWebhook:RepositoryWebhook"
WORKFLOW_TEMPLATE = "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate"
REPO_URL_ANNOTATION = "repo-registration/repo-url"
# Every resource of a registration is under its TenantRepo, named after it.
TENANT_REPO = "argo-tenants:index:TenantRepo"


def short_type(type_token: str) -> str:
    """`aws:s3/bucket:Bucket` -> `Bucket`: the last segment is what people call a resource."""
    return type_token.rsplit(":", 1)[-1]


def bucket_fact(resource: dict[str, Any]) -> dict[str, Any]:
    inputs = resource["inputs"]
    tenant = resource.get("tenant")
    name = resource["name"]
    # TenantRepo names each bucket component `<tenant>-<purpose>`; the Bucket keeps that name.
    purpose = name[len(tenant) + 1 :] if tenant and name.startswith(f"{tenant}-") else name
    return {
        "purpose": purpose,
        "bucket": inputs.get("bucket"),
        "region": inputs.get("region"),
        "protect": resource["protect"],
        "retainOnDelete": resource["retainOnDelete"],
    }


def tenant_facts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Tenant name -> key properties, for every tenant of the document."""
    facts: dict[str, dict[str, Any]] = {
        name: {
            "repository": None,
            "namespace": None,
            "buckets": [],
            "artifacts": None,
            "iamUser": None,
            "vaultPaths": [],
            "webhookUrl": None,
            "paused": False,
            "workflowTemplate": None,
            "resources": 0,  # custom resources; components are Pulumi's grouping, not cloud objects
            "resourceTypes": {},
        }
        for name in document["tenants"]
    }
    types: dict[str, Counter] = {name: Counter() for name in facts}
    for resource in document["resources"]:
        tenant = resource.get("tenant")
        if tenant not in facts:
            continue
        entry = facts[tenant]
        inputs = resource["inputs"]
        if resource["custom"]:
            entry["resources"] += 1
            types[tenant][short_type(resource["type"])] += 1
        kind = resource["type"]
        if kind == NAMESPACE:
            metadata = inputs.get("metadata") or {}
            entry["namespace"] = metadata.get("name")
            entry["repository"] = (metadata.get("annotations") or {}).get(REPO_URL_ANNOTATION)
        elif kind in BUCKET_TYPES:
            entry["buckets"].append(bucket_fact(resource))
        elif kind in STORAGE_USER_TYPES:
            entry["iamUser"] = inputs.get("name")
        elif kind == KV_SECRET:
            entry["vaultPaths"].append(f"{inputs.get('mount')}/{inputs.get('name')}")
        elif kind == WEBHOOK:
            entry["webhookUrl"] = (inputs.get("configuration") or {}).get("url")
            entry["paused"] = inputs.get("active") is False
        elif kind == WORKFLOW_TEMPLATE:
            entry["workflowTemplate"] = (inputs.get("metadata") or {}).get("name")
    summaries = (document.get("outputs") or {}).get("tenants")
    for name, entry in facts.items():
        entry["buckets"].sort(key=lambda bucket: (bucket["purpose"], str(bucket["bucket"])))
        entry["vaultPaths"].sort()
        entry["resourceTypes"] = dict(sorted(types[name].items()))
        if isinstance(summaries, dict) and isinstance(summaries.get(name), dict):
            entry["artifacts"] = summaries[name].get("artifacts")
    return facts


def physical_name(resource: dict[str, Any]) -> str:
    """The name the object has outside Pulumi: `namespace/name` in Kubernetes, the Vault name, the GitHub owner."""
    inputs = resource["inputs"]
    metadata = inputs.get("metadata")
    if isinstance(metadata, dict) and metadata.get("name"):
        return f"{metadata['namespace']}/{metadata['name']}" if metadata.get("namespace") else str(metadata["name"])
    for key in ("roleName", "name", "bucket", "owner"):
        if isinstance(inputs.get(key), str):
            return inputs[key]
    return resource["name"]


def shared_resources(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Custom resources that belong to no tenant (event routing, webhook store, GitHub providers), by URN."""
    return sorted(
        (r for r in document["resources"] if r.get("tenant") is None and r["custom"]), key=lambda r: r["urn"]
    )
