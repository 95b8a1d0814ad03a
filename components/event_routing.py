"""Stack-level Argo Events routing: the service account every registration's Sensor runs as.

Each registration's EventSource, Sensor and Ingress are its own (components/tenant_webhook.py), so that
one tenant's broken Secret or filter stops nobody else's webhooks (tenancy/manifests/argo_events.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.kubernetes_object import kubernetes_object


@dataclass(frozen=True)
class EventRoutingArgs:
    """`rbac.platform_service_account` for the Sensors' service account."""

    service_account: dict


class EventRouting(pulumi.ComponentResource):
    """Children: ServiceAccount `argo-tenants-sensor` (each tenant namespace lets it create Workflows);
    in a shard stack its name ends in `-<shard>`."""

    def __init__(self, name: str, args: EventRoutingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:EventRouting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kubernetes_object(f"{name}-sensor-service-account", args.service_account, child)
        self.register_outputs({})
