"""Stack-level Argo Events routing: the GitHub EventSource, the Sensor, and the Sensor's service account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import argo_events
from tenancy.model import labels, naming
from tenancy.model.settings import StackSettings
from tenancy.model.tenant import Tenant


@dataclass(frozen=True)
class EventRoutingArgs:
    settings: StackSettings
    tenants: Sequence[Tenant]


class EventRouting(pulumi.ComponentResource):
    """Children: ServiceAccount `argo-tenants-sensor` (each tenant namespace lets it create
    Workflows), EventSource and Sensor `repo-registrations`, one entry and one trigger per registration;
    in a shard stack each name ends in `-<shard>`."""

    def __init__(self, name: str, args: EventRoutingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:EventRouting", name, None, opts)
        settings = args.settings
        child = pulumi.ResourceOptions(parent=self)
        kubernetes_object(
            f"{name}-sensor-service-account",
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {
                    "name": naming.sensor_service_account_name(settings.shard_name),
                    "namespace": settings.namespaces.argo_events,
                    "labels": labels.platform_labels(),
                },
            },
            child,
        )
        kubernetes_object(f"{name}-event-source", argo_events.event_source(settings, args.tenants), child)
        kubernetes_object(f"{name}-sensor", argo_events.sensor(settings, args.tenants), child)
        self.register_outputs({})
