"""Argo CD objects of a registration with its own definitions, built from the model: names within their
limits, the credential template per owner, and what removing the setting leaves."""

import pytest
from pydantic import ValidationError

from tenancy.manifests import argo_cd, argo_events, sync_wait
from tenancy.model import limits, naming
from tenancy.model.registration import RepoRegistration
from tests.support.program import GITHUB_APP, make_settings, registration, tenant_of

SETTINGS = make_settings(githubApp=GITHUB_APP)
DEFINITIONS = {"path": "argo/", "perEnvironment": True, "entrypoint": "alpha-main"}
ALPHA = tenant_of(registration("alpha", definitions=DEFINITIONS, deployers={"dev": ["jdoe"]}), SETTINGS)
PLAIN = tenant_of(registration("beta"), SETTINGS)


def test_the_project_confines_to_one_repository_one_namespace_and_the_listed_kinds():
    spec = argo_cd.app_project(ALPHA)["spec"]
    assert spec["sourceRepos"] == [ALPHA.repo_url]
    assert spec["destinations"] == [{"server": "https://kubernetes.default.svc", "namespace": ALPHA.namespace}]
    assert spec["clusterResourceWhitelist"] == []
    assert spec["namespaceResourceWhitelist"] == [
        {"group": "argoproj.io", "kind": "WorkflowTemplate"},
        {"group": "argoproj.io", "kind": "CronWorkflow"},
    ]
    assert "orphanedResources" not in spec


def test_the_application_syncs_the_environment_folder_at_the_tracked_branch():
    application = argo_cd.application(ALPHA, ALPHA.namespace)
    assert application["metadata"]["namespace"] == "argocd" and "finalizers" not in application["metadata"]
    assert application["spec"]["project"] == application["metadata"]["name"] == "tenant-dev-alpha"
    assert application["spec"]["source"]["path"] == "argo/dev"
    assert application["spec"]["source"]["targetRevision"] == ALPHA.default_branch


def test_the_credential_template_serves_one_owner_with_the_app():
    secret = argo_cd.repo_creds(SETTINGS, "AcMe", 1111, "PEM")
    assert secret["metadata"] == {
        "name": "argo-tenants-repo-creds-acme",
        "namespace": "argocd",
        "labels": {"app.kubernetes.io/managed-by": "argo-tenants", "app.kubernetes.io/part-of": "argo-tenants", "argocd.argoproj.io/secret-type": "repo-creds"},
    }
    assert secret["stringData"] == {
        "type": "git",
        "url": "https://github.com/acme/",
        "githubAppID": "123456",
        "githubAppInstallationID": "1111",
        "githubAppPrivateKey": "PEM",
    }


def test_a_credential_url_of_one_owner_is_no_prefix_of_another_owners_repositories():
    assert not "https://github.com/acme-labs/x".startswith(naming.repo_creds_url("acme"))


def test_names_fit_their_limits_at_the_longest_environment_and_registration():
    environment, registration_name = "e" * naming.MAX_ENVIRONMENT_LENGTH, "r" * naming.MAX_REGISTRATION_NAME_LENGTH
    assert len(naming.argo_cd_name(environment, registration_name)) <= limits.ARGO_CD_APPLICATION_NAME_MAX
    assert len(naming.sync_waiter_role_name(environment, registration_name)) <= limits.DNS1123_SUBDOMAIN_MAX
    assert len(naming.repo_creds_name("o" * 39)) == limits.DNS1123_LABEL_MAX


BOTH = {"dev": {"branch": "main", "tags": True}}


def test_without_definitions_nothing_changes():
    assert argo_cd.summary(PLAIN) is None
    workflow = argo_events.submitted_workflow(PLAIN)
    assert workflow["spec"]["workflowTemplateRef"] == {"name": PLAIN.workflow_template}
    plain_with_tags = tenant_of(registration("beta", refs=BOTH), SETTINGS)
    assert argo_events.ref_patterns(plain_with_tags) == ["^refs/heads/main$", argo_events.TAGS_PATTERN]


def test_with_definitions_tags_do_not_run_and_only_listed_senders_do():
    alpha_with_tags = tenant_of(registration("alpha", definitions=DEFINITIONS, refs=BOTH), SETTINGS)
    assert argo_events.ref_patterns(alpha_with_tags) == ["^refs/heads/main$"]
    filters = argo_events._dependency(ALPHA)["filters"]["data"]
    assert {"path": "body.sender.login", "type": "string", "value": ["(?i)^jdoe$"]} in filters


def test_the_run_manifest_is_json_the_push_values_cannot_restructure():
    spec = sync_wait.synced_run_spec(ALPHA, "git_revision", [("git_revision", None), ("git_ref", 'refs/heads/a"b')])
    manifest = next(t for t in spec["templates"] if t["name"] == "run")["resource"]["manifest"]
    import json

    assert json.loads(manifest)["spec"]["arguments"]["parameters"][1]["value"] == 'refs/heads/a"b'


@pytest.mark.parametrize(
    "definitions, message",
    [
        ({"kinds": ["ClusterWorkflowTemplate"]}, "namespaced Argo Workflows kinds only"),
        ({"kinds": ["Role"]}, "is not a kind a repository may define"),
        ({"kinds": []}, "every namespaced kind"),
        ({"path": "../other"}, "no empty, '.' or '..' path components"),
        ({"path": "/abs"}, "must be relative"),
        ({"entrypoint": "x" * 64}, "at most 63"),
    ],
)
def test_a_bad_definitions_setting_is_refused(definitions, message):
    with pytest.raises(ValidationError, match=message):
        RepoRegistration.model_validate(
            {"apiVersion": "platform.calypr.io/v1alpha1", "kind": "RepoRegistration", "metadata": {"name": "x"},
             "spec": {"repoUrl": "https://github.com/a/b.git", "tenant": "t", "definitions": definitions}}
        )


def test_the_entrypoint_name_limit_is_taken_exactly():
    spec = {"repoUrl": "https://github.com/a/b.git", "tenant": "t", "definitions": {"entrypoint": "x" * 63}}
    document = {"apiVersion": "platform.calypr.io/v1alpha1", "kind": "RepoRegistration", "metadata": {"name": "x"}, "spec": spec}
    assert RepoRegistration.model_validate(document).spec.definitions.entrypoint == "x" * 63
