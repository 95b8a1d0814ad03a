from tenancy.manifests.vault_policy import tenant_policy, webhook_policy
from tests.support.program import make_settings, registration, tenant_of
from tests.support.policy_checks import vault_allows, vault_rules

# ESO looks its token up before it marks a SecretStore Ready and revokes it afterwards; without
# Vault's `default` policy the roles must grant exactly that (tests/integration proves it on OpenBao).
TOKEN_SELF = {"auth/token/lookup-self": {"read"}, "auth/token/revoke-self": {"update"}}

ALPHA = tenant_of(registration("alpha", dataBucket={"bucket": "alpha-data"}))
BETA = tenant_of(registration("beta", artifactBucket={"bucket": "beta-artifacts", "externalSecretPath": "kv/argo/apps/beta/s3/artifacts"}))


def test_tenant_reads_its_s3_credentials_only():
    assert vault_rules(tenant_policy(ALPHA)) == {
        "kv/data/argo/apps/alpha/s3/artifacts": {"read"},
        "kv/data/argo/apps/alpha/s3/data": {"read"},
        **TOKEN_SELF,
    }


def test_a_written_path_is_the_derived_one():
    assert vault_rules(tenant_policy(BETA)) == {"kv/data/argo/apps/beta/s3/artifacts": {"read"}, **TOKEN_SELF}


def test_another_tenant_and_the_prefix_above_are_refused():
    policy = tenant_policy(ALPHA)
    assert not vault_allows(policy, "kv/data/platform/argo-tenants/github", "read")
    assert not vault_allows(policy, "kv/data/argo/apps/beta/s3/artifacts", "read")
    assert not vault_allows(policy, "kv/data/argo/apps/alpha", "read")
    assert not vault_allows(policy, "kv/metadata/argo/apps/alpha/s3/artifacts", "list")
    assert not vault_allows(policy, "kv/data/argo/apps/alpha/s3/artifacts", "update")


def test_tenant_cannot_read_its_own_webhook_secret():
    # Only the Argo Events namespace needs it.
    assert not vault_allows(tenant_policy(ALPHA), "kv/data/argo/apps/alpha/github", "read")


def test_webhook_policy_lists_exact_github_paths_and_no_credentials():
    policy = webhook_policy(make_settings(), [ALPHA, BETA])
    assert vault_rules(policy) == {
        "kv/data/argo/apps/alpha/github": {"read"},
        "kv/data/argo/apps/beta/github": {"read"},
        **TOKEN_SELF,
    }
    assert not vault_allows(policy, "kv/data/argo/apps/alpha/s3/artifacts", "read")
    assert not vault_allows(policy, "kv/data/argo/apps/gamma/github", "read")


def test_other_mount_is_used_when_the_stack_says_so():
    settings = make_settings(vault={"address": "https://v.example.org", "kvMount": "secret"})
    tenant = tenant_of(registration("alpha"), settings)
    assert vault_rules(tenant_policy(tenant)) == {"secret/data/argo/apps/alpha/s3/artifacts": {"read"}, **TOKEN_SELF}
