import pytest

from components.tenant_secrets import TenantSecrets, TenantSecretsArgs
from tenancy.manifests import external_secrets
from tests.support.one_component import StandIn, build_alone, child_types, children, stand_in_urn, waiting_for
from tests.support.program import children_of, component, make_settings, of_tenant


def parts(plan, tenant):
    return {r.inputs["metadata"]["name"]: r for r in children_of(plan, component(plan, "TenantSecrets", f"{tenant}-secrets").urn)}


def test_store_uses_the_tenant_role(dev_plan):
    store = parts(dev_plan, "alpha")["vault-tenant"]
    assert store.inputs["kind"] == "SecretStore" and store.inputs["apiVersion"] == "external-secrets.io/v1"
    auth = store.inputs["spec"]["provider"]["vault"]["auth"]["kubernetes"]
    assert auth["role"] == "argo-tenants-dev-alpha"
    role = [r for r in of_tenant(dev_plan, "alpha") if r.type == "vault:kubernetes/authBackendRole:AuthBackendRole"][0]
    assert role.urn in store.depends_on


def test_one_external_secret_per_bucket_location(dev_plan):
    assert set(parts(dev_plan, "alpha")) == {"vault-tenant", "s3-credentials-alpha", "s3-credentials-alpha-data"}
    assert set(parts(dev_plan, "beta")) == {"vault-tenant", "s3-credentials-beta"}


def test_external_secret_reads_what_credentials_wrote(dev_plan):
    es = parts(dev_plan, "alpha")["s3-credentials-alpha-data"]
    keys = {d["remoteRef"]["key"] for d in es.inputs["spec"]["data"]}
    assert keys == {"argo/apps/alpha/s3/data"}
    written = [r for r in of_tenant(dev_plan, "alpha") if r.name == "alpha-credentials-data"][0]
    assert written.urn in es.depends_on
    assert es.inputs["metadata"]["namespace"] == "wf-acme-alpha-pipeline"


# Built alone, its arguments written out: the manifests built with the Outputs they wait for.

VAULT = make_settings().vault


def secrets_alone():
    def program():
        namespace = StandIn("namespace", "wf-lab-repo")
        role = StandIn("role", "lab-role")
        paths = {purpose: StandIn(f"{purpose}-path", f"apps/lab/s3/{purpose}") for purpose in ("artifacts", "data")}
        TenantSecrets(
            "lab-secrets",
            TenantSecretsArgs(
                store=external_secrets.vault_secret_store(
                    name="vault-tenant", namespace="wf-lab-repo", vault=VAULT, role=role.value, service_account="eso", labels={}
                ),
                credentials={
                    purpose: external_secrets.external_secret(
                        name=f"s3-lab-{purpose}", namespace="wf-lab-repo", store="vault-tenant", remote_key=path.value,
                        keys=("KEY",), refresh_interval="5m", labels={},
                    )
                    for purpose, path in paths.items()
                },
                namespace=namespace.value,
            ),
        )

    return build_alone(program)


@pytest.fixture(scope="module")
def alone():
    return secrets_alone()


def test_alone_a_store_and_an_external_secret_per_purpose(alone):
    assert child_types(alone, "TenantSecrets", "lab-secrets") == {
        "lab-secrets-store": "kubernetes:external-secrets.io/v1:SecretStore",
        "lab-secrets-artifacts": "kubernetes:external-secrets.io/v1:ExternalSecret",
        "lab-secrets-data": "kubernetes:external-secrets.io/v1:ExternalSecret",
    }


def test_alone_the_store_logs_in_with_the_role_it_waits_for(alone):
    store = children(alone, "TenantSecrets", "lab-secrets")["lab-secrets-store"]
    assert store.inputs["spec"]["provider"]["vault"]["auth"]["kubernetes"]["role"] == "lab-role"
    assert stand_in_urn(alone, "role") in store.depends_on


def test_alone_each_external_secret_reads_the_vault_secret_of_its_purpose_and_waits_for_it(alone):
    found = children(alone, "TenantSecrets", "lab-secrets")
    for purpose, other in (("artifacts", "data"), ("data", "artifacts")):
        secret = found[f"lab-secrets-{purpose}"]
        assert [entry["remoteRef"]["key"] for entry in secret.inputs["spec"]["data"]] == [f"apps/lab/s3/{purpose}"]
        assert stand_in_urn(alone, f"{purpose}-path") in secret.depends_on
        assert stand_in_urn(alone, f"{other}-path") not in secret.depends_on


def test_alone_everything_waits_for_the_namespace(alone):
    found = children(alone, "TenantSecrets", "lab-secrets")
    assert waiting_for(alone, stand_in_urn(alone, "namespace")) == set(found)
    assert {part.inputs["metadata"]["namespace"] for part in found.values()} == {"wf-lab-repo"}
