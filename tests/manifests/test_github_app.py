"""A registration's GitHub tokens: minted for one repository and one permission in the App's namespace, read by
its own tenant namespace only; and no role this program grants lets a tenant write ExternalSecrets,
generators or Secrets anywhere."""

import pytest

from tenancy.manifests import github_app, rbac
from tenancy.model import naming
from tests.support.policy_checks import rbac_allows
from tests.support.program import GITHUB_APP, make_settings, registration, tenant_of

SETTINGS = make_settings(githubApp=GITHUB_APP)
ALPHA = tenant_of(registration("alpha", adminUsers=["lead@acme.org"], readUsers=["viewer@acme.org"]), SETTINGS)
BETA = tenant_of(registration("beta", repoUrl="https://github.com/other-org/beta.git", adminUsers=["boss@other.org"]), SETTINGS)
APP_NAMESPACE = "argo-tenants-github"


def minted_token(tenant, purpose):
    """The minting ExternalSecret as TenantRepo has it built (its generator named as in the program)."""
    name = tenant.github_token_name(purpose)
    return github_app.minted_token(name=name, namespace=APP_NAMESPACE, generator=name, labels={})


def copied(builder, tenant, purpose):
    """A copy into the tenant namespace as TenantGithubTokens builds it (the store named as in the program)."""
    return builder(namespace=tenant.namespace, store=naming.GITHUB_TOKEN_STORE, token=tenant.github_token_name(purpose), labels={})


def granted(*tenants):
    """Every (Role, RoleBinding) this program grants for `tenants`: in their namespaces and in the App's."""
    return [pair for tenant in tenants for pair in (*rbac.tenant_rbac(tenant), github_app.token_reader(tenant, tenant.namespace))]


def tenant_facing_subjects(tenant):
    """Who a tenant is or can act as: its users, and every service account of its namespace (a tenant admin
    can run a Workflow as any of them)."""
    users = [{"kind": "User", "name": email} for email in (*tenant.spec.admin_users, *tenant.spec.read_users)]
    accounts = (naming.RUNNER_SERVICE_ACCOUNT, naming.ESO_SERVICE_ACCOUNT, naming.GITHUB_TOKEN_SERVICE_ACCOUNT, "default")
    return users + [{"kind": "ServiceAccount", "name": account, "namespace": tenant.namespace} for account in accounts]


@pytest.mark.parametrize("purpose", naming.GITHUB_TOKEN_PURPOSES)
def test_each_token_is_for_one_repository_and_one_permission(purpose):
    generator = github_app.token_generator(ALPHA, purpose)
    assert generator["apiVersion"] == "generators.external-secrets.io/v1alpha1" and generator["kind"] == "GithubAccessToken"
    assert generator["metadata"]["namespace"] == APP_NAMESPACE
    assert generator["metadata"]["name"] == f"argo-tenants-alpha-{purpose}"
    spec = generator["spec"]
    assert (spec["appID"], spec["installID"]) == ("123456", "1111")
    assert spec["repositories"] == ["alpha"]
    assert spec["permissions"] == {"contents": {"contents": "read"}, "status": {"statuses": "write"}}[purpose]
    # ESO reads the key from the generator's own namespace: the App's, never a tenant's.
    assert spec["auth"] == {"privateKey": {"secretRef": {"name": "github-app", "key": "private-key"}}}


def test_the_installation_is_the_owners():
    assert github_app.token_generator(BETA, "contents")["spec"]["installID"] == "2222"
    # Never the file's own: the stack's, for the repository's owner (an id for another owner is refused by validate).
    written = tenant_of(registration("gamma", installationId=4444), SETTINGS)
    assert github_app.token_generator(written, "status")["spec"]["installID"] == "1111"


def test_tokens_are_minted_in_the_apps_namespace_with_a_namespaced_generator():
    minted = minted_token(ALPHA, "contents")
    assert minted["metadata"] == {"name": "argo-tenants-alpha-contents", "namespace": APP_NAMESPACE, "labels": minted["metadata"]["labels"]}
    [source] = minted["spec"]["dataFrom"]
    # Not a ClusterGenerator: a namespaced generator is out of reach of every other namespace's ExternalSecrets.
    assert source["sourceRef"]["generatorRef"] == {
        "apiVersion": "generators.external-secrets.io/v1alpha1",
        "kind": "GithubAccessToken",
        "name": "argo-tenants-alpha-contents",
    }
    assert minted["spec"]["target"]["name"] == "argo-tenants-alpha-contents"


def test_a_token_reaches_a_pod_with_more_than_half_its_hour_left():
    kubelet_sync = 1
    age = github_app.MINT_REFRESH_MINUTES + github_app.COPY_REFRESH_MINUTES + kubelet_sync
    assert age < github_app.TOKEN_LIFETIME_MINUTES / 2
    assert minted_token(ALPHA, "status")["spec"]["refreshInterval"] == "20m"
    assert copied(github_app.status_token, ALPHA, "status")["spec"]["refreshInterval"] == "5m"


def test_the_tenant_store_reads_the_apps_namespace_as_its_own_service_account():
    store = github_app.token_store(ALPHA)
    assert store["metadata"]["namespace"] == "wf-acme-alpha" and store["metadata"]["name"] == "github-tokens"
    provider = store["spec"]["provider"]["kubernetes"]
    assert provider["remoteNamespace"] == APP_NAMESPACE
    assert provider["auth"] == {"serviceAccount": {"name": "eso-github"}}


def test_nextflow_gets_its_scm_file_and_the_exit_handler_its_token():
    scm = copied(github_app.git_credentials, ALPHA, "contents")
    assert scm["metadata"]["namespace"] == "wf-acme-alpha" and scm["spec"]["target"]["name"] == "git-credentials"
    assert scm["spec"]["data"] == [{"secretKey": "token", "remoteRef": {"key": "argo-tenants-alpha-contents", "property": "token"}}]
    rendered = scm["spec"]["target"]["template"]["data"]["scm"]
    assert "user = 'x-access-token'" in rendered and "password = '{{ .token }}'" in rendered
    status = copied(github_app.status_token, ALPHA, "status")
    assert status["spec"]["data"][0]["remoteRef"]["key"] == "argo-tenants-alpha-status"
    assert status["spec"]["target"]["name"] == "github-status-token"


def test_the_reader_may_get_its_own_two_tokens_and_nothing_else():
    role, binding = github_app.token_reader(ALPHA, ALPHA.namespace)
    assert role["metadata"]["namespace"] == binding["metadata"]["namespace"] == APP_NAMESPACE
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["argo-tenants-alpha-contents", "argo-tenants-alpha-status"], "verbs": ["get"]}
    ]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "eso-github", "namespace": "wf-acme-alpha"}]


def test_another_tenant_cannot_read_a_tenants_tokens():
    pairs = granted(ALPHA, BETA)
    alpha_store = {"kind": "ServiceAccount", "name": "eso-github", "namespace": ALPHA.namespace}
    beta_store = {"kind": "ServiceAccount", "name": "eso-github", "namespace": BETA.namespace}
    for purpose in naming.GITHUB_TOKEN_PURPOSES:
        secret = ALPHA.github_token_name(purpose)
        assert rbac_allows(pairs, alpha_store, "get", "", "secrets", APP_NAMESPACE, secret)
        assert not rbac_allows(pairs, beta_store, "get", "", "secrets", APP_NAMESPACE, secret)
        for subject in tenant_facing_subjects(BETA):
            assert not rbac_allows(pairs, subject, "get", "", "secrets", APP_NAMESPACE, secret), subject
    # Not even its own tokens by listing, nor the App's private key.
    assert not rbac_allows(pairs, alpha_store, "list", "", "secrets", APP_NAMESPACE)
    assert not rbac_allows(pairs, alpha_store, "get", "", "secrets", APP_NAMESPACE, "github-app")


WRITES = ("create", "update", "patch", "delete", "deletecollection")
GUARDED = [
    ("external-secrets.io", "externalsecrets"),
    ("external-secrets.io", "secretstores"),
    ("external-secrets.io", "pushsecrets"),
    ("generators.external-secrets.io", "githubaccesstokens"),
    ("generators.external-secrets.io", "clustergenerators"),
    ("", "secrets"),
]


@pytest.mark.parametrize(("group", "resource"), GUARDED)
def test_no_tenant_facing_role_may_write_external_secrets_generators_or_secrets(group, resource):
    pairs = granted(ALPHA, BETA)
    namespaces = {ALPHA.namespace, BETA.namespace, APP_NAMESPACE, "argo-events"}
    for tenant in (ALPHA, BETA):
        for subject in tenant_facing_subjects(tenant):
            for namespace in namespaces:
                for verb in WRITES:
                    assert not rbac_allows(pairs, subject, verb, group, resource, namespace), (subject, verb, namespace)


def test_no_role_this_program_grants_uses_a_wildcard():
    for role, _ in granted(ALPHA, BETA):
        for rule in role["rules"]:
            assert "*" not in (*rule["apiGroups"], *rule["resources"], *rule["verbs"]), role["metadata"]


def test_the_apps_namespace_cannot_be_a_tenant_namespace():
    from tenancy.model.problems import SettingsError

    with pytest.raises(SettingsError, match="githubApp.namespace: 'wf-acme-alpha' could be a tenant namespace"):
        make_settings(githubApp={**GITHUB_APP, "namespace": "wf-acme-alpha"})
