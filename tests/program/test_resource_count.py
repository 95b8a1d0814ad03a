"""How many resources one registration costs, as docs/scale.md accounts for them, rule by rule.

Every resource is paid for on every preview and update, so a new one must be justified in
docs/scale.md and counted here.
"""

from __future__ import annotations

import pytest

from tests.support.program import children_of, component

# docs/scale.md, "Resources per tenant".
FIXED_PER_TENANT = 33
PER_VAULT_LOCATION = 2  # the credentials' Vault secret and the ExternalSecret that reads it
PER_DEDICATED_BUCKET = 7  # TenantBucket, Bucket and its five settings
PER_ACCESS_LEVEL = 4  # ServiceAccount, token Secret, Role and RoleBinding for admins, and for readers
PER_APP_TENANT = 11  # with the GitHub App: the tokens' component, account, store, 2 generators, 4 ExternalSecrets, Role, RoleBinding
PER_K8S_EXECUTOR = 3  # ServiceAccount nextflow-task, Role and RoleBinding nextflow-executor
PER_STACK = 7  # WebhookSecretStore (5) and EventRouting (2)


def _descendants(plan, urn: str) -> list:
    found = []
    for child in children_of(plan, urn):
        found.append(child)
        found.extend(_descendants(plan, child.urn))
    return found


@pytest.mark.parametrize("stack_plan", ["dev_plan", "prod_plan", "token_plan"])
def test_each_tenant_costs_what_docs_scale_md_accounts_for(request, stack_plan):
    plan = request.getfixturevalue(stack_plan)
    repos = plan.by_type("argo-tenants:index:TenantRepo")
    assert len(repos) >= 2
    for repo in repos:
        _check_tenant(plan, repo)


def _check_tenant(plan, repo) -> None:
    name = repo.name
    tenant_resources = [repo, *_descendants(plan, repo.urn)]
    buckets = [resource for resource in tenant_resources if resource.type == "aws:s3/bucket:Bucket"]
    locations = [resource for resource in tenant_resources if resource.type == "kubernetes:external-secrets.io/v1:ExternalSecret" and resource.name.startswith(f"{name}-secrets-")]
    access_levels = [resource for resource in tenant_resources if resource.type.endswith(":Role") and resource.name.endswith(("-tenant-admin", "-tenant-reader"))]
    executors = [resource for resource in tenant_resources if resource.type.endswith(":Role") and resource.name.endswith("-nextflow-executor")]
    with_app = any(resource.type == "argo-tenants:index:TenantGithubTokens" for resource in tenant_resources)
    expected = (
        FIXED_PER_TENANT
        + PER_VAULT_LOCATION * len(locations)
        + PER_DEDICATED_BUCKET * len(buckets)
        + PER_ACCESS_LEVEL * len(access_levels)
        + PER_K8S_EXECUTOR * len(executors)
        + (PER_APP_TENANT if with_app else 0)
    )
    assert len(tenant_resources) == expected, (name, sorted(resource.name for resource in tenant_resources))


def test_the_stack_level_objects_are_counted_once(dev_plan):
    stack_level = [
        resource
        for type_name, name in (("WebhookSecretStore", "webhooks"), ("EventRouting", "event-routing"))
        for resource in (component(dev_plan, type_name, name), *_descendants(dev_plan, component(dev_plan, type_name, name).urn))
    ]
    assert len(stack_level) == PER_STACK


def test_one_github_provider_per_repository_owner(dev_plan):
    providers = dev_plan.by_type("pulumi:providers:github")
    owners = {resource.inputs["owner"].lower() for resource in providers}
    assert len(providers) == len(owners)
