import pulumi_github as github
import pytest

from components.tenant_webhook import TenantWebhook, TenantWebhookArgs
from tests.support.one_component import StandIn, build_alone, child_types, children, stand_in_urn
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
    assert es["metadata"] == {**es["metadata"], "name": "argo-tenants-webhook-alpha", "namespace": "argo-events"}
    assert es["spec"]["secretStoreRef"] == {"name": "argo-tenants-webhooks", "kind": "SecretStore"}
    assert es["spec"]["data"] == [{"secretKey": "secret", "remoteRef": {"key": "argo/apps/alpha/github", "property": "secret"}}]


# Built alone, its arguments written out.

EVENTS = "argoproj.io/v1alpha1"
ROUTE = (
    {"apiVersion": EVENTS, "kind": "EventSource", "metadata": {"name": "github-lab", "namespace": "events"}, "spec": {"github": {}}},
    {"apiVersion": EVENTS, "kind": "Sensor", "metadata": {"name": "github-lab", "namespace": "events"}, "spec": {"triggers": []}},
    {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "github-lab", "namespace": "events"}, "spec": {"rules": []}},
)


def webhook_alone(active: bool = True):
    def program():
        provider = github.Provider("github-lab", owner="lab")
        store = StandIn("store", "webhook-store")
        TenantWebhook(
            "lab-webhook",
            TenantWebhookArgs(
                repository="pipeline",
                url="https://events.example.org/github/lab",
                active=active,
                kv_mount="secrets",
                vault_path="apps/lab/github",
                secret_name="lab-github",
                events_namespace="events",
                refresh_interval="5m",
                labels={"tenant": "lab"},
                github_provider=provider,
                secret_store=store.value,
                event_route=ROUTE,
            ),
        )

    return build_alone(program)


@pytest.fixture(scope="module")
def alone():
    return webhook_alone()


def test_alone_the_secret_its_vault_copy_its_external_secret_and_the_hook(alone):
    assert child_types(alone, "TenantWebhook", "lab-webhook") == {
        "lab-webhook-secret": "random:index/randomPassword:RandomPassword",
        "lab-webhook-vault": "vault:kv/secretV2:SecretV2",
        "lab-webhook-external-secret": "kubernetes:external-secrets.io/v1:ExternalSecret",
        "lab-webhook-eventsource": f"kubernetes:{EVENTS}:EventSource",
        "lab-webhook-sensor": f"kubernetes:{EVENTS}:Sensor",
        "lab-webhook-ingress": "kubernetes:networking.k8s.io/v1:Ingress",
        "lab-webhook-hook": HOOK,
    }


def test_alone_the_route_is_registered_as_given_and_waits_for_nothing(alone):
    # A hook that fails (repository deleted, App uninstalled) holds back no route: nothing depends on it.
    found = children(alone, "TenantWebhook", "lab-webhook")
    for manifest in ROUTE:
        resource = found[f"lab-webhook-{manifest['kind'].lower()}"]
        assert resource.inputs["spec"] == manifest["spec"]
        assert found["lab-webhook-hook"].urn not in resource.depends_on


def test_alone_the_hook_is_made_with_the_provider_it_is_given(alone):
    hook = children(alone, "TenantWebhook", "lab-webhook")["lab-webhook-hook"]
    assert hook.provider == alone.get("pulumi:providers:github", "github-lab").urn


def test_alone_the_webhook_secret_stays_secret_in_vault_and_in_the_hook(alone):
    found = children(alone, "TenantWebhook", "lab-webhook")
    assert found["lab-webhook-vault"].inputs == {"mount": "secrets", "name": "apps/lab/github", "dataJson": "[secret]"}
    assert found["lab-webhook-hook"].inputs["configuration"]["secret"] == "[secret]"


def test_alone_the_hook_sends_pushes_as_json_over_verified_tls_to_the_url(alone):
    hook = children(alone, "TenantWebhook", "lab-webhook")["lab-webhook-hook"].inputs
    assert (hook["repository"], hook["events"], hook["active"]) == ("pipeline", ["push"], True)
    assert hook["configuration"] == {
        "url": "https://events.example.org/github/lab", "contentType": "json", "secret": "[secret]", "insecureSsl": False,
    }


def test_alone_an_inactive_hook_when_asked():
    hook = children(webhook_alone(active=False), "TenantWebhook", "lab-webhook")["lab-webhook-hook"]
    assert hook.inputs["active"] is False


def test_alone_the_external_secret_reads_the_vault_copy_through_the_store_it_waits_for(alone):
    found = children(alone, "TenantWebhook", "lab-webhook")
    secret = found["lab-webhook-external-secret"]
    assert secret.inputs["spec"]["secretStoreRef"] == {"name": "webhook-store", "kind": "SecretStore"}
    assert secret.inputs["spec"]["data"] == [{"secretKey": "secret", "remoteRef": {"key": "apps/lab/github", "property": "secret"}}]
    assert {stand_in_urn(alone, "store"), found["lab-webhook-vault"].urn} <= set(secret.depends_on)
    assert secret.inputs["metadata"] == {"name": "lab-github", "namespace": "events", "labels": {"tenant": "lab"}}
    assert secret.inputs["spec"]["refreshInterval"] == "5m"
