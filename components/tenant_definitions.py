"""A registration's own workflow definitions, synced by Argo CD: its AppProject and Application, and the
waiter's read access to that Application, all in Argo CD's namespace."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.kubernetes_object import kubernetes_object


@dataclass(frozen=True)
class TenantDefinitionsArgs:
    """Manifests from `tenancy.manifests.argo_cd`: `app_project`, `application` (which waits for the tenant
    namespace through its destination), `sync_waiter_role` and `sync_waiter_binding`."""

    app_project: dict
    application: dict
    waiter_role: dict
    waiter_binding: dict


class TenantDefinitions(pulumi.ComponentResource):
    """Children: the AppProject that confines the registration (its repository, its namespace, the allowed
    kinds), the Application that syncs its folder, and the Role and RoleBinding that let the run's waiter
    `get` that Application."""

    def __init__(self, name: str, args: TenantDefinitionsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantDefinitions", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        project = kubernetes_object(f"{name}-project", args.app_project, child)
        # The Application names its project by the name both were built with; until the project exists,
        # Argo CD would refuse the Application (and Pulumi deletes it last, after the Application).
        application = kubernetes_object(
            f"{name}-application", args.application, pulumi.ResourceOptions(parent=self, depends_on=[project])
        )
        kubernetes_object(f"{name}-waiter-role", args.waiter_role, child)
        kubernetes_object(f"{name}-waiter-rolebinding", args.waiter_binding, child)
        self.application_name = application.metadata.apply(lambda metadata: metadata["name"])
        self.register_outputs({"application_name": self.application_name})
