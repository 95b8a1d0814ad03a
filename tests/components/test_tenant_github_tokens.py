"""TenantGithubTokens built alone, its manifests written out; and in the program, only with the GitHub App."""

from components.tenant_github_tokens import TenantGithubTokens, TenantGithubTokensArgs
from tenancy.manifests import github_app
from tenancy.model import naming
from tests.support.one_component import StandIn, build_alone, child_types, children, stand_in_urn, waiting_for
from tests.support.program import GITHUB_APP, make_settings, registration, tenant_of

TENANT = tenant_of(registration("lab", repoUrl="https://github.com/acme/lab.git"), make_settings(githubApp=GITHUB_APP))


def tokens_alone():
    def program():
        namespace = StandIn("namespace", TENANT.namespace)
        TenantGithubTokens(
            "lab-github-tokens",
            TenantGithubTokensArgs(
                generators={p: github_app.token_generator(TENANT, p) for p in naming.GITHUB_TOKEN_PURPOSES},
                token_names={"contents": "argo-tenants-lab-contents", "status": "argo-tenants-lab-status"},
                app_namespace="argo-tenants-github",
                reader=github_app.token_reader(TENANT, namespace.value),
                store=github_app.token_store(TENANT),
                namespace=namespace.value,
                labels={"tenant": "lab"},
            ),
        )

    return build_alone(program)


def test_children():
    plan = tokens_alone()
    generator = "kubernetes:generators.external-secrets.io/v1alpha1:GithubAccessToken"
    external_secret = "kubernetes:external-secrets.io/v1:ExternalSecret"
    assert child_types(plan, "TenantGithubTokens", "lab-github-tokens") == {
        "lab-github-tokens-contents-generator": generator,
        "lab-github-tokens-contents-minted": external_secret,
        "lab-github-tokens-status-generator": generator,
        "lab-github-tokens-status-minted": external_secret,
        "lab-github-tokens-reader-role": "kubernetes:rbac.authorization.k8s.io/v1:Role",
        "lab-github-tokens-reader-rolebinding": "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "lab-github-tokens-store": "kubernetes:external-secrets.io/v1:SecretStore",
        "lab-github-tokens-git-credentials": external_secret,
        "lab-github-tokens-github-status-token": external_secret,
    }


def test_each_minting_secret_waits_for_its_generator():
    plan = tokens_alone()
    parts = children(plan, "TenantGithubTokens", "lab-github-tokens")
    for purpose in naming.GITHUB_TOKEN_PURPOSES:
        generator = parts[f"lab-github-tokens-{purpose}-generator"]
        minted = parts[f"lab-github-tokens-{purpose}-minted"]
        assert generator.urn in minted.depends_on
        ref = minted.inputs["spec"]["dataFrom"][0]["sourceRef"]["generatorRef"]
        assert ref["name"] == f"argo-tenants-lab-{purpose}" and ref["kind"] == "GithubAccessToken"


def test_the_tenant_namespace_objects_wait_for_the_namespace_and_the_copies_for_the_store():
    plan = tokens_alone()
    parts = children(plan, "TenantGithubTokens", "lab-github-tokens")
    assert {
        "lab-github-tokens-store", "lab-github-tokens-git-credentials", "lab-github-tokens-github-status-token",
        "lab-github-tokens-reader-rolebinding",
    } <= waiting_for(plan, stand_in_urn(plan, "namespace"))
    store = parts["lab-github-tokens-store"]
    for copy in ("lab-github-tokens-git-credentials", "lab-github-tokens-github-status-token"):
        assert store.urn in parts[copy].depends_on
        assert parts[copy].inputs["spec"]["secretStoreRef"] == {"name": "github-tokens", "kind": "SecretStore"}
    assert parts["lab-github-tokens-reader-rolebinding"].inputs["subjects"] == [
        {"kind": "ServiceAccount", "name": "eso-github", "namespace": "wf-acme-lab"}
    ]


def test_the_apps_private_key_is_named_only_in_the_apps_namespace():
    plan = tokens_alone()
    for resource in children(plan, "TenantGithubTokens", "lab-github-tokens").values():
        metadata = resource.inputs["metadata"]
        if "github-app" in str(resource.inputs.get("spec", "")):
            assert metadata["namespace"] == "argo-tenants-github", resource.name
