"""`python -m tenancy new`: a complete, commented tenant file that passes validate, never over an existing one."""

import re
from pathlib import Path

import pytest
import yaml

from tenancy.model.registration import BucketSpec, Metadata, RepoRegistrationSpec
from tenancy.authoring.scaffold import OMITTED
from tests.support.cli_project import make_project, run_cli
from tests.support.program import registration, run_program, stack_settings
from tests.support.registration_plan import mismatches

REPO = "https://github.com/acme/rna-seq.git"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path)


def new(capsys, *argv):
    return run_cli(capsys, "new", *argv)


def test_writes_tenants_name_yaml(project, capsys):
    code, out, _ = new(capsys, "rna-seq", "--repo", REPO)
    assert code == 0
    assert out.strip() == "tenants/rna-seq.yaml"
    assert (project / "tenants" / "rna-seq.yaml").is_file()


def test_minimal_result_passes_validate(project, capsys):
    new(capsys, "rna-seq", "--repo", REPO)
    code, out, _ = run_cli(capsys, "validate")
    assert code == 0, out


def test_result_with_every_option_passes_validate(project, capsys):
    code, _, err = new(
        capsys, "rna-seq", "--repo", REPO, "--tenant", "rnaseq-lab", "--artifact-bucket", "rna-seq-artifacts",
        "--data-bucket", "rna-seq-data", "--region", "us-east-2", "--key-prefix", "workflows/", "--branch", "develop",
        "--admin", "pi@acme.org", "--reader", "postdoc@acme.org", "--reader", "student@acme.org", "--environment", "dev",
    )
    assert code == 0, err
    code, out, _ = run_cli(capsys, "validate")
    assert code == 0, out


def test_options_become_the_registration(project, capsys):
    new(capsys, "rna-seq", "--repo", REPO, "--artifact-bucket", "rna-seq-artifacts", "--region", "us-east-2",
        "--admin", "pi@acme.org", "--environment", "dev")
    spec = yaml.safe_load((project / "tenants" / "rna-seq.yaml").read_text())["spec"]
    assert spec["repoUrl"] == REPO
    assert spec["artifactBucket"]["bucket"] == "rna-seq-artifacts" and spec["artifactBucket"]["region"] == "us-east-2"
    assert spec["adminUsers"] == ["pi@acme.org"] and spec["environments"] == ["dev"]


def test_the_tenant_defaults_to_the_repository_owner(project, capsys):
    new(capsys, "rna-seq", "--repo", REPO)
    assert yaml.safe_load((project / "tenants" / "rna-seq.yaml").read_text())["spec"]["tenant"] == "acme"


def test_defaults_are_filled_in(project, capsys):
    new(capsys, "rna-seq", "--repo", REPO)
    spec = yaml.safe_load((project / "tenants" / "rna-seq.yaml").read_text())["spec"]
    assert spec["workflowTemplateRef"] == "nextflow-repo-runner"
    assert (spec["defaultBranch"], spec["isPublic"], spec["paused"], spec["credentialsRotation"]) == ("main", False, False, 0)


def test_first_line_points_editors_at_the_schema(project, capsys):
    new(capsys, "rna-seq", "--repo", REPO)
    first = (project / "tenants" / "rna-seq.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/tenant.schema.json"


def test_schema_path_is_relative_to_the_out_directory(project, capsys):
    new(capsys, "rna-seq", "--repo", REPO, "--out", "drafts/mine")
    first = (project / "drafts" / "mine" / "rna-seq.yaml").read_text().splitlines()[0]
    relative = first.split("$schema=", 1)[1]
    assert (project / "drafts" / "mine" / relative).resolve() == (project / "docs" / "tenant.schema.json").resolve()


def _descriptions():
    for loc, model in ((("metadata",), Metadata), (("spec",), RepoRegistrationSpec), (("spec", "artifactBucket"), BucketSpec)):
        for name, info in model.model_fields.items():
            key = info.alias or name
            if (*loc, key) not in OMITTED and info.description:
                yield key, info.description


@pytest.mark.parametrize("key,description", list(_descriptions()))
def test_each_field_is_explained_by_its_model_description(project, capsys, key, description):
    new(capsys, "rna-seq", "--repo", REPO, "--artifact-bucket", "rna-seq-artifacts")
    text = (project / "tenants" / "rna-seq.yaml").read_text()
    comments = " ".join(line.strip().lstrip("# ") for line in text.splitlines() if line.lstrip().startswith("#"))
    assert " ".join(description.split()) in comments
    assert re.search(rf"^\s*(# )?{key}:", text, re.MULTILINE), f"{key} is not in the file"


def test_an_existing_file_is_never_overwritten(project, capsys):
    existing = project / "tenants" / "rna-seq.yaml"
    existing.write_text("# mine\n")
    code, _, err = new(capsys, "rna-seq", "--repo", REPO)
    assert code == 1
    assert "already exists; not overwritten" in err
    assert existing.read_text() == "# mine\n"


def test_invalid_options_write_nothing_and_name_the_field(project, capsys):
    code, _, err = new(capsys, "rna-seq", "--repo", REPO, "--artifact-bucket", "RNA_Seq")
    assert code == 1
    assert "spec.artifactBucket.bucket: 'RNA_Seq' is not a valid S3 bucket name" in err
    assert not (project / "tenants" / "rna-seq.yaml").exists()


def test_a_clash_with_an_existing_registration_writes_nothing(project, capsys):
    (project / "tenants" / "alpha.yaml").write_text(yaml.safe_dump(registration("alpha", repoUrl=REPO)))
    code, _, err = new(capsys, "rna-seq", "--repo", REPO)
    assert code == 1
    assert "repository acme/rna-seq is already registered by tenants/alpha.yaml" in err
    assert not (project / "tenants" / "rna-seq.yaml").exists()


def test_without_a_fallback_bucket_an_artifact_bucket_is_required(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, {"dev": {"argo-tenants:fallbackArtifactBucket": None}, "prod": {}})
    code, _, err = new(capsys, "rna-seq", "--repo", REPO)
    assert code == 1
    assert "spec.artifactBucket: is required in environment 'dev', which has no fallback artifact bucket [stack dev]" in err


def test_a_name_that_is_not_a_registration_name_is_refused_before_any_path_is_built(project, capsys):
    code, _, err = new(capsys, "../escape", "--repo", REPO)
    assert code == 2
    assert "NAME" in err
    assert not list(Path(project).parent.glob("escape.yaml"))


def test_the_plan_of_a_new_file_is_what_it_says(project, capsys):
    new(capsys, "rna-seq", "--repo", REPO, "--artifact-bucket", "rna-seq-artifacts", "--data-bucket", "rna-seq-data",
        "--key-prefix", "workflows/", "--admin", "pi@acme.org", "--reader", "postdoc@acme.org")
    plan = run_program("dev", tenants=project / "tenants")
    assert plan.error is None, plan.error
    document = yaml.safe_load((project / "tenants" / "rna-seq.yaml").read_text())
    assert mismatches(plan, document, stack_settings("dev")) == []


def test_a_bucket_name_another_environment_already_uses_writes_nothing(project, capsys):
    # beta's prod bucket would be alpha's dev bucket: bucket names are global.
    (project / "tenants" / "alpha.yaml").write_text(yaml.safe_dump(registration("alpha", artifactBucket={"bucket": "x-artifacts"})))
    code, _, err = new(capsys, "beta", "--repo", REPO, "--artifact-bucket", "x-artifacts-dev")
    assert code == 1
    assert "becomes bucket 'x-artifacts-dev' in environment 'prod'" in err


@pytest.mark.parametrize(
    "given",
    [
        "https://github.com/acme/rna-seq",  # the address in the browser
        "https://github.com/acme/rna-seq/",
        "https://github.com/acme/rna-seq.git",
        "https://github.com/acme/rna-seq?tab=readme-ov-file",
        "http://www.github.com/acme/rna-seq",
        "git@github.com:acme/rna-seq.git",  # GitHub's SSH clone address
        "git@github.com:acme/rna-seq",
        "ssh://git@github.com/acme/rna-seq.git",
        " https://github.com/acme/rna-seq ",
    ],
)
def test_any_github_address_of_the_repository_becomes_its_clone_url(project, capsys, given):
    code, _, err = new(capsys, "rna-seq", "--repo", given)
    assert code == 0, err
    spec = yaml.safe_load((project / "tenants" / "rna-seq.yaml").read_text())["spec"]
    assert (spec["repoUrl"], spec["tenant"]) == (REPO, "acme")
    if given != REPO:
        assert f"--repo read as {REPO}" in err


@pytest.mark.parametrize(
    "given",
    ["https://gitlab.com/acme/rna-seq", "https://github.com/acme", "acme/rna-seq", "https://github.com/acme/rna-seq/tree/main"],
)
def test_an_address_that_is_not_a_repository_is_the_only_problem_reported(project, capsys, given):
    code, _, err = new(capsys, "rna-seq", "--repo", given)
    assert code == 2
    assert "--repo" in err and "https://github.com/<owner>/<repo>.git" in err
    # No knock-on problem: the tenant identifier that would have come from the owner is not mentioned.
    assert "spec.tenant" not in err and "tenant identifier" not in err
    assert not (project / "tenants" / "rna-seq.yaml").exists()


@pytest.mark.parametrize(
    "argv,needed",
    [
        (["--key-prefix", "workflows/"], "--artifact-bucket"),
        (["--region", "us-east-2"], "--artifact-bucket or --data-bucket"),
        (["--data-bucket", "rna-seq-data", "--key-prefix", "workflows/"], "--artifact-bucket"),
    ],
)
def test_options_it_would_drop_are_refused_with_the_fix(project, capsys, argv, needed):
    code, _, err = new(capsys, "rna-seq", "--repo", REPO, *argv)
    assert code == 2
    assert argv[-2] in err and needed in err
    assert not (project / "tenants" / "rna-seq.yaml").exists()


def test_region_with_only_a_data_bucket_is_kept(project, capsys):
    code, _, err = new(capsys, "rna-seq", "--repo", REPO, "--data-bucket", "rna-seq-data", "--region", "us-east-2")
    assert code == 0, err
    spec = yaml.safe_load((project / "tenants" / "rna-seq.yaml").read_text())["spec"]
    assert spec["dataBucket"]["region"] == "us-east-2"


# --- spec.owners (--owner) and .github/CODEOWNERS ----------------------------------------------------


@pytest.fixture
def with_codeowners(project, capsys):
    """The project with .github/CODEOWNERS as `validate --fix` writes it (what the pre-commit hook checks)."""
    (project / ".github").mkdir()
    run_cli(capsys, "validate", "--fix")
    return project / ".github" / "CODEOWNERS"


def test_owners_are_written_and_codeowners_kept_in_step(with_codeowners, project, capsys):
    code, _, err = new(capsys, "rna-seq", "--repo", REPO, "--owner", "@alice", "--owner", "acme/rna-lab")
    assert code == 0, err
    spec = yaml.safe_load((project / "tenants" / "rna-seq.yaml").read_text())["spec"]
    assert spec["owners"] == ["@alice", "@acme/rna-lab"]
    assert "/tenants/rna-seq.yaml @alice @acme/rna-lab @calypr/platform" in with_codeowners.read_text()
    assert "note: --owner acme/rna-lab read as @acme/rna-lab" in err and ".github/CODEOWNERS: updated" in err
    code, out, _ = run_cli(capsys, "validate")
    assert code == 0, out


def test_the_owners_field_is_explained_in_the_file(project, capsys):
    new(capsys, "rna-seq", "--repo", REPO, "--owner", "@alice")
    text = (project / "tenants" / "rna-seq.yaml").read_text()
    comment = text[: text.index("  owners:")].rsplit("\n  isPublic", 1)[1]
    assert "GitHub users (@login) or teams (@org/team) who own this registration" in comment


def test_without_owners_codeowners_is_left_as_it_is(with_codeowners, capsys):
    before = with_codeowners.read_text()
    code, _, err = new(capsys, "rna-seq", "--repo", REPO)
    assert code == 0 and with_codeowners.read_text() == before and "CODEOWNERS" not in err


@pytest.mark.parametrize("owner", ["al ice", "@-alice", "@acme/", "alice@example.org", "@acme/lab/x"])
def test_an_owner_that_is_not_a_github_user_or_team_writes_nothing(project, capsys, owner):
    code, _, err = new(capsys, "rna-seq", "--repo", REPO, "--owner", owner)
    assert code == 2 and "is not a GitHub user (@login) or team (@org/team)" in err
    assert not (project / "tenants" / "rna-seq.yaml").exists()


def test_codeowners_out_of_step_before_is_left_to_validate_fix(with_codeowners, project, capsys):
    with_codeowners.write_text(with_codeowners.read_text() + "/docs/ @someone\n")
    edited = with_codeowners.read_text()
    code, _, err = new(capsys, "rna-seq", "--repo", REPO, "--owner", "@alice")
    assert code == 0 and with_codeowners.read_text() == edited
    assert "`python -m tenancy validate --fix` writes it" in err
