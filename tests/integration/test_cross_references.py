"""Cross-references over the plan: every name one object gives for another resolves to the right thing."""

from __future__ import annotations

import pytest
import yaml

from tests.integration.graph_checks import (
    cross_reference_problems,
    github_token_problems,
    secret_reference_problems,
    store_problems,
    trigger_problems,
    webhook_problems,
)
from tests.integration.argo_checks import NOT_FOUND, resolve_artifact_repository
from tests.integration.plan import PROJECT_DIR, REPOSITORY_WEBHOOK, VAULT_ROLE

pytestmark = pytest.mark.integration


def test_every_reference_in_the_plan_resolves(plan):
    assert cross_reference_problems(plan) == []


# --- each property, broken on purpose, is caught ---------------------------------------------


def test_an_external_secret_with_the_wrong_key_is_caught(broken):
    secret = broken.object("ExternalSecret", "wf-acme-beta", "s3-credentials-beta")
    secret["spec"]["data"][0]["secretKey"] = "accessKey"
    assert secret_reference_problems(broken) == [
        *(
            f"ConfigMap wf-acme-beta/artifact-repositories data.{key} s3.accessKeySecret: Secret wf-acme-beta/s3-credentials-beta "
            "gets no key AWS_ACCESS_KEY_ID (its ExternalSecret gives ['AWS_SECRET_ACCESS_KEY', 'accessKey'])"
            for key in ("artifactRepositories.beta", "default-v1")
        ),
        "WorkflowTemplate wf-acme-beta/nextflow-repo-runner env AWS_ACCESS_KEY_ID: Secret wf-acme-beta/s3-credentials-beta "
        "gets no key AWS_ACCESS_KEY_ID (its ExternalSecret gives ['AWS_SECRET_ACCESS_KEY', 'accessKey'])",
    ]


def test_an_artifact_repository_naming_a_secret_nobody_produces_is_caught(broken):
    configmap = broken.object("ConfigMap", "wf-gammalab-gamma", "artifact-repositories")
    repository = yaml.safe_load(configmap["data"]["default-v1"])
    repository["s3"]["accessKeySecret"]["name"] = "s3-credentials"
    configmap["data"]["default-v1"] = yaml.safe_dump(repository)
    assert secret_reference_problems(broken) == [
        "ConfigMap wf-gammalab-gamma/artifact-repositories data.default-v1 s3.accessKeySecret: "
        "Secret wf-gammalab-gamma/s3-credentials is produced by no ExternalSecret"
    ]


def test_an_event_source_webhook_secret_in_the_wrong_namespace_is_caught(broken):
    broken.object("ExternalSecret", "argo-events", "argo-tenants-webhook-gamma")["metadata"]["namespace"] = "wf-gammalab-gamma"
    problems = secret_reference_problems(broken)
    assert problems == [
        "EventSource argo-events/github-gamma github.gamma.webhookSecret: Secret argo-events/argo-tenants-webhook-gamma "
        "is produced by no ExternalSecret"
    ]


def test_a_store_that_does_not_exist_or_reads_another_mount_is_caught(broken):
    broken.object("ExternalSecret", "wf-acme-beta", "s3-credentials-beta")["spec"]["secretStoreRef"]["name"] = "vault"
    broken.object("SecretStore", "wf-gammalab-gamma", "vault-tenant")["spec"]["provider"]["vault"]["path"] = "secret"
    assert store_problems(broken) == [
        "ExternalSecret wf-acme-beta/s3-credentials-beta: SecretStore wf-acme-beta/vault does not exist",
        "ExternalSecret wf-gammalab-gamma/s3-credentials-gamma: secret/argo/apps/gamma/s3/artifacts is not a secret "
        "the plan writes (its store reads mount secret)",
        "ExternalSecret wf-gammalab-gamma/s3-credentials-gamma: policy argo-tenants-dev-gamma of its store's role "
        "does not read secret/data/argo/apps/gamma/s3/artifacts",
    ]


def test_a_store_whose_role_is_bound_elsewhere_is_caught(broken):
    role = broken.resource(VAULT_ROLE, "alpha")["inputs"]
    role["boundServiceAccountNamespaces"] = ["wf-acme-beta"]
    role["audience"] = "https://kubernetes.default.svc"
    assert store_problems(broken) == [
        "SecretStore wf-acme-alpha-pipeline/vault-tenant: role argo-tenants-dev-alpha is bound to ['eso-vault'] in "
        "['wf-acme-beta'], not to eso-vault in wf-acme-alpha-pipeline only",
        "SecretStore wf-acme-alpha-pipeline/vault-tenant: role argo-tenants-dev-alpha wants audience "
        "'https://kubernetes.default.svc', the store asks for ['vault']",
    ]


def test_a_trigger_for_a_missing_template_or_parameter_is_caught(broken):
    triggers = {name: broken.trigger(name) for name in ("alpha", "beta", "gamma")}
    triggers["beta"]["argoWorkflow"]["source"]["resource"]["spec"]["workflowTemplateRef"]["name"] = "beta-runner"
    triggers["gamma"]["argoWorkflow"]["source"]["resource"]["spec"]["arguments"]["parameters"][1]["name"] = "commit"
    triggers["alpha"]["argoWorkflow"]["parameters"][2]["dest"] = "spec.arguments.parameters.3.value"
    assert trigger_problems(broken) == [
        "Sensor argo-events/github-alpha trigger alpha: dest spec.arguments.parameters.3.value points past the Workflow's 3 arguments",
        "Sensor argo-events/github-beta trigger beta: WorkflowTemplate wf-acme-beta/beta-runner does not exist",
        "Sensor argo-events/github-gamma trigger gamma: fills parameter commit, which gamma-runner does not declare",
    ]


@pytest.mark.parametrize(
    "name, why",
    [
        ("true", "is a word of the expression language"),
        ("beta-2", "has a character other than letters, digits and '_' ('-' is subtraction)"),
        ("1_2", "does not start with a letter or '_' (a digit starts a number)"),
    ],
)
def test_a_dependency_name_conditions_cannot_name_is_caught(broken, name, why):
    # A bare registration name: `true` would fire on every registration's push, `1_2` is the number 12.
    sensor = broken.object("Sensor", "argo-events", "github-beta")
    sensor["spec"]["dependencies"][0]["name"] = name
    assert f"Sensor argo-events/github-beta: dependency name {name} {why}, so trigger conditions cannot name it" in trigger_problems(broken)


def test_a_trigger_waiting_for_another_dependency_is_caught(broken):
    broken.trigger("beta")["conditions"] = "beta-2"
    problems = trigger_problems(broken)
    assert "Sensor argo-events/github-beta trigger beta: conditions 'beta-2' is not exactly one of the Sensor's dependencies" in problems


def test_a_sensor_that_may_only_create_workflows_is_caught(broken):
    # The program before the fix: `argo submit` could not read the WorkflowTemplate, and the
    # trigger could not list the Workflow it had created.
    for role in broken.manifests("Role"):
        if role["metadata"]["name"] == "argo-events-submit":
            role["rules"] = [{"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["create"]}]
    problems = trigger_problems(broken)
    assert len(problems) == len(broken.tenants)
    assert problems[0] == (
        "Sensor argo-events/github-alpha trigger alpha: argo-events/argo-tenants-sensor may not "
        "get workflowtemplates, list workflows in wf-acme-alpha-pipeline"
    )


def test_a_runner_without_task_result_rights_is_caught(broken):
    broken.object("Role", "wf-acme-beta", "wf-runner")["rules"][0]["verbs"] = ["create"]
    assert trigger_problems(broken) == [
        "WorkflowTemplate wf-acme-beta/nextflow-repo-runner: its pods' service account wf-runner may not patch workflowtaskresults"
    ]


def test_a_webhook_url_no_endpoint_serves_is_caught(broken):
    broken.resource(REPOSITORY_WEBHOOK, "beta-2")["inputs"]["configuration"]["url"] = "https://events.dev.argo.example.org/beta-2"
    broken.resource(REPOSITORY_WEBHOOK, "gamma")["inputs"]["configuration"]["url"] = "https://events.dev.argo.example.org/github/beta"
    broken.object("EventSource", "argo-events", "github-alpha")["spec"]["github"]["alpha"]["webhook"]["port"] = "13000"
    assert sorted(webhook_problems(broken)) == [
        "EventSource argo-events/github-alpha github.alpha: port 13000 is not exposed by its Service",
        "RepositoryWebhook of beta-2: https://events.dev.argo.example.org/beta-2 is served by no EventSource endpoint",
        "RepositoryWebhook of gamma: https://events.dev.argo.example.org/github/beta is served by the entry of beta",
    ]


# --- artifactRepositoryRef as the seed documents write it ---------------------------------------

SEED_WORKFLOW = PROJECT_DIR / "tests" / "fixtures" / "seeds" / "artifact-repository-ref-workflow.yaml"


def seed_workflow(registration: str) -> dict:
    """The seed guide's test workflow, with the registration name where the guide says my-project."""
    return yaml.safe_load(SEED_WORKFLOW.read_text().replace("my-project", registration))


def _namespaces(plan) -> dict[str, str]:
    return {tenant: summary["namespace"] for tenant, summary in plan.document["outputs"]["tenants"].items()}


def test_a_workflow_written_as_the_seed_shows_finds_its_repository(plan, settings_dev):
    controller = settings_dev.namespaces.argo_workflows
    for tenant, namespace in _namespaces(plan).items():
        where, repository = resolve_artifact_repository(plan, seed_workflow(tenant), namespace, controller)
        _, default = resolve_artifact_repository(plan, {"spec": {}}, namespace, controller)
        assert where == f"ConfigMap {namespace}/artifact-repositories data.artifactRepositories.{tenant}"
        assert repository == default, tenant


def test_the_seed_workflow_is_a_valid_argo_workflow(schemas):
    assert schemas.argo_errors("Workflow", seed_workflow("alpha")) == []


def test_another_registrations_repository_is_not_found(plan, settings_dev):
    namespaces = _namespaces(plan)
    with pytest.raises(LookupError, match=NOT_FOUND):
        resolve_artifact_repository(plan, seed_workflow("beta"), namespaces["alpha"], settings_dev.namespaces.argo_workflows)


def test_without_the_seed_key_the_seed_workflow_fails_as_the_issue_describes(broken, settings_dev):
    configmap = broken.object("ConfigMap", "wf-acme-beta", "artifact-repositories")
    configmap["data"].pop("artifactRepositories.beta")
    with pytest.raises(LookupError, match=NOT_FOUND):
        resolve_artifact_repository(broken, seed_workflow("beta"), "wf-acme-beta", settings_dev.namespaces.argo_workflows)


# GitHub tokens: minted for the tenant's own repository, read by the tenant's own store.


def test_a_tenant_reading_another_tenants_token_is_caught(broken):
    copy = broken.object("ExternalSecret", "wf-acme-beta", "git-credentials")
    copy["spec"]["data"][0]["remoteRef"]["key"] = "argo-tenants-alpha-contents"
    assert github_token_problems(broken) == [
        "ExternalSecret wf-acme-beta/git-credentials: wf-acme-beta/eso-github may not get Secret argo-tenants-github/argo-tenants-alpha-contents",
        "ExternalSecret wf-acme-beta/git-credentials: reads a token for ['alpha-pipeline'], not for its own repository beta",
    ]


def test_a_reader_role_over_every_secret_of_the_apps_namespace_is_caught(broken):
    role = broken.object("Role", "argo-tenants-github", "argo-tenants-beta")
    role["rules"][0].pop("resourceNames")
    broken.object("ExternalSecret", "wf-acme-beta", "git-credentials")["spec"]["data"][0]["remoteRef"]["key"] = "argo-tenants-alpha-contents"
    assert "reads a token for ['alpha-pipeline'], not for its own repository beta" in " ".join(github_token_problems(broken))


def test_a_token_from_a_cluster_generator_or_for_two_repositories_is_caught(broken):
    broken.object("ExternalSecret", "argo-tenants-github", "argo-tenants-beta-status")["spec"]["dataFrom"][0]["sourceRef"]["generatorRef"]["kind"] = "ClusterGenerator"
    broken.object("GithubAccessToken", "argo-tenants-github", "argo-tenants-gamma-contents")["spec"]["repositories"].append("other")
    assert github_token_problems(broken) == [
        "GithubAccessToken argo-tenants-github/argo-tenants-gamma-contents: must be limited to one repository and one permission",
        "ExternalSecret wf-acme-beta/github-status-token: Secret argo-tenants-github/argo-tenants-beta-status comes from a ClusterGenerator, not a namespaced GithubAccessToken",
        "ExternalSecret wf-gammalab-gamma/git-credentials: reads a token for ['gamma', 'other'], not for its own repository gamma",
    ]


def test_a_token_of_another_owners_installation_is_caught(broken):
    # Same repository name, another owner's installation: the token would reach other-org/gamma.
    broken.object("GithubAccessToken", "argo-tenants-github", "argo-tenants-gamma-contents")["spec"]["installID"] = "2222"
    assert github_token_problems(broken) == [
        "ExternalSecret wf-gammalab-gamma/git-credentials: reads a token of installation 2222, not of GammaLab's (3333)",
    ]


def test_the_runner_mounts_a_secret_with_the_file_it_reads(broken):
    template = broken.object("ExternalSecret", "wf-acme-beta", "git-credentials")["spec"]["target"]["template"]
    template["data"] = {"token": template["data"]["scm"]}
    assert secret_reference_problems(broken) == [
        "WorkflowTemplate wf-acme-beta/nextflow-repo-runner run volume git-credentials: Secret wf-acme-beta/git-credentials gets no key scm (its ExternalSecret gives ['token'])"
    ]
