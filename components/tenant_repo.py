"""Everything one registration gets in one environment, composed from the tenant components."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_github as github

from components.minio_bucket import MinioBucket
from components.minio_credentials import MinioCredentials
from components.tenant_bucket import TenantBucket, TenantBucketArgs
from components.tenant_credentials import TenantCredentials, TenantCredentialsArgs
from components.tenant_definitions import TenantDefinitions, TenantDefinitionsArgs
from components.tenant_github_tokens import TenantGithubTokens, TenantGithubTokensArgs
from components.tenant_namespace import TenantNamespace, TenantNamespaceArgs
from components.tenant_secrets import TenantSecrets, TenantSecretsArgs
from components.tenant_vault_access import TenantVaultAccess, TenantVaultAccessArgs
from components.tenant_webhook import TenantWebhook, TenantWebhookArgs
from components.tenant_workflows import TenantWorkflows, TenantWorkflowsArgs
from tenancy.manifests import argo_cd, argo_workflows, external_secrets, github_app, iam_policy, rbac, vault_policy
from tenancy.model import labels, naming
from tenancy.model.tenant import Tenant


# What creates a registration's buckets and keys, by the stack setting `storage`: the same arguments,
# the same Vault secrets and Outputs, through AWS's API or MinIO's.
STORAGE = {"aws": (TenantBucket, TenantCredentials), "minio": (MinioBucket, MinioCredentials)}


@dataclass(frozen=True)
class TenantRepoArgs:
    tenant: Tenant
    github_provider: github.Provider
    webhook_secret_store: pulumi.Input[str]


class TenantRepo(pulumi.ComponentResource):
    """Children: TenantNamespace, a TenantBucket per dedicated bucket and TenantCredentials (with
    storage minio: MinioBucket and MinioCredentials), TenantVaultAccess, TenantSecrets,
    TenantWorkflows, TenantWebhook, with the GitHub App TenantGithubTokens, and with spec.definitions
    TenantDefinitions.

    The one component that reads the registration: each child gets only the names, paths, locations
    and manifests it uses, and the Outputs of its siblings that it waits for.
    """

    def __init__(self, name: str, args: TenantRepoArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantRepo", name, None, opts)
        tenant = args.tenant
        settings = tenant.settings
        child = pulumi.ResourceOptions(parent=self)
        tags = labels.aws_tags(tenant)
        tenant_labels = labels.tenant_labels(tenant)
        app = settings.github_app
        # The workflow pods run as wf-runner; ESO logs in to Vault as eso-vault, and reads the
        # repository's GitHub tokens from the App's namespace as eso-github; argo-server acts for the
        # people of adminUsers and readUsers as the SSO accounts.
        accounts = [naming.RUNNER_SERVICE_ACCOUNT, naming.ESO_SERVICE_ACCOUNT]
        if app is not None:
            accounts.append(naming.GITHUB_TOKEN_SERVICE_ACCOUNT)
        if tenant.definitions is not None:
            accounts.append(naming.SYNC_WAITER_SERVICE_ACCOUNT)
        sso_accounts = rbac.sso_service_accounts(tenant)
        namespace = TenantNamespace(
            f"{name}-namespace",
            TenantNamespaceArgs(
                namespace=rbac.namespace(tenant),
                service_accounts=[*(rbac.service_account(tenant, account) for account in accounts), *sso_accounts],
                roles=rbac.tenant_rbac(tenant),
                token_secrets=[rbac.token_secret(tenant, account["metadata"]["name"]) for account in sso_accounts],
            ),
            child,
        )
        bucket_component, credentials_component = STORAGE[settings.storage]
        buckets = {
            location.purpose: bucket_component(
                f"{name}-{location.purpose}",
                TenantBucketArgs(
                    location=location,
                    tags=tags,
                    # Artifact buckets too: a pipeline's --outdir results are as valuable as its inputs.
                    protect=settings.protect_buckets,
                ),
                child,
            )
            for location in tenant.managed_buckets
        }
        credentials = credentials_component(
            f"{name}-credentials",
            TenantCredentialsArgs(
                user_name=tenant.storage_user_name,
                policy_name=tenant.storage_policy_name,
                policy=iam_policy.s3_access_policy(tenant),
                rotation=tenant.spec.credentials_rotation,
                kv_mount=settings.vault.kv_mount,
                vault_paths={location.purpose: location.vault_path for location in tenant.locations},
                tags=tags,
                granted_buckets=[bucket.bucket_name for bucket in buckets.values()],
            ),
            child,
        )
        vault_access = TenantVaultAccess(
            f"{name}-vault",
            TenantVaultAccessArgs(
                policy_name=tenant.vault_policy_name,
                policy=vault_policy.tenant_policy(tenant),
                role_name=tenant.vault_role_name,
                auth_backend=settings.vault.kubernetes_auth_mount,
                audience=settings.vault.token_audience,
                service_account=naming.ESO_SERVICE_ACCOUNT,
                namespace=namespace.name,
            ),
            child,
        )
        TenantSecrets(
            f"{name}-secrets",
            TenantSecretsArgs(
                store=external_secrets.vault_secret_store(
                    name=naming.TENANT_SECRET_STORE,
                    namespace=tenant.namespace,
                    settings=settings,
                    role=tenant.vault_role_name,
                    service_account=naming.ESO_SERVICE_ACCOUNT,
                    labels=tenant_labels,
                ),
                credentials={
                    location.purpose: external_secrets.s3_credentials_secret(
                        location,
                        namespace=tenant.namespace,
                        refresh_interval=settings.secret_refresh_interval,
                        labels=tenant_labels,
                    )
                    for location in tenant.locations
                },
                namespace=namespace.name,
                vault_role=vault_access.role_name,
                vault_paths=credentials.vault_paths,
            ),
            child,
        )
        workflows = TenantWorkflows(
            f"{name}-workflows",
            TenantWorkflowsArgs(
                artifact_repositories=argo_workflows.artifact_repositories_configmap(tenant),
                workflow_template=argo_workflows.workflow_template(tenant),
                namespace=namespace.name,
            ),
            child,
        )
        TenantWebhook(
            f"{name}-webhook",
            TenantWebhookArgs(
                repository=tenant.repo,
                url=tenant.webhook_url,
                active=not tenant.spec.paused,
                kv_mount=settings.vault.kv_mount,
                vault_path=tenant.github_vault_path,
                external_secret=external_secrets.external_secret(
                    name=tenant.github_secret_name,
                    namespace=settings.namespaces.argo_events,
                    store=naming.webhook_secret_store_name(settings.shard_name),
                    remote_key=tenant.github_vault_path,
                    keys=external_secrets.WEBHOOK_KEYS,
                    refresh_interval=settings.secret_refresh_interval,
                    labels=tenant_labels,
                ),
                github_provider=args.github_provider,
                secret_store=args.webhook_secret_store,
            ),
            child,
        )
        if app is not None:
            TenantGithubTokens(
                f"{name}-github-tokens",
                TenantGithubTokensArgs(
                    generators={p: github_app.token_generator(tenant, p) for p in naming.GITHUB_TOKEN_PURPOSES},
                    minted={p: github_app.minted_token(tenant, p) for p in naming.GITHUB_TOKEN_PURPOSES},
                    reader=github_app.token_reader(tenant),
                    store=github_app.token_store(tenant),
                    copies=[github_app.git_credentials(tenant), github_app.status_token(tenant)],
                    namespace=namespace.name,
                ),
                child,
            )
        if tenant.definitions is not None:
            TenantDefinitions(
                f"{name}-definitions",
                TenantDefinitionsArgs(
                    app_project=argo_cd.app_project(tenant),
                    application=argo_cd.application(tenant, namespace.name),
                    waiter_role=argo_cd.sync_waiter_role(tenant),
                    waiter_binding=argo_cd.sync_waiter_binding(tenant),
                ),
                child,
            )
        mount = settings.vault.kv_mount
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
            # Who may see and run its workflows, as the reviewer of a plan must know it (rbac.tenant_rbac).
            "adminUsers": list(tenant.spec.admin_users),
            "readUsers": list(tenant.spec.read_users),
            "public": tenant.spec.is_public,
            # Where Argo CD syncs the repository's own definitions from, and what a push runs; None: the
            # generated template only.
            "definitions": argo_cd.summary(tenant),
            "deployers": list(tenant.deployers),
        }
        # Kept out of the summary: one secret value would make Pulumi hide the whole summary.
        self.access_key_id = credentials.access_key_id
        self.register_outputs({**self.summary, "accessKeyId": self.access_key_id})
