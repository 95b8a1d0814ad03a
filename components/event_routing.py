"""Stack-level Argo Events routing: the GitHub EventSource, the Sensor, and the Sensor's service account."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.kubernetes_object import kubernetes_object


@dataclass(frozen=True)
class EventRoutingArgs:
    """Manifests from `tenancy.manifests`: `rbac.platform_service_account` for the service account,
    `argo_events.event_source` and `argo_events.sensor` over the stack's deployed registrations."""

    service_account: dict
    event_source: dict
    sensor: dict


class EventRouting(pulumi.ComponentResource):
    """Children: ServiceAccount `argo-tenants-sensor` (each tenant namespace lets it create
    Workflows), EventSource and Sensor `repo-registrations`, one entry and one trigger per registration;
    in a shard stack each name ends in `-<shard>`."""

    def __init__(self, name: str, args: EventRoutingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:EventRouting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kubernetes_object(f"{name}-sensor-service-account", args.service_account, child)
        kubernetes_object(f"{name}-event-source", args.event_source, child)
        kubernetes_object(f"{name}-sensor", args.sensor, child)
        self.register_outputs({})
