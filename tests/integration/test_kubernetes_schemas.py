"""Every Kubernetes object of the plan against the schema of what receives it, unknown fields rejected."""

from __future__ import annotations

import pytest
import yaml

from tests.integration.schema_checks import KUBERNETES_VERSION, hera_problems, metadata_problems, schema_problems

pytestmark = pytest.mark.integration


def test_every_object_validates_strictly(plan, schemas):
    kinds = {m["kind"] for m in plan.manifests()}
    assert kinds == {
        "Namespace", "ServiceAccount", "Secret", "Role", "RoleBinding", "ConfigMap",
        "ResourceQuota", "LimitRange", "NetworkPolicy",
        "SecretStore", "ExternalSecret", "GithubAccessToken", "WorkflowTemplate", "EventSource", "Sensor", "Ingress",
    }
    assert schema_problems(plan, schemas) == []


def test_core_objects_are_checked_against_a_current_kubernetes():
    major, minor, _ = (int(part) for part in KUBERNETES_VERSION.split("."))
    assert (major, minor) >= (1, 33)


def test_names_and_labels_are_what_the_api_server_accepts(plan):
    assert metadata_problems(plan) == []


def test_hera_models_every_field_of_the_argo_objects(plan):
    assert hera_problems(plan) == []


# --- each property, broken on purpose, is caught ---------------------------------------------


def test_an_unknown_field_in_a_workflow_template_is_caught(broken, schemas):
    broken.object("WorkflowTemplate", "wf-acme-beta")["spec"]["templates"][0]["container"]["pathStyle"] = True
    expected = (
        "WorkflowTemplate wf-acme-beta/nextflow-repo-runner: spec.templates.0.container: "
        "Additional properties are not allowed ('pathStyle' was unexpected)"
    )
    assert schema_problems(broken, schemas) == [expected]
    assert hera_problems(broken) == ["WorkflowTemplate wf-acme-beta/nextflow-repo-runner: hera does not know spec.templates.0.container.pathStyle"]


def test_an_unknown_field_in_an_artifact_repository_is_caught(broken, schemas):
    # The seed chart's mistake: `pathStyle` is not an Argo setting.
    configmap = broken.object("ConfigMap", "wf-acme-alpha-pipeline", "artifact-repositories")
    repository = yaml.safe_load(configmap["data"]["default-v1"])
    repository["s3"]["pathStyle"] = True
    configmap["data"]["default-v1"] = yaml.safe_dump(repository)
    assert schema_problems(broken, schemas) == [
        "ConfigMap wf-acme-alpha-pipeline/artifact-repositories data.default-v1: s3: "
        "Additional properties are not allowed ('pathStyle' was unexpected)"
    ]


def test_an_unknown_field_in_the_event_source_or_sensor_is_caught(broken, schemas):
    broken.object("EventSource", "argo-events", "github-beta")["spec"]["github"]["beta"]["webhook"]["path"] = "/github/beta"
    broken.trigger("alpha")["argoWorkflow"]["source"]["resource"]["spec"]["workflowTemplate"] = "x"
    assert sorted(schema_problems(broken, schemas)) == [
        "EventSource argo-events/github-beta: spec.github.beta.webhook: Additional properties are not allowed ('path' was unexpected)",
        "Sensor argo-events/github-alpha spec.triggers.0 Workflow: spec: Additional properties are not allowed ('workflowTemplate' was unexpected)",
    ]


def test_external_secrets_objects_are_checked_against_the_served_crd(broken, schemas):
    broken.object("SecretStore", "wf-acme-beta", "vault-tenant")["apiVersion"] = "external-secrets.io/v1beta1"
    broken.object("ExternalSecret", "wf-acme-beta", "s3-credentials-beta")["spec"]["data"][0]["remoteRef"]["path"] = "kv"
    assert sorted(schema_problems(broken, schemas)) == [
        "ExternalSecret wf-acme-beta/s3-credentials-beta: spec.data.0.remoteRef: Additional properties are not allowed ('path' was unexpected)",
        "SecretStore wf-acme-beta/vault-tenant: apiVersion: external-secrets.io/v1beta1 is not served (served: ['v1'])",
    ]


def test_core_objects_are_checked_strictly(broken, schemas):
    broken.object("Role", "wf-acme-beta", "wf-runner")["rules"][0]["verb"] = ["get"]
    broken.object("RoleBinding", "wf-acme-beta", "wf-runner")["subjects"][0]["kind"] = 1
    assert sorted(schema_problems(broken, schemas)) == [
        "Role wf-acme-beta/wf-runner: rules.0: Additional properties are not allowed ('verb' was unexpected)",
        "RoleBinding wf-acme-beta/wf-runner: subjects.0.kind: 1 is not of type 'string'",
    ]


def test_an_object_without_a_known_schema_is_caught(broken, schemas):
    broken.object("ConfigMap", "wf-acme-beta")["apiVersion"] = "v2"
    assert [p.split(": ", 1)[1] for p in schema_problems(broken, schemas)] == ["no schema known for v2 ConfigMap"]


def test_names_and_labels_the_api_server_refuses_are_caught(broken):
    broken.object("Namespace", None, "wf-acme-beta")["metadata"]["labels"]["tenant"] = "demo team"
    broken.object("ServiceAccount", "wf-acme-beta", "wf-runner")["metadata"]["name"] = "WF_Runner"
    assert sorted(metadata_problems(broken)) == [
        "Namespace wf-acme-beta: label tenant='demo team': not a valid label value",
        "ServiceAccount wf-acme-beta/WF_Runner: metadata.name 'WF_Runner' is not a valid ServiceAccount name",
    ]


def test_a_generator_field_eso_does_not_know_is_caught(broken, schemas):
    broken.object("GithubAccessToken", "argo-tenants-github", "argo-tenants-alpha-contents")["spec"]["repository"] = "alpha"
    assert schema_problems(broken, schemas) == [
        "GithubAccessToken argo-tenants-github/argo-tenants-alpha-contents: spec: Additional properties are not allowed ('repository' was unexpected)"
    ]
