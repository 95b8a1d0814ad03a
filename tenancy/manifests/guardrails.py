"""What every tenant namespace enforces, from the stack's guardrails setting: Pod Security admission labels,
a ResourceQuota, a LimitRange and a default NetworkPolicy (docs/operations.md#tenant-namespace-guardrails)."""

from __future__ import annotations

from tenancy.model import labels, naming
from tenancy.model.tenant import Tenant

# Pod Security admission (kubernetes.io/docs/concepts/security/pod-security-admission): `enforce` refuses
# a pod that breaks the level; `warn` and `audit` only report, so a namespace at baseline shows what
# restricted would refuse.
POD_SECURITY_LABEL = "pod-security.kubernetes.io/{mode}"
AUDITED_LEVEL = "restricted"
DNS_PORT = 53


def pod_security_labels(tenant: Tenant) -> dict[str, str]:
    level = tenant.pod_security
    return {
        POD_SECURITY_LABEL.format(mode="enforce"): level,
        POD_SECURITY_LABEL.format(mode="warn"): AUDITED_LEVEL,
        POD_SECURITY_LABEL.format(mode="audit"): AUDITED_LEVEL,
    }



def resource_quota(tenant: Tenant) -> dict:
    """Totals over the namespace's pods. Quotas on requests and limits make Kubernetes refuse a container
    without them, so the LimitRange below gives every container defaults."""
    quota = tenant.quota
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": labels.tenant_metadata(tenant, naming.TENANT_RESOURCE_QUOTA),
        "spec": {
            "hard": {
                "requests.cpu": quota.cpu,
                "limits.cpu": quota.cpu,
                "requests.memory": quota.memory,
                "limits.memory": quota.memory,
                "pods": str(quota.pods),
            }
        },
    }


def limit_range(tenant: Tenant) -> dict:
    limits = tenant.settings.guardrails.container_limits
    default = {"cpu": limits.default.cpu, "memory": limits.default.memory}
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": labels.tenant_metadata(tenant, naming.TENANT_LIMIT_RANGE),
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": default,
                    "defaultRequest": default,
                    "max": {"cpu": limits.max.cpu, "memory": limits.max.memory},
                }
            ]
        },
    }


def egress_ports(tenant: Tenant) -> list[int]:
    """TCP ports pods may reach: the stack's list and the port of every S3 endpoint the registration uses."""
    ports = set(tenant.settings.guardrails.network.egress_ports)
    ports.update(location.service.port for location in tenant.locations)
    return sorted(ports)


def network_policy(tenant: Tenant) -> dict:
    """Every pod of the namespace: no ingress (nothing connects to workflow pods: Argo's executor reports
    through the API server), egress only to DNS and to the listed ports. The CIDRs cover addresses outside
    the cluster; `namespaceSelector: {}` adds pods of the cluster (an in-cluster MinIO), which some network
    plugins (Cilium) never match by CIDR."""
    network = tenant.settings.guardrails.network
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": labels.tenant_metadata(tenant, naming.TENANT_NETWORK_POLICY),
        "spec": {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "egress": [
                {"ports": [{"protocol": protocol, "port": DNS_PORT} for protocol in ("UDP", "TCP")]},
                {
                    "to": [*({"ipBlock": {"cidr": cidr}} for cidr in network.egress_cidrs), {"namespaceSelector": {}}],
                    "ports": [{"protocol": "TCP", "port": port} for port in egress_ports(tenant)],
                },
            ],
        },
    }


def namespace_guardrails(tenant: Tenant) -> list[dict]:
    """The namespace's ResourceQuota, LimitRange and NetworkPolicy (the Pod Security labels are the Namespace's own)."""
    return [resource_quota(tenant), limit_range(tenant), network_policy(tenant)]
