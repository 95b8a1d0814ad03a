from tests.support.program import children_of, component, of_tenant


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
