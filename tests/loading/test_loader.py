import pytest

from tenancy.loading.loader import load_directory, read_directory
from tenancy.model.problems import Problem, TenantValidationError
from tests.support.cli_project import write_tenant_file
from tests.support.program import make_settings, registration


def problems_of(load):
    with pytest.raises(TenantValidationError) as err:
        load()
    return err.value.problems


def test_valid_directory_loads_sorted_tenants(write_tenant, load):
    write_tenant(registration("zeta"))
    write_tenant(registration("alpha"))
    assert [t.name for t in load()] == ["alpha", "zeta"]


def test_error_names_file_line_field_and_what_is_wrong(write_tenant, load):
    write_tenant(
        "apiVersion: platform.calypr.io/v1alpha1\n"
        "kind: RepoRegistration\n"
        "metadata:\n"
        "  name: genomics-pipeline\n"
        "spec:\n"
        "  repoUrl: https://github.com/myorg/genomics-pipeline.git\n"
        "  tenant: research-team\n"
        "  artifactBucket:\n"
        "    bucket: Genomics_Artifacts\n",
        "genomics-pipeline.yaml",
    )
    [problem] = problems_of(load)
    assert str(problem) == (
        "tenants/genomics-pipeline.yaml:9: spec.artifactBucket.bucket: 'Genomics_Artifacts' is not a valid "
        "S3 bucket name (lowercase letters, digits, '.', '-'; starting and ending with a letter or digit)"
    )


def test_all_errors_of_all_files_in_one_run(write_tenant, load):
    write_tenant(registration("one", tenant="has space"))
    write_tenant(registration("two", defaultBranch="a..b", adminUsers=["nope"]))
    write_tenant("a: [\n", "three.yaml")
    found = {(p.file, p.field) for p in problems_of(load)}
    assert found == {
        ("tenants/one.yaml", "spec.tenant"),
        ("tenants/two.yaml", "spec.defaultBranch"),
        ("tenants/two.yaml", "spec.adminUsers[0]"),
        ("tenants/three.yaml", ""),
    }


def test_one_bad_file_fails_the_whole_load(write_tenant, load):
    write_tenant(registration("good"))
    write_tenant(registration("bad", repoUrl="https://example.org/x.git"))
    with pytest.raises(TenantValidationError):
        load()


def test_unknown_field_suggests_the_right_one(write_tenant, load):
    doc = registration("a")
    doc["spec"]["artifactBucket"]["keyPrefx"] = "x/"
    write_tenant(doc)
    [problem] = problems_of(load)
    assert problem.field == "spec.artifactBucket.keyPrefx"
    assert "did you mean 'keyPrefix'" in problem.message


def test_missing_required_field_points_at_its_parent_line(write_tenant, load):
    write_tenant(registration("a", tenant=None))
    [problem] = problems_of(load)
    assert (problem.field, problem.line, problem.message) == ("spec.tenant", 5, "is required but missing")


def test_duplicate_key_stops_the_file_even_when_values_are_valid(write_tenant, load):
    write_tenant(
        "apiVersion: platform.calypr.io/v1alpha1\nkind: RepoRegistration\nmetadata:\n  name: a\nspec:\n"
        "  repoUrl: https://github.com/acme/a.git\n  tenant: research\n  tenant: research\n"
        "  artifactBucket: {bucket: a-artifacts}\n",
        "a.yaml",
    )
    [problem] = problems_of(load)
    assert (problem.line, problem.field) == (8, "spec.tenant")


def test_file_name_must_match_the_registration_name(write_tenant, load):
    write_tenant(registration("alpha"), "beta.yaml")
    [problem] = problems_of(load)
    assert problem.field == "metadata.name" and "must be named alpha.yaml" in problem.message


def test_yml_files_are_not_skipped_silently(write_tenant, load):
    write_tenant(registration("alpha"), "alpha.yml")
    [problem] = problems_of(load)
    assert problem.file == "tenants/alpha.yml" and problem.hint == "rename it to <name>.yaml"


def test_subdirectories_are_refused(tenants_dir, load):
    (tenants_dir / "team-a").mkdir()
    [problem] = problems_of(load)
    assert "directory" in problem.message


def test_documentation_and_hidden_files_are_ignored(tenants_dir, write_tenant, load):
    (tenants_dir / "README.md").write_text("# tenants\n")
    (tenants_dir / ".gitkeep").write_text("")
    write_tenant(registration("alpha"))
    assert [t.name for t in load()] == ["alpha"]


def test_missing_directory_is_an_error_not_an_empty_plan(tmp_path, settings):
    from tenancy.loading.loader import load_tenants

    with pytest.raises(TenantValidationError, match="does not exist"):
        load_tenants(tmp_path / "nowhere", settings)


def test_empty_directory_means_no_tenants(load):
    assert load() == []


def test_not_a_mapping(write_tenant, load):
    write_tenant("- a\n- b\n", "a.yaml")
    [problem] = problems_of(load)
    assert "must hold a RepoRegistration mapping" in problem.message


def test_binary_file_is_reported(tenants_dir, load):
    (tenants_dir / "a.yaml").write_bytes(b"\xff\xfe\x00bad")
    [problem] = problems_of(load)
    assert "UTF-8" in problem.message


def test_report_lists_every_problem(write_tenant, load):
    write_tenant(registration("one", tenant="has space"))
    with pytest.raises(TenantValidationError) as err:
        load()
    assert err.value.report().startswith("1 problem in tenant registrations:\n")
    assert "tenants/one.yaml:" in err.value.report()


def test_a_cross_file_problem_finds_its_line_in_the_document_kept_from_reading(tenants_dir, write_tenant, settings):
    write_tenant(registration("a"))
    clashing = write_tenant(registration("b", repoUrl="https://github.com/acme/a.git"))
    directory = read_directory(tenants_dir, display_base=tenants_dir.parent)
    # Gone from disk: the line can only come from the document kept when the file was read.
    clashing.unlink()
    [problem] = load_directory(directory, settings).problems
    assert (problem.file, problem.line, problem.field) == ("tenants/b.yaml", 6, "spec.repoUrl")


def test_one_reading_serves_every_stack(tenants_dir, write_tenant, settings):
    from tests.support.program import make_settings

    write_tenant(registration("a", environments=["dev"]))
    directory = read_directory(tenants_dir)
    (tenants_dir / "a.yaml").unlink()
    prod = make_settings("prod", bucketNames={"suffix": ""})
    assert [t.name for t in load_directory(directory, settings).tenants] == ["a"]
    assert [(t.name, t.deployed) for t in load_directory(directory, prod).tenants] == [("a", False)]


KUBECTL_OBJECT = {
    **registration("alpha"),
    "status": {"phase": "Ready"},
}
KUBECTL_OBJECT["metadata"] = {
    "name": "alpha",
    "namespace": "argo",
    "uid": "0b6f1c9e-3f1c-4a57-9b1e-2a3c4d5e6f70",
    "resourceVersion": "123456",
    "generation": 2,
    "creationTimestamp": "2026-01-01T00:00:00Z",
    "managedFields": [{"manager": "kubectl", "operation": "Apply"}],
}


@pytest.mark.parametrize(
    "document",
    [
        KUBECTL_OBJECT,
        {k: v for k, v in KUBECTL_OBJECT.items() if k != "status"},
        {**registration("alpha"), "status": {"phase": "Ready"}},
        {"apiVersion": "v1", "kind": "List", "items": [KUBECTL_OBJECT], "metadata": {"resourceVersion": ""}},
    ],
    ids=["object", "metadata-only", "status-only", "list"],
)
def test_cluster_output_is_one_problem_that_points_at_import(write_tenant, load, document):
    write_tenant(document, "alpha.yaml")
    problems = problems_of(load)
    assert len(problems) == 1, problems
    [problem] = problems
    assert "kubectl get" in problem.message and "python -m tenancy import" in problem.text
    assert "is not a known field" not in problem.text


def test_a_hidden_folder_is_refused(tenants_dir, write_tenant, load):
    # Where Pulumi.yaml's `main:` could point `pulumi up` at a program nobody reviews as one.
    (tenants_dir / ".hidden").mkdir()
    (tenants_dir / ".hidden" / "__main__.py").write_text("print('hello')\n")
    write_tenant(registration("alpha"))
    [problem] = problems_of(load)
    assert problem.file.endswith(".hidden") and "hidden folder" in problem.message


def test_a_check_run_again_with_other_settings_is_not_answered_from_the_first_run(tmp_path):
    # The same text is checked once per settings: the verdict loads most files at both revisions.
    (tmp_path / "tenants").mkdir()
    write_tenant_file(tmp_path, registration("alpha"))
    calls = []

    def check(tenant):
        calls.append(tenant.settings.bucket_names.suffix)
        if tenant.settings.bucket_names.suffix == "-prod":
            yield Problem(("spec",), "refused with these settings")

    directory = read_directory(tmp_path / "tenants", tmp_path)
    dev, prod = make_settings(), make_settings(bucketNames={"suffix": "-prod"})
    assert load_directory(directory, dev, (check,)).problems == ()
    assert load_directory(read_directory(tmp_path / "tenants", tmp_path), dev, (check,)).problems == ()
    [problem] = load_directory(directory, prod, (check,)).problems
    assert problem.message == "refused with these settings" and problem.file == "tenants/alpha.yaml"
    assert calls == ["-dev", "-prod"]
