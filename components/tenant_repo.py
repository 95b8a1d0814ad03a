"""Everything one registration gets in one environment, composed from the tenant components."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

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
from tenancy.manifests import argo_cd, argo_events, argo_workflows, external_secrets, github_app, guardrails, iam_policy, rbac, vault_policy
from tenancy.model import labels, naming
from tenancy.model.summary import RegistrationSummary
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
    """Children, in the order of what one registration gets (docs/registration.md): TenantNamespace,
    a TenantBucket per dedicated bucket and TenantCredentials (with storage minio: MinioBucket and
    MinioCredentials), TenantVaultAccess, TenantSecrets, TenantWorkflows, TenantWebhook, with the
    GitHub App TenantGithubTokens, and with spec.definitions TenantDefinitions.

    The one component that reads the registration: each step builds its child's manifests from it,
    with the Outputs of the earlier steps that child waits for, and returns what later steps wait for.
    `summary` is what the stack output `tenants` reports of it.
    """

    def __init__(self, name: str, args: TenantRepoArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantRepo", name, None, opts)
        tenant = args.tenant
        self._child = pulumi.ResourceOptions(parent=self)
        self._labels = labels.tenant_labels(tenant)
        self._tags = labels.aws_tags(tenant)
        namespace = self._namespace(name, tenant)
        buckets = self._buckets(name, tenant)
        credentials = self._credentials(name, tenant, buckets)
        vault_role = self._vault_access(name, tenant, namespace)
        self._secrets(name, tenant, namespace, vault_role, credentials.vault_paths)
        template = self._workflows(name, tenant, namespace)
        self._webhook(name, tenant, args.github_provider, args.webhook_secret_store)
        if tenant.settings.github_app is not None:
            self._github_tokens(name, tenant, namespace)
        if tenant.definitions is not None:
            self._definitions(name, tenant, namespace)
        self.summary = _summary(tenant, namespace, template, buckets, credentials.user_name)
        # Kept out of the summary: one secret value would make Pulumi hide the whole summary.
        self.access_key_id = credentials.access_key_id
        self.register_outputs({**self.summary.exported(), "accessKeyId": self.access_key_id})

    def _namespace(self, name: str, tenant: Tenant) -> pulumi.Output[str]:
        # The workflow pods run as wf-runner; ESO logs in to Vault as eso-vault, and reads the
        # repository's GitHub tokens from the App's namespace as eso-github; argo-server acts for the
        # people of adminUsers and readUsers as the SSO accounts.
        accounts = rbac.service_account_names(tenant)
        sso_accounts = rbac.sso_service_accounts(tenant)
        namespace = TenantNamespace(
            f"{name}-namespace",
            TenantNamespaceArgs(
                namespace=rbac.namespace(tenant),
                service_accounts=[*(rbac.service_account(tenant, account) for account in accounts), *sso_accounts],
                roles=rbac.tenant_rbac(tenant),
                token_accounts=[account["metadata"]["name"] for account in sso_accounts],
                token_labels=self._labels,
                token_annotations=labels.tenant_annotations(tenant),
                guardrails=guardrails.namespace_guardrails(tenant),
            ),
            self._child,
        )
        return namespace.name

    def _buckets(self, name: str, tenant: Tenant) -> dict[str, TenantBucket | MinioBucket]:
        bucket_component = STORAGE[tenant.settings.storage][0]
        buckets = {}
        for location in tenant.managed_buckets:
            # Artifact buckets too: a pipeline's --outdir results are as valuable as its inputs.
            args = TenantBucketArgs(location=location, tags=self._tags, protect=tenant.settings.protect_buckets)
            buckets[location.purpose] = bucket_component(f"{name}-{location.purpose}", args, self._child)
        return buckets

    def _credentials(self, name: str, tenant: Tenant, buckets: Mapping) -> TenantCredentials | MinioCredentials:
        credentials_component = STORAGE[tenant.settings.storage][1]
        args = TenantCredentialsArgs(
            user_name=tenant.storage_user_name,
            policy_name=tenant.storage_policy_name,
            policy=iam_policy.s3_access_policy(tenant),
            rotation=tenant.spec.credentials_rotation,
            kv_mount=tenant.settings.vault.kv_mount,
            vault_paths={location.purpose: location.vault_path for location in tenant.locations},
            tags=self._tags,
            granted_buckets=[bucket.bucket_name for bucket in buckets.values()],
        )
        return credentials_component(f"{name}-credentials", args, self._child)

    def _vault_access(self, name: str, tenant: Tenant, namespace: pulumi.Output[str]) -> pulumi.Output[str]:
        vault = tenant.settings.vault
        args = TenantVaultAccessArgs(
            policy_name=tenant.vault_policy_name,
            policy=vault_policy.tenant_policy(tenant),
            role_name=tenant.vault_role_name,
            auth_backend=vault.kubernetes_auth_mount,
            audience=vault.token_audience,
            service_account=naming.ESO_SERVICE_ACCOUNT,
            namespace=namespace,
        )
        return TenantVaultAccess(f"{name}-vault", args, self._child).role_name

    def _secrets(
        self,
        name: str,
        tenant: Tenant,
        namespace: pulumi.Output[str],
        vault_role: pulumi.Output[str],
        vault_paths: Mapping[str, pulumi.Output[str]],
    ) -> None:
        """The store waits for the Vault role it logs in with, each ExternalSecret for the Vault secret it reads."""
        settings = tenant.settings
        store = external_secrets.vault_secret_store(
            name=naming.TENANT_SECRET_STORE,
            namespace=tenant.namespace,
            vault=settings.vault,
            role=vault_role,
            service_account=naming.ESO_SERVICE_ACCOUNT,
            labels=self._labels,
        )
        credentials = {
            location.purpose: external_secrets.s3_credentials_secret(
                location,
                remote_key=vault_paths[location.purpose],
                namespace=tenant.namespace,
                refresh_interval=settings.secret_refresh_interval,
                labels=self._labels,
            )
            for location in tenant.locations
        }
        TenantSecrets(f"{name}-secrets", TenantSecretsArgs(store=store, credentials=credentials, namespace=namespace), self._child)

    def _workflows(self, name: str, tenant: Tenant, namespace: pulumi.Output[str]) -> pulumi.Output[str]:
        args = TenantWorkflowsArgs(
            artifact_repositories=argo_workflows.artifact_repositories_configmap(tenant),
            workflow_template=argo_workflows.workflow_template(tenant),
            namespace=namespace,
        )
        return TenantWorkflows(f"{name}-workflows", args, self._child).template_name

    def _webhook(self, name: str, tenant: Tenant, github_provider: github.Provider, secret_store: pulumi.Input[str]) -> None:
        settings = tenant.settings
        args = TenantWebhookArgs(
            repository=tenant.repo,
            url=tenant.webhook_url,
            active=not tenant.spec.paused,
            kv_mount=settings.vault.kv_mount,
            vault_path=tenant.github_vault_path,
            secret_name=tenant.github_secret_name,
            events_namespace=settings.namespaces.argo_events,
            refresh_interval=settings.secret_refresh_interval,
            labels=self._labels,
            github_provider=github_provider,
            secret_store=secret_store,
            event_route=argo_events.event_route(tenant),
        )
        TenantWebhook(f"{name}-webhook", args, self._child)

    def _github_tokens(self, name: str, tenant: Tenant, namespace: pulumi.Output[str]) -> None:
        purposes = naming.GITHUB_TOKEN_PURPOSES
        args = TenantGithubTokensArgs(
            generators={purpose: github_app.token_generator(tenant, purpose) for purpose in purposes},
            token_names={purpose: tenant.github_token_name(purpose) for purpose in purposes},
            app_namespace=tenant.settings.github_app.namespace,
            reader=github_app.token_reader(tenant, namespace),
            store=github_app.token_store(tenant),
            namespace=namespace,
            labels=self._labels,
        )
        TenantGithubTokens(f"{name}-github-tokens", args, self._child)

    def _definitions(self, name: str, tenant: Tenant, namespace: pulumi.Output[str]) -> None:
        """The Application syncs into the namespace, so it waits for it."""
        args = TenantDefinitionsArgs(
            app_project=argo_cd.app_project(tenant),
            application=argo_cd.application(tenant, namespace),
            waiter_role=argo_cd.sync_waiter_role(tenant),
            waiter_binding=argo_cd.sync_waiter_binding(tenant),
        )
        TenantDefinitions(f"{name}-definitions", args, self._child)


def _summary(
    tenant: Tenant, namespace: pulumi.Output[str], template: pulumi.Output[str], buckets: Mapping, iam_user: pulumi.Output[str]
) -> RegistrationSummary:
    """The registration as the stack output `tenants` reports it, the named objects as their Outputs."""
    mount = tenant.settings.vault.kv_mount
    return RegistrationSummary(
        repository=f"{tenant.owner}/{tenant.repo}",
        namespace=namespace,
        workflow_template=template,
        artifacts=tenant.artifacts.s3_uri,
        data=tenant.data.s3_uri if tenant.data else None,
        buckets={purpose: bucket.bucket_name for purpose, bucket in buckets.items()},
        iam_user=iam_user,
        vault_paths=[f"{mount}/{path}" for path in tenant.vault_paths],
        webhook_url=tenant.webhook_url,
        paused=tenant.spec.paused,
        admin_users=list(tenant.spec.admin_users),
        read_users=list(tenant.spec.read_users),
        public=tenant.spec.is_public,
        definitions=argo_cd.summary(tenant),
        deployers=list(tenant.deployers),
        refs={"branch": tenant.tracked_refs.branch, "tags": tenant.tracked_refs.tags},
        runner={
            "executor": tenant.spec.nextflow.executor,
            **tenant.runner_resources.model_dump(),
            "workDir": argo_workflows.work_dir(tenant),
            "paramsFile": tenant.spec.nextflow.params_file,
            "profile": tenant.spec.nextflow.profile,
        },
        guardrails={
            "podSecurity": tenant.pod_security,
            "quota": tenant.quota.model_dump(),
            "containerMax": tenant.settings.guardrails.container_limits.max.model_dump(),
            "egressPorts": guardrails.egress_ports(tenant),
        },
    )
