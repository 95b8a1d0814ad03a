"""Labels, annotations and tags that mark what a registration owns, kept from the Helm chart this project replaces."""

from __future__ import annotations

from tenancy.model import naming
from tenancy.model.tenant import Tenant

MANAGED_BY = naming.PROJECT


def tenant_labels(tenant: Tenant) -> dict[str, str]:
    return {
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "app.kubernetes.io/part-of": MANAGED_BY,
        "calypr.io/application": tenant.name,
        "source": "repo-registration",
        "tenant": tenant.spec.tenant,
    }


def tenant_annotations(tenant: Tenant) -> dict[str, str]:
    return {
        "repo-registration/name": tenant.name,
        "repo-registration/repo-url": tenant.repo_url,
        "repo-registration/tenant": tenant.spec.tenant,
    }


def tenant_metadata(tenant: Tenant, name: str) -> dict:
    """Metadata of an object `name` in the tenant namespace, marked as the registration's."""
    return {"name": name, "namespace": tenant.namespace, "labels": tenant_labels(tenant), "annotations": tenant_annotations(tenant)}


def namespace_labels(tenant: Tenant) -> dict[str, str]:
    return {
        **tenant_labels(tenant),
        "calypr.io/workflow-tenant": "true",
        "calypr.io/environment": tenant.environment,
        # Read by the platform's auth layer: "true" lets users see the tenant without logging in.
        "calypr.io/public": "true" if tenant.spec.is_public else "false",
        # Selected by the admission policy that holds what Argo CD syncs to the guardrails (argo_cd.py).
        **({naming.DEFINITIONS_NAMESPACE_LABEL: "true"} if tenant.definitions is not None else {}),
    }


def platform_labels() -> dict[str, str]:
    """Labels of stack-level objects shared by all registrations."""
    return {"app.kubernetes.io/managed-by": MANAGED_BY, "app.kubernetes.io/part-of": MANAGED_BY}


def aws_tags(tenant: Tenant) -> dict[str, str]:
    return {
        "tenant": tenant.spec.tenant,
        "registration": tenant.name,
        "environment": tenant.environment,
        "managed-by": MANAGED_BY,
    }
