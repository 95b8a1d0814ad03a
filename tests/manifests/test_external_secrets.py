from tenancy.manifests import external_secrets
from tests.support.program import make_settings, registration, tenant_of

TENANT = tenant_of(registration("alpha", artifactBucket={"bucket": "a-artifacts", "externalSecretPath": "kv/argo/apps/alpha/s3/artifacts"}))


def test_secret_store_logs_in_with_the_tenant_role_and_own_service_account():
    store = external_secrets.vault_secret_store(
        name="vault-tenant", namespace="wf-acme-alpha", vault=TENANT.settings.vault,
        role=TENANT.vault_role_name, service_account="eso-vault", labels={},
    )
    assert store["apiVersion"] == "external-secrets.io/v1"
    vault = store["spec"]["provider"]["vault"]
    assert vault == {
        "server": "https://vault.example.org:8200",
        "path": "kv",
        "version": "v2",
        "auth": {"kubernetes": {
            "mountPath": "kubernetes",
            "role": "argo-tenants-dev-alpha",
            "serviceAccountRef": {"name": "eso-vault", "audiences": ["vault"]},
        }},
    }


def test_s3_external_secret_reads_the_path_under_the_mount_without_data():
    es = external_secrets.s3_credentials_secret(TENANT.artifacts, remote_key=TENANT.artifacts.vault_path, namespace="wf-acme-alpha", refresh_interval="1h", labels={})
    assert es["metadata"]["name"] == es["spec"]["target"]["name"] == "s3-credentials-alpha"
    assert es["spec"]["secretStoreRef"] == {"name": "vault-tenant", "kind": "SecretStore"}
    assert es["spec"]["data"] == [
        {"secretKey": "AWS_ACCESS_KEY_ID", "remoteRef": {"key": "argo/apps/alpha/s3/artifacts", "property": "AWS_ACCESS_KEY_ID"}},
        {"secretKey": "AWS_SECRET_ACCESS_KEY", "remoteRef": {"key": "argo/apps/alpha/s3/artifacts", "property": "AWS_SECRET_ACCESS_KEY"}},
    ]


def test_secret_keys_are_what_the_artifact_repository_names():
    from tenancy.manifests.argo_workflows import artifact_repository

    es = external_secrets.s3_credentials_secret(TENANT.artifacts, remote_key=TENANT.artifacts.vault_path, namespace="n", refresh_interval="1h", labels={})
    s3 = artifact_repository(TENANT.artifacts)["s3"]
    produced = {(es["spec"]["target"]["name"], d["secretKey"]) for d in es["spec"]["data"]}
    assert {(s3["accessKeySecret"]["name"], s3["accessKeySecret"]["key"]), (s3["secretKeySecret"]["name"], s3["secretKeySecret"]["key"])} <= produced
