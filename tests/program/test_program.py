"""The whole program (__main__.py) under the mock engine."""

import json

from tests.support.program import of_tenant, registration, run_program

PER_TENANT = {
    "argo-tenants:index:TenantNamespace", "argo-tenants:index:TenantCredentials", "argo-tenants:index:TenantVaultAccess",
    "argo-tenants:index:TenantSecrets", "argo-tenants:index:TenantWorkflows", "argo-tenants:index:TenantWebhook",
    "kubernetes:core/v1:Namespace", "kubernetes:core/v1:ServiceAccount", "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "aws:iam/user:User", "aws:iam/userPolicy:UserPolicy",
    "aws:iam/accessKey:AccessKey", "vault:kv/secretV2:SecretV2", "vault:index/policy:Policy",
    "vault:kubernetes/authBackendRole:AuthBackendRole", "kubernetes:external-secrets.io/v1:SecretStore",
    "kubernetes:external-secrets.io/v1:ExternalSecret", "kubernetes:core/v1:ConfigMap",
    "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate", "random:index/randomPassword:RandomPassword",
    "github:index/repositoryWebhook:RepositoryWebhook",
}


def test_every_registration_gets_the_whole_set(dev_plan):
    for tenant in ("alpha", "beta", "gamma"):
        assert PER_TENANT <= {r.type for r in of_tenant(dev_plan, tenant)}, tenant


def test_environments_select_registrations(dev_plan, prod_plan):
    assert set(dev_plan.outputs["tenants"]) == {"alpha", "beta", "gamma"}
    assert set(prod_plan.outputs["tenants"]) == {"alpha", "beta", "gamma", "delta"}


def test_component_tokens_are_literal_three_part_tokens(dev_plan):
    for resource in dev_plan.resources:
        if not resource.custom:
            assert resource.type.startswith("argo-tenants:index:") and resource.type.count(":") == 2


def test_every_resource_has_a_component_parent_except_providers(dev_plan):
    components = {r.urn for r in dev_plan.resources if not r.custom}
    for resource in dev_plan.resources:
        if resource.type.startswith("pulumi:providers:"):
            continue
        if resource.custom:
            assert resource.parent in components, resource.urn


def test_outputs_say_where_everything_is(dev_plan):
    alpha = dev_plan.outputs["tenants"]["alpha"]
    assert alpha["namespace"] == "wf-acme-alpha-pipeline"
    assert alpha["artifacts"] == "s3://alpha-artifacts-dev/workflows/"
    assert alpha["data"] == "s3://alpha-data-dev/"
    assert alpha["buckets"] == {"artifacts": "alpha-artifacts-dev", "data": "alpha-data-dev"}
    assert alpha["iamUser"] == "argo-tenants-dev-alpha"
    assert alpha["vaultPaths"] == ["kv/argo/apps/alpha/s3/artifacts", "kv/argo/apps/alpha/s3/data", "kv/argo/apps/alpha/github"]
    assert alpha["webhookUrl"] == "https://events.dev.argo.example.org/github/alpha"
    assert dev_plan.outputs["tenants"]["beta"]["artifacts"] == "s3://calypr-dev-argo-artifacts/beta/"


def test_credentials_leave_the_stack_only_as_secrets(dev_plan):
    assert dev_plan.outputs["accessKeyIds"] == "[secret]"
    assert "accessKeyId" not in json.dumps(dev_plan.outputs["tenants"])


def test_no_provider_lookups(dev_plan):
    assert dev_plan.invokes == []


def test_a_bad_tenant_file_stops_everything_with_file_and_line(tmp_path):
    import yaml

    (tmp_path / "good.yaml").write_text(yaml.safe_dump(registration("good")))
    bad = registration("bad")
    bad["spec"]["artifactBucket"]["bucket"] = "Bad_Bucket"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad, sort_keys=False))
    result = run_program("dev", tenants=tmp_path)
    assert result.resources == []
    assert "bad.yaml:9: spec.artifactBucket.bucket: 'Bad_Bucket' is not a valid S3 bucket name" in result.error
    assert "Traceback" not in result.error


def test_a_missing_setting_stops_everything_naming_the_key(tmp_path):
    result = run_program("dev", tenants=tmp_path, webhookBaseUrl="not a url")
    assert result.resources == []
    assert result.error.startswith("argo-tenants:webhookBaseUrl:")


def test_no_tenants_means_no_event_routing(tmp_path):
    result = run_program("dev", tenants=tmp_path)
    assert result.error is None
    assert {r.type for r in result.resources} == {
        "argo-tenants:index:WebhookSecretStore", "kubernetes:core/v1:ServiceAccount", "vault:index/policy:Policy",
        "vault:kubernetes/authBackendRole:AuthBackendRole", "kubernetes:external-secrets.io/v1:SecretStore",
    }


def test_the_repository_tenants_plan_for_every_stack():
    from tests.support.program import PROJECT_DIR

    for stack in ("dev", "prod"):
        result = run_program(stack, tenants=PROJECT_DIR / "tenants")
        assert result.error is None, result.error
        assert result.outputs["tenants"]


# With the GitHub App: one installation per owner, tokens per registration.

APP_CONFIG = {"githubApp": {"appId": 123456, "installations": {"acme": 1111, "GammaLab": 3333, "other-org": 2222}}, "githubAppPrivateKey": "planted-pem"}


def test_each_owner_authenticates_as_its_own_installation(tmp_path, monkeypatch):
    import pulumi_github

    # The provider's whole appAuth is secret in the plan (it carries the key), so the arguments are
    # recorded where the program hands them over.
    seen = {}

    class Recording(pulumi_github.Provider):
        def __init__(self, resource_name, opts=None, **kwargs):
            seen[resource_name] = kwargs
            super().__init__(resource_name, opts, **kwargs)

    monkeypatch.setattr(pulumi_github, "Provider", Recording)
    tenants = tmp_path / "tenants"
    tenants.mkdir()
    for document in (
        registration("alpha"),
        registration("beta", repoUrl="https://github.com/ACME/beta.git"),
        registration("gamma", repoUrl="https://github.com/GammaLab/gamma.git"),
        registration("delta", repoUrl="https://github.com/other-org/delta.git"),
    ):
        (tenants / f"{document['metadata']['name']}.yaml").write_text(json.dumps(document))
    plan = run_program("dev", tenants, **APP_CONFIG)
    assert plan.error is None, plan.error
    providers = {r.name: r.inputs for r in plan.resources if r.type == "pulumi:providers:github"}
    assert set(providers) == set(seen) == {"github-acme", "github-gammalab", "github-other-org"}
    assert {name: (args["owner"], args["app_auth"].installation_id, args["app_auth"].id) for name, args in seen.items()} == {
        "github-acme": ("acme", "1111", "123456"),
        "github-gammalab": ("GammaLab", "3333", "123456"),
        "github-other-org": ("other-org", "2222", "123456"),
    }
    assert all(inputs["appAuth"] == "[secret]" and "token" not in inputs for inputs in providers.values())
    for tenant in ("alpha", "beta", "gamma", "delta"):
        assert "argo-tenants:index:TenantGithubTokens" in {r.type for r in of_tenant(plan, tenant)}, tenant


def test_an_unknown_owner_stops_the_program_at_its_file_and_line(tmp_path):
    tenants = tmp_path / "tenants"
    tenants.mkdir()
    (tenants / "x.yaml").write_text(json.dumps(registration("x", repoUrl="https://github.com/nobody-yet/x.git"), indent=1))
    plan = run_program("dev", tenants, **APP_CONFIG)
    assert "x.yaml:" in str(plan.error) and "spec.repoUrl: no GitHub App installation is known for owner 'nobody-yet'" in str(plan.error)


def test_without_the_app_providers_use_the_token_and_no_tokens_are_minted(token_plan):
    providers = [r for r in token_plan.resources if r.type == "pulumi:providers:github"]
    assert providers and all("appAuth" not in r.inputs for r in providers)
    assert not [r for r in token_plan.resources if "GithubAccessToken" in r.type]
