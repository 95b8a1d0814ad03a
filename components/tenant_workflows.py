"""What Argo Workflows reads in the tenant namespace: the artifact repository ConfigMap and the WorkflowTemplate."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.kubernetes_object import kubernetes_object


@dataclass(frozen=True)
class TenantWorkflowsArgs:
    """Manifests from `tenancy.manifests.argo_workflows` (`artifact_repositories_configmap`,
    `workflow_template`), and the namespace as an Output of the Namespace, so both wait for it."""

    artifact_repositories: dict
    workflow_template: dict
    namespace: pulumi.Input[str]


class TenantWorkflows(pulumi.ComponentResource):
    """Children: ConfigMap `artifact-repositories` (key `default-v1`, the namespace's default
    artifact repository) and the WorkflowTemplate named by workflowTemplateRef."""

    def __init__(self, name: str, args: TenantWorkflowsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantWorkflows", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kubernetes_object(f"{name}-artifact-repositories", args.artifact_repositories, child, namespace=args.namespace)
        template = kubernetes_object(f"{name}-template", args.workflow_template, child, namespace=args.namespace)
        self.template_name = template.metadata.apply(lambda metadata: metadata["name"])
        self.register_outputs({"template_name": self.template_name})
