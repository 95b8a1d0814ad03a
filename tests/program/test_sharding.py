"""The whole program on a stack that is one shard of its environment: it deploys its shard's
registrations only, and its stack-level objects carry the shard so that shards never share one."""

from __future__ import annotations

import pytest
import yaml

from tests.support.program import children_of, component, registration, run_program

SHARDS = ["a", "b"]


@pytest.fixture(scope="module")
def shard_tenants(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tenants")
    for name, shard in (("alpha", "a"), ("beta", "b"), ("gamma", "a")):
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(registration(name, shard=shard), sort_keys=False))
    return directory


def run_shard(tenants, shard):
    # The committed dev stack, made shard `shard` of dev (it already sets its environment).
    result = run_program(
        "dev",
        tenants=tenants,
        shard={"name": shard, "of": SHARDS},
        webhookBaseUrl=f"https://events.dev.example.org/{shard}",
    )
    assert result.error is None, result.error
    return result


@pytest.fixture(scope="module")
def shard_a(shard_tenants):
    return run_shard(shard_tenants, "a")


@pytest.fixture(scope="module")
def shard_b(shard_tenants):
    return run_shard(shard_tenants, "b")


def kinds(plan, type_name, name):
    return {r.inputs["kind"]: r.inputs for r in children_of(plan, component(plan, type_name, name).urn) if "kind" in r.inputs}


def test_a_shard_stack_deploys_the_registrations_of_its_shard_only(shard_a, shard_b):
    assert sorted(shard_a.outputs["tenants"]) == ["alpha", "gamma"]
    assert sorted(shard_b.outputs["tenants"]) == ["beta"]


def test_event_routing_of_a_shard_carries_its_name(shard_a):
    routing = kinds(shard_a, "EventRouting", "event-routing")
    assert routing["ServiceAccount"]["metadata"]["name"] == "argo-tenants-sensor-a"
    # Each registration's Sensor runs as its shard's account (its EventSource is its own, in any shard).
    sensors = [r.inputs for r in shard_a.resources if r.type == "kubernetes:argoproj.io/v1alpha1:Sensor"]
    assert sensors and {s["spec"]["template"]["serviceAccountName"] for s in sensors} == {"argo-tenants-sensor-a"}


def test_webhook_secret_store_of_a_shard_carries_its_name(shard_b):
    parts = {r.type: r.inputs for r in children_of(shard_b, component(shard_b, "WebhookSecretStore", "webhooks").urn)}
    store = parts["kubernetes:external-secrets.io/v1:SecretStore"]
    assert store["metadata"]["name"] == "argo-tenants-webhooks-b"
    assert store["spec"]["provider"]["vault"]["auth"]["kubernetes"]["role"] == "argo-tenants-dev-webhooks-b"
    assert store["spec"]["provider"]["vault"]["auth"]["kubernetes"]["serviceAccountRef"]["name"] == "argo-tenants-webhooks-b"
    assert parts["kubernetes:core/v1:ServiceAccount"]["metadata"]["name"] == "argo-tenants-webhooks-b"
    assert parts["vault:index/policy:Policy"]["name"] == "argo-tenants-dev-webhooks-b"
    assert parts["vault:kubernetes/authBackendRole:AuthBackendRole"]["roleName"] == "argo-tenants-dev-webhooks-b"
    assert parts["vault:kubernetes/authBackendRole:AuthBackendRole"]["boundServiceAccountNames"] == ["argo-tenants-webhooks-b"]


def test_tenant_namespaces_trust_their_own_shards_sensor(shard_b):
    bindings = [
        r.inputs for r in shard_b.resources
        if r.inputs.get("kind") == "RoleBinding" and r.inputs["metadata"]["name"] == "argo-events-submit"
    ]
    assert [b["subjects"] for b in bindings] == [[{"kind": "ServiceAccount", "name": "argo-tenants-sensor-b", "namespace": "argo-events"}]]


def test_webhook_external_secrets_read_through_their_shards_store(shard_a):
    stores = {
        r.inputs["spec"]["secretStoreRef"]["name"]
        for r in shard_a.resources
        if r.inputs.get("kind") == "ExternalSecret" and r.inputs["metadata"]["namespace"] == "argo-events"
    }
    assert stores == {"argo-tenants-webhooks-a"}


def test_tenant_level_names_do_not_depend_on_the_shard(shard_a):
    # What makes a move between shards a state move, not a replacement.
    alpha = shard_a.outputs["tenants"]["alpha"]
    assert (alpha["iamUser"], alpha["namespace"]) == ("argo-tenants-dev-alpha", "wf-acme-alpha")


def test_no_two_shards_register_the_same_object(shard_a, shard_b):
    def objects(plan):
        found = set()
        for r in plan.resources:
            if r.type.startswith("kubernetes:") and "kind" in r.inputs:
                found.add((r.inputs["kind"], r.inputs["metadata"].get("namespace"), r.inputs["metadata"]["name"]))
            elif r.type in ("vault:index/policy:Policy", "vault:kubernetes/authBackendRole:AuthBackendRole"):
                found.add((r.type, r.inputs.get("name") or r.inputs.get("roleName")))
            elif r.type in ("aws:iam/user:User", "aws:s3/bucket:Bucket", "vault:kv/secretV2:SecretV2"):
                found.add((r.type, r.inputs.get("name") or r.inputs.get("bucket")))
        return found

    assert objects(shard_a) & objects(shard_b) == set()


def test_a_registration_without_a_shard_stops_a_shard_stack(shard_tenants, tmp_path):
    (tmp_path / "delta.yaml").write_text(yaml.safe_dump(registration("delta"), sort_keys=False))
    result = run_program("dev", tenants=tmp_path, shard={"name": "a", "of": SHARDS})
    assert result.resources == []
    assert "delta.yaml:5: spec.shard: is required because environment dev is split into shards a, b" in result.error
