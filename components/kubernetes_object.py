"""Registers one Kubernetes manifest (a dict from `tenancy`) as the matching Pulumi Kubernetes resource."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

# Core and RBAC kinds need their typed classes (their type tokens are not `<apiVersion>:<kind>`);
# everything else is a CRD and goes through CustomResource with its `spec`.
_TYPED = {
    ("v1", "Namespace"): (k8s.core.v1.Namespace, ()),
    ("v1", "ServiceAccount"): (k8s.core.v1.ServiceAccount, ()),
    ("v1", "ConfigMap"): (k8s.core.v1.ConfigMap, ("data",)),
    ("v1", "Secret"): (k8s.core.v1.Secret, ("type", "stringData")),
    ("v1", "ResourceQuota"): (k8s.core.v1.ResourceQuota, ("spec",)),
    ("v1", "LimitRange"): (k8s.core.v1.LimitRange, ("spec",)),
    ("networking.k8s.io/v1", "NetworkPolicy"): (k8s.networking.v1.NetworkPolicy, ("spec",)),
    ("rbac.authorization.k8s.io/v1", "Role"): (k8s.rbac.v1.Role, ("rules",)),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): (k8s.rbac.v1.RoleBinding, ("roleRef", "subjects")),
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"): (
        k8s.admissionregistration.v1.ValidatingAdmissionPolicy,
        ("spec",),
    ),
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"): (
        k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding,
        ("spec",),
    ),
    ("networking.k8s.io/v1", "Ingress"): (k8s.networking.v1.Ingress, ("spec",)),
}
_SNAKE = {"roleRef": "role_ref", "stringData": "string_data"}


def kubernetes_object(
    resource_name: str,
    manifest: dict[str, Any],
    opts: pulumi.ResourceOptions,
    namespace: pulumi.Input[str] | None = None,
) -> pulumi.CustomResource:
    """`namespace`, when given, replaces the manifest's namespace with an Output (of the Namespace
    resource), so the object waits for its namespace through data rather than depends_on."""
    metadata = dict(manifest["metadata"])
    if namespace is not None:
        metadata["namespace"] = namespace
    key = (manifest["apiVersion"], manifest["kind"])
    typed = _TYPED.get(key)
    if typed is not None:
        cls, fields = typed
        body = {_SNAKE.get(field, field): manifest[field] for field in fields if field in manifest}
        return cls(resource_name, metadata=metadata, opts=opts, **body)
    extra = set(manifest) - {"apiVersion", "kind", "metadata", "spec"}
    if extra:
        raise ValueError(f"{key}: custom resources carry only a spec, not {sorted(extra)}")
    return k8s.apiextensions.CustomResource(
        resource_name,
        api_version=manifest["apiVersion"],
        kind=manifest["kind"],
        metadata=metadata,
        spec=manifest.get("spec"),
        opts=opts,
    )
