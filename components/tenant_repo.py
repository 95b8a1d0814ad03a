"""Everything one registration gets in one environment, composed from the tenant components."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_github as github

from components.tenant_bucket import TenantBucket, TenantBucketArgs
from components.tenant_credentials import TenantCredentials, TenantCredentialsArgs
from components.tenant_namespace import TenantNamespace, TenantNamespaceArgs
from components.tenant_secrets import TenantSecrets, TenantSecretsArgs
from components.tenant_vault_access import TenantVaultAccess, TenantVaultAccessArgs
from components.tenant_webhook import TenantWebhook, TenantWebhookArgs
from components.tenant_workflows import TenantWorkflows, TenantWorkflowsArgs
from tenancy.model import labels, naming
from tenancy.model.tenant import Tenant


@dataclass(frozen=True)
class TenantRepoArgs:
    tenant: Tenant
    github_provider: github.Provider
    webhook_secret_store: pulumi.Input[str]


class TenantRepo(pulumi.ComponentResource):
    """Children: TenantNamespace, a TenantBucket per dedicated bucket, TenantCredentials,
    TenantVaultAccess, TenantSecrets, TenantWorkflows and TenantWebhook."""

    def __init__(self, name: str, args: TenantRepoArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantRepo", name, None, opts)
        tenant = args.tenant
        child = pulumi.ResourceOptions(parent=self)
        tags = labels.aws_tags(tenant)
        namespace = TenantNamespace(f"{name}-namespace", TenantNamespaceArgs(tenant=tenant), child)
        buckets = {
            location.purpose: TenantBucket(
                f"{name}-{location.purpose}",
                TenantBucketArgs(
                    location=location,
                    tags=tags,
                    protect=location.purpose == "data" and tenant.settings.protect_data_buckets,
                ),
                child,
            )
            for location in tenant.managed_buckets
        }
        credentials = TenantCredentials(f"{name}-credentials", TenantCredentialsArgs(tenant=tenant, tags=tags), child)
        vault_access = TenantVaultAccess(
            f"{name}-vault", TenantVaultAccessArgs(tenant=tenant, namespace=namespace.name), child
        )
        TenantSecrets(
            f"{name}-secrets",
            TenantSecretsArgs(
                tenant=tenant,
                namespace=namespace.name,
                vault_role=vault_access.role_name,
                vault_paths=credentials.vault_paths,
            ),
            child,
        )
        workflows = TenantWorkflows(
            f"{name}-workflows", TenantWorkflowsArgs(tenant=tenant, namespace=namespace.name), child
        )
        TenantWebhook(
            f"{name}-webhook",
            TenantWebhookArgs(
                tenant=tenant, github_provider=args.github_provider, secret_store=args.webhook_secret_store
            ),
            child,
        )
        mount = tenant.settings.vault.kv_mount
        self.summary = {
            "repository": f"{tenant.owner}/{tenant.repo}",
            "namespace": namespace.name,
            "workflowTemplate": workflows.template_name,
            "artifacts": tenant.artifacts.s3_uri,
            "data": tenant.data.s3_uri if tenant.data else None,
            "buckets": {purpose: bucket.bucket_name for purpose, bucket in buckets.items()},
            "iamUser": credentials.user_name,
            "vaultPaths": [f"{mount}/{path}" for path in tenant.vault_paths],
            "webhookUrl": tenant.webhook_url,
            "paused": tenant.spec.paused,
        }
        # Kept out of the summary: one secret value would make Pulumi hide the whole summary.
        self.access_key_id = credentials.access_key_id
        self.register_outputs({**self.summary, "accessKeyId": self.access_key_id})
