from tests.support.program import children_of, component

HOOK = "github:index/repositoryWebhook:RepositoryWebhook"


def parts(plan, tenant):
    return {r.type: r for r in children_of(plan, component(plan, "TenantWebhook", f"{tenant}-webhook").urn)}


def test_webhook_secret_is_long_random_and_secret(dev_plan):
    password = parts(dev_plan, "alpha")["random:index/randomPassword:RandomPassword"]
    assert password.inputs["length"] >= 32
    hook = parts(dev_plan, "alpha")[HOOK]
    assert hook.inputs["configuration"]["secret"] == "[secret]"


def test_hook_points_at_the_event_source(dev_plan):
    hook = parts(dev_plan, "alpha")[HOOK].inputs
    assert hook["repository"] == "alpha-pipeline"
    assert hook["events"] == ["push"]
    assert hook["active"] is True
    assert hook["configuration"]["url"] == "https://events.dev.argo.example.org/github/alpha"
    assert hook["configuration"]["contentType"] == "json"
    assert hook["configuration"]["insecureSsl"] is False


def test_paused_registration_keeps_an_inactive_hook(dev_plan):
    assert parts(dev_plan, "gamma")[HOOK].inputs["active"] is False


def test_one_provider_per_owner_shared_across_registrations(dev_plan, prod_plan):
    providers = {p.name: p for p in dev_plan.by_type("pulumi:providers:github")}
    assert set(providers) == {"github-acme"}
    used = {parts(dev_plan, name)[HOOK].provider for name in ("alpha", "beta", "gamma")}
    assert used == {providers["github-acme"].urn}
    assert {p.name for p in prod_plan.by_type("pulumi:providers:github")} == {"github-acme", "github-other-org"}
    assert parts(prod_plan, "delta")[HOOK].provider.endswith("::github-other-org")


def test_secret_goes_to_vault_and_into_the_argo_events_namespace(dev_plan):
    found = parts(dev_plan, "alpha")
    stored = found["vault:kv/secretV2:SecretV2"]
    assert stored.inputs == {"mount": "kv", "name": "argo/apps/alpha/github", "dataJson": "[secret]"}
    es = found["kubernetes:external-secrets.io/v1:ExternalSecret"].inputs
    assert es["metadata"] == {**es["metadata"], "name": "alpha-github", "namespace": "argo-events"}
    assert es["spec"]["secretStoreRef"] == {"name": "argo-tenants-webhooks", "kind": "SecretStore"}
    assert es["spec"]["data"] == [{"secretKey": "secret", "remoteRef": {"key": "argo/apps/alpha/github", "property": "secret"}}]
