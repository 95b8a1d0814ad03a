"""The argo-tenants program: stack settings -> every valid tenant file of this environment -> one
TenantRepo each -> shared event routing -> stack outputs."""

import gc
import os
from pathlib import Path

import pulumi
from pulumi.runtime import config as runtime_config

from components.definitions_platform import DefinitionsPlatform, DefinitionsPlatformArgs
from components.event_routing import EventRouting, EventRoutingArgs
from components.github_providers import github_providers as github_providers_of
from components.tenant_repo import TenantRepo, TenantRepoArgs
from components.webhook_secret_store import WebhookSecretStore, WebhookSecretStoreArgs
from tenancy.loading.loader import read_directory, tenant_warnings, valid_tenants
from tenancy.manifests import argo_cd, rbac, sizes, vault_policy
from tenancy.model import naming
from tenancy.model.problems import SettingsError, TenantValidationError
from tenancy.model.settings import CONFIG_NAMESPACE, OFFLINE_PLAN_ENV, settings_from_config

# The project's root (where Pulumi.yaml is), which holds its stack files and tenantsDir: this file's
# directory, unless a project elsewhere runs this program through its Pulumi.yaml `main` (examples/minio).
PROJECT_DIR = Path(pulumi.get_root_directory() or Path(__file__).resolve().parent)

# Off until the process exits: the SDK keeps every resource alive until then, so collections only rescan a
# growing heap (3x faster at 1,000 tenants for 5 % more memory; docs/scale.md, "The collector").
gc.disable()


def _stack_config() -> dict:
    # All keys, so that a misspelt setting is an error rather than silently ignored.
    values = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    return values


try:
    settings = settings_from_config(_stack_config(), pulumi.get_stack())
    tenant_files = read_directory(PROJECT_DIR / settings.tenants_dir, display_base=PROJECT_DIR)
    registrations = valid_tenants(tenant_files, settings, checks=(sizes.registration_problems,))
except (SettingsError, TenantValidationError) as err:
    # RunError ends the program with this message only: a traceback would hide the file and line.
    raise pulumi.RunError(str(err)) from None

if settings.github_app is not None and settings.github_app.placeholder and not os.environ.get(OFFLINE_PLAN_ENV):
    # The shipped stacks' App ids are examples: a deployment with them would fail at GitHub halfway through.
    raise pulumi.RunError(
        f"{CONFIG_NAMESPACE}:githubApp is a placeholder (placeholder: true): replace appId and installations with "
        "your GitHub App's ids, then remove placeholder (docs/installation.md, step 7)"
    )

tenants = [tenant for tenant in registrations if tenant.deployed]
# What the tenant files write that the program reads but never uses (a pasted manifest's githubSecretName,
# externalSecretPath, metadata.namespace): `pulumi up` says so, and the plan shows the export at its top.
warnings = [str(warning) for warning in tenant_warnings(tenant_files, registrations)]
for warning in warnings:
    pulumi.log.warn(warning)

config = pulumi.Config(CONFIG_NAMESPACE)
app_private_key = None
if settings.github_app is not None:
    # The App's private key: a stack secret, or GITHUB_APP_PEM_FILE where CI exports it from Vault.
    # Neither is needed by the offline plan, whose mock engine never calls GitHub.
    app_private_key = config.get_secret("githubAppPrivateKey") or pulumi.Output.secret(os.environ.get("GITHUB_APP_PEM_FILE", ""))
github_providers = github_providers_of(tenants, settings.github_app, config.get_secret("githubToken"), app_private_key)

# Stack-level objects live in the Argo Events namespace; a shard stack's names carry its shard.
events_namespace = settings.namespaces.argo_events
webhook_store = WebhookSecretStore(
    "webhooks",
    WebhookSecretStoreArgs(
        service_account=rbac.platform_service_account(naming.webhook_service_account_name(settings.shard_name), events_namespace),
        store_name=naming.webhook_secret_store_name(settings.shard_name),
        vault=settings.vault,
        vault_name=naming.webhook_vault_name(settings.environment, settings.shard_name),
        policy=vault_policy.webhook_policy(settings, tenants),
    ),
)

# The offline verdict builds only the registrations a change touches and takes the others as
# untouched (tenancy.plan.incremental): it alone runs this file with their names in this global.
# `pulumi up` runs it with fresh globals, so every registration is built there. What is derived
# from every registration (providers, the webhook policy, event routing, exports) always is.
only = globals().get("PLAN_ONLY_REGISTRATIONS")
built = tenants if only is None else [tenant for tenant in tenants if tenant.name in only]

# A plain loop: the SDK records the caller's stack per resource, and a comprehension adds a frame to each (docs/scale.md).
repos: dict[str, TenantRepo] = {}
for tenant in built:
    repos[tenant.name] = TenantRepo(
        tenant.name,
        TenantRepoArgs(
            tenant=tenant,
            github_provider=github_providers[tenant.owner.lower()],
            webhook_secret_store=webhook_store.store_name,
        ),
    )

# Registrations whose repositories hold their own definitions: Argo CD reads them with the GitHub App
# (one credential template per owner), and an admission policy holds what it syncs to the guardrails.
synced = [tenant for tenant in tenants if tenant.definitions is not None]
if synced:
    installations = {tenant.owner.lower(): tenant.installation_id for tenant in synced}
    DefinitionsPlatform(
        "definitions",
        DefinitionsPlatformArgs(
            credentials=[
                argo_cd.repo_creds(settings, owner, installation, app_private_key)
                for owner, installation in sorted(installations.items())
                if settings.github_app is not None
            ],
            policy=argo_cd.admission_policy(settings),
            binding=argo_cd.admission_binding(settings),
        ),
    )

if tenants:
    # The identity of every registration's Sensor (each registration's route is its own: TenantWebhook).
    EventRouting(
        "event-routing",
        EventRoutingArgs(
            service_account=rbac.platform_service_account(
                naming.sensor_service_account_name(settings.shard_name), events_namespace
            ),
        ),
    )

pulumi.export("environment", settings.environment)
pulumi.export("warnings", warnings)
# How the stack reaches GitHub, which decides what its runs can do (the plan says it at its top).
pulumi.export(
    "github",
    {"mode": "token"}
    if settings.github_app is None
    else {"mode": "app", "appId": settings.github_app.app_id, "placeholder": settings.github_app.placeholder},
)
# What `plan --base` checks an offboarding against: a bucket leaving the stack must be recorded here.
pulumi.export("retiredBuckets", list(tenant_files.retired.buckets.names))
# ... and a prefix of the fallback bucket leaving (offboarded, or moved to a bucket of its own) here, as s3:// URIs.
pulumi.export("retiredPrefixes", list(tenant_files.retired.buckets.prefix_uris))
pulumi.export("tenants", {name: repo.summary.exported() for name, repo in repos.items()})
# Registrations this stack leaves to another environment or shard, and why: a plan's reviewer sees them.
pulumi.export("skipped", {tenant.name: tenant.skipped_because for tenant in registrations if not tenant.deployed})
# Active access key ids, for matching CloudTrail entries; secret, and never the secret keys.
pulumi.export("accessKeyIds", pulumi.Output.secret({name: repo.access_key_id for name, repo in repos.items()}))
