"""tenancy.authoring.importer: kubectl output and Helm values to tenant documents, reporting what does not map."""

import pytest
import yaml

from tenancy.authoring import importer
from tenancy.loading.loader import TenantFile, registration_of
from tests.support.program import make_settings

OBJECT = {
    "apiVersion": "platform.calypr.io/v1alpha1",
    "kind": "RepoRegistration",
    "metadata": {
        "name": "alpha",
        "namespace": "argo",
        "uid": "0b6f3a52",
        "resourceVersion": "184467",
        "generation": 3,
        "creationTimestamp": "2025-11-20T00:58:12Z",
        "managedFields": [{"manager": "kubectl"}],
        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "owner": "lab"},
        "labels": {"app.kubernetes.io/managed-by": "Helm", "team": "research"},
    },
    "spec": {"repoUrl": "https://github.com/acme/alpha.git", "tenant": "research", "installationId": 42},
    "status": {"phase": "Ready"},
}


def kubectl_list(*items):
    return yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": list(items), "metadata": {"resourceVersion": ""}})


def helm_values(*entries):
    return yaml.safe_dump({"events": {"enabled": True}, "repoRegistrations": list(entries)})


def only(result):
    [imported] = result.imported
    return imported


def test_a_kubectl_list_gives_one_document_per_item():
    second = {**OBJECT, "metadata": {"name": "beta"}}
    assert [item.name for item in importer.read(kubectl_list(OBJECT, second)).imported] == ["alpha", "beta"]


def test_what_the_cluster_keeps_about_an_object_is_dropped_silently():
    imported = only(importer.read(kubectl_list(OBJECT)))
    assert imported.document["metadata"] == {"name": "alpha", "labels": {"team": "research"}, "annotations": {"owner": "lab"}}
    assert "status" not in imported.document
    assert imported.dropped == ()


def test_the_installation_id_is_carried_over():
    assert only(importer.read(kubectl_list(OBJECT))).document["spec"]["installationId"] == 42


def test_an_installation_id_kept_as_text_becomes_a_number_and_says_so():
    entry = {"name": "alpha", "repoUrl": "https://github.com/acme/alpha.git", "tenant": "r", "installationId": "87654321"}
    imported = only(importer.read(helm_values(entry)))
    assert imported.document["spec"]["installationId"] == 87654321 and not imported.dropped
    assert imported.changed == ("installationId: '87654321' became the number 87654321",)


def test_a_crd_field_this_model_lacks_is_reported_with_the_reason():
    document = {**OBJECT, "spec": {**OBJECT["spec"], "githubSecretPath": "kv/x"}}
    [dropped] = only(importer.read(kubectl_list(document))).dropped
    assert dropped.field == "spec.githubSecretPath" and "no GitHub token is read" in dropped.reason


def test_a_single_object_and_separate_manifests_are_read_too():
    second = {**OBJECT, "metadata": {"name": "beta"}}
    text = yaml.safe_dump(OBJECT) + "---\n" + yaml.safe_dump(second)
    assert [item.name for item in importer.read(text).imported] == ["alpha", "beta"]


def test_kubectl_json_output_is_read():
    import json

    assert only(importer.read(json.dumps({"apiVersion": "v1", "kind": "List", "items": [OBJECT]}))).name == "alpha"


def test_helm_entry_name_becomes_metadata_name_and_the_rest_the_spec():
    entry = {"name": "alpha", "repoUrl": "https://github.com/acme/alpha.git", "tenant": "research"}
    imported = only(importer.read(helm_values(entry)))
    assert imported.document["metadata"] == {"name": "alpha"}
    assert imported.document["spec"] == {"repoUrl": "https://github.com/acme/alpha.git", "tenant": "research"}


@pytest.mark.parametrize("field", ["githubSecretPath", "namespace", "eventName", "events"])
def test_helm_chart_fields_this_project_replaces_are_reported(field):
    entry = {"name": "alpha", "repoUrl": "https://github.com/acme/alpha.git", "tenant": "r", field: "x"}
    [dropped] = only(importer.read(helm_values(entry))).dropped
    assert dropped.field == field and dropped.reason == importer.REPLACED[field]


def test_an_unknown_bucket_field_is_reported():
    entry = {"name": "alpha", "repoUrl": "u", "tenant": "r", "artifactBucket": {"bucket": "b", "credentialsSecret": "s"}}
    imported = only(importer.read(helm_values(entry)))
    assert [dropped.field for dropped in imported.dropped] == ["artifactBucket.credentialsSecret"]
    assert imported.document["spec"]["artifactBucket"] == {"bucket": "b"}


def test_an_inactive_helm_webhook_becomes_paused():
    imported = only(importer.read(helm_values({"name": "alpha", "repoUrl": "u", "tenant": "r", "active": False})))
    assert imported.document["spec"]["paused"] is True
    assert imported.changed and not imported.dropped


def test_an_active_helm_webhook_is_the_default():
    imported = only(importer.read(helm_values({"name": "alpha", "repoUrl": "u", "tenant": "r", "active": True})))
    assert "paused" not in imported.document["spec"] and not imported.dropped


def test_nulls_count_as_absent():
    imported = only(importer.read(helm_values({"name": "alpha", "repoUrl": "u", "tenant": "r", "dataBucket": None})))
    assert "dataBucket" not in imported.document["spec"]


def test_fields_keep_the_models_order():
    entry = {"isPublic": False, "tenant": "r", "name": "alpha", "repoUrl": "u"}
    assert list(only(importer.read(helm_values(entry))).document["spec"]) == ["repoUrl", "tenant", "isPublic"]


def test_an_object_of_another_kind_is_skipped_with_the_reason():
    [skipped] = importer.read(kubectl_list({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})).skipped
    assert skipped.origin == "items[0]" and "'ConfigMap', not a RepoRegistration" in skipped.reason


def test_another_api_version_is_skipped():
    [skipped] = importer.read(kubectl_list({**OBJECT, "apiVersion": "platform.calypr.io/v1beta1"})).skipped
    assert "only platform.calypr.io/v1alpha1" in skipped.reason


@pytest.mark.parametrize("name", ["../escape", "a/b", "", None, 7])
def test_a_name_that_could_leave_the_directory_is_skipped(name):
    [skipped] = importer.read(helm_values({"name": name, "repoUrl": "u", "tenant": "r"})).skipped
    assert "no usable name" in skipped.reason


def test_input_that_is_none_of_the_forms_is_skipped():
    [skipped] = importer.read("just: values\n").skipped
    assert "neither a RepoRegistration" in skipped.reason


def test_text_that_is_not_yaml_is_refused():
    with pytest.raises(importer.UnreadableInput, match=r"is not YAML \(line 2\)"):
        importer.read("a: 1\nb: c: d\n")


def test_a_rendered_file_starts_with_the_schema_line_and_loads():
    imported = only(importer.read(helm_values({"name": "alpha", "repoUrl": "https://github.com/acme/alpha.git", "tenant": "r"})))
    text = importer.render(imported, "# yaml-language-server: $schema=../docs/tenant.schema.json", "values.yaml")
    assert text.startswith("# yaml-language-server: $schema=../docs/tenant.schema.json\n# Imported by")
    registration, problems = registration_of(TenantFile.parse(text, "tenants/alpha.yaml"), make_settings())
    assert problems == [] and registration.name == "alpha"


APPLICATION = {
    "name": "nextflow-hello-project",
    "repoURL": "https://github.com/bwalsh/nextflow-hello-project.git",
    "artifacts": {
        "bucket": "calypr-nextflow-hello",
        "keyPrefix": "workflows/",
        "endpoint": "https://s3.us-west-2.amazonaws.com",
        "region": "us-west-2",
        "credentialsSecret": "s3-cred-nextflow-hello",
    },
}


def test_the_guides_applications_values_become_a_registration():
    imported = only(importer.read(yaml.safe_dump({"applications": [APPLICATION]})))
    assert imported.document["metadata"] == {"name": "nextflow-hello-project"}
    assert imported.document["spec"] == {
        "repoUrl": "https://github.com/bwalsh/nextflow-hello-project.git",
        "tenant": "bwalsh",
        "artifactBucket": {
            "hostname": "https://s3.us-west-2.amazonaws.com",
            "bucket": "calypr-nextflow-hello",
            "region": "us-west-2",
            "keyPrefix": "workflows/",
        },
    }
    registration, problems = registration_of(
        TenantFile.parse(yaml.safe_dump(imported.document), "tenants/nextflow-hello-project.yaml"), make_settings()
    )
    assert problems == [] and registration.spec.artifact_bucket.key_prefix == "workflows/"


def test_an_applications_entry_reports_the_secret_it_drops_and_the_tenant_it_chose():
    imported = only(importer.read(yaml.safe_dump({"applications": [APPLICATION]})))
    [dropped] = imported.dropped
    assert dropped.field == "artifacts.credentialsSecret" and "s3-credentials-<name>" in dropped.reason
    assert imported.changed == ("tenant: set to the repository's owner 'bwalsh' (applications entries name no tenant)",)


def test_an_applications_entry_keeps_a_tenant_it_names_and_drops_what_is_unknown():
    entry = {**APPLICATION, "tenant": "calypr", "targetRevision": "main"}
    imported = only(importer.read(yaml.safe_dump({"applications": [entry]})))
    assert imported.document["spec"]["tenant"] == "calypr" and imported.changed == ()
    assert [d.field for d in imported.dropped] == ["artifacts.credentialsSecret", "targetRevision"]


def test_the_charts_argo_cd_application_becomes_definitions():
    entry = {"name": "alpha", "repoUrl": "https://github.com/acme/alpha.git", "tenant": "r", "path": "argo", "project": "default",
             "syncPolicy": {"automated": {"prune": True}}}
    imported = only(importer.read(helm_values(entry)))
    assert imported.document["spec"]["definitions"] == {"path": "argo"}
    assert imported.changed == ("path: 'argo' became definitions.path (Argo CD syncs it into the tenant namespace)",)
    assert [(d.field, d.reason) for d in imported.dropped] == [
        (key, importer.CHART_APPLICATION_REPLACED[key]) for key in ("project", "syncPolicy")
    ]


def test_a_chart_entry_without_a_path_gets_no_definitions():
    imported = only(importer.read(helm_values({"name": "alpha", "repoUrl": "https://github.com/acme/alpha.git", "tenant": "r"})))
    assert "definitions" not in imported.document["spec"] and imported.changed == ()
