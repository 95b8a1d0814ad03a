"""Stack-level objects of tenant-owned workflow definitions: the GitHub App's repository credential template
per owner in Argo CD's namespace, and the admission policy (with its binding) that holds what Argo CD syncs
to the platform's guardrails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi

from components.kubernetes_object import kubernetes_object


@dataclass(frozen=True)
class DefinitionsPlatformArgs:
    """Manifests from `tenancy.manifests.argo_cd`: `repo_creds` per GitHub owner (none without the GitHub App:
    public repositories need no credential), `admission_policy` and `admission_binding`."""

    credentials: Sequence[dict]
    policy: dict
    binding: dict


class DefinitionsPlatform(pulumi.ComponentResource):
    """Children: a repo-creds Secret per owner whose registrations sync definitions, the
    ValidatingAdmissionPolicy and its ValidatingAdmissionPolicyBinding."""

    def __init__(self, name: str, args: DefinitionsPlatformArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:DefinitionsPlatform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        for secret in args.credentials:
            kubernetes_object(f"{name}-{secret['metadata']['name']}", secret, child)
        policy = kubernetes_object(f"{name}-policy", args.policy, child)
        # The binding names the policy: created after it, deleted before it.
        kubernetes_object(f"{name}-binding", args.binding, pulumi.ResourceOptions(parent=self, depends_on=[policy]))
        self.register_outputs({})
