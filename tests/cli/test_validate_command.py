"""`python -m tenancy validate`: the program's validation, for every stack, from the command line."""

import json
import subprocess
import sys

import pytest
import yaml

from tenancy.loading.loader import load_tenants
from tenancy.model.problems import TenantValidationError
from tests.support.cli_project import SCHEMA_LINE, make_project, run_cli, write_tenant_file
from tests.support.program import PROJECT_DIR, registration, stack_settings


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path)


def write(project, document, filename=None):
    return write_tenant_file(project, document, filename)


def test_valid_files_exit_0_and_say_what_was_checked(project, capsys):
    write(project, registration("alpha"))
    code, out, _ = run_cli(capsys, "validate")
    assert code == 0
    assert out.strip() == "valid: 1 tenant file checked for stacks dev, prod"


def test_a_problem_prints_as_file_line_field_message_and_exits_1(project, capsys):
    write(project, registration("alpha", tenant="has space"))
    code, out, _ = run_cli(capsys, "validate")
    assert code == 1
    assert out.splitlines()[0].startswith("tenants/alpha.yaml:8: spec.tenant: 'has space' ")


def test_every_problem_of_every_file_in_one_run(project, capsys):
    write(project, registration("alpha", tenant="has space"))
    write(project, registration("beta", adminUsers=["not-an-email"]))
    _, out, _ = run_cli(capsys, "validate")
    assert "tenants/alpha.yaml:8: spec.tenant:" in out
    assert "tenants/beta.yaml:12: spec.adminUsers[0]:" in out
    assert out.splitlines()[-1].startswith("2 problems;")


def test_reports_exactly_what_the_program_reports(project, capsys):
    write(project, registration("alpha", tenant="has space", defaultBranch="a..b"))
    write(project, registration("beta", artifactBucket={"bucket": "alpha-artifacts"}))
    write(project, SCHEMA_LINE + "\na: [\n", "broken.yaml")
    with pytest.raises(TenantValidationError) as err:
        load_tenants(project / "tenants", stack_settings("dev"))
    _, out, _ = run_cli(capsys, "validate", "--stack", "dev")
    assert out.splitlines()[:-1] == [str(problem) for problem in err.value.problems]


def test_without_paths_the_stacks_tenants_directory_is_checked(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, {"dev": {"argo-tenants:tenantsDir": "registrations"}})
    (tmp_path / "registrations").mkdir()
    write_to = tmp_path / "registrations" / "alpha.yaml"
    write_to.write_text(yaml.safe_dump(registration("alpha", tenant="has space")))
    _, out, _ = run_cli(capsys, "validate")
    assert out.startswith("registrations/alpha.yaml:")


def test_a_directory_argument_is_checked_instead_of_the_default(project, capsys):
    write(project, registration("alpha", tenant="has space"))
    (project / "drafts").mkdir()
    (project / "drafts" / "beta.yaml").write_text(yaml.safe_dump(registration("beta")))
    code, out, _ = run_cli(capsys, "validate", "drafts")
    assert code == 0
    assert out.strip() == "valid: 1 tenant file checked for stacks dev, prod"


def test_a_file_is_checked_with_the_other_files_of_its_directory(project, capsys):
    write(project, registration("alpha"))
    new = write(project, registration("beta", repoUrl="https://github.com/acme/alpha.git"))
    code, out, _ = run_cli(capsys, "validate", str(new))
    assert code == 1
    assert "tenants/beta.yaml:7: spec.repoUrl: repository acme/alpha is already registered by tenants/alpha.yaml" in out


def test_a_path_that_does_not_exist_is_a_problem(project, capsys):
    code, out, _ = run_cli(capsys, "validate", "tenants/nothing.yaml")
    assert code == 1
    assert out.splitlines()[0] == "tenants/nothing.yaml: does not exist"


def test_a_problem_of_some_stacks_names_them(project, capsys):
    # 60 characters: with dev's "-dev" suffix the physical name passes the 63-character limit.
    write(project, registration("alpha", artifactBucket={"bucket": "b" * 60}))
    _, out, _ = run_cli(capsys, "validate")
    [line] = [line for line in out.splitlines() if "spec.artifactBucket.bucket" in line]
    assert line.endswith("(bucketNames affix) [stack dev]")


def test_bucket_names_are_compared_across_environments(project, capsys):
    # alpha's dev bucket is x-artifacts-dev; beta's prod bucket is the same name.
    write(project, registration("alpha", artifactBucket={"bucket": "x-artifacts"}))
    write(project, registration("beta", artifactBucket={"bucket": "x-artifacts-dev"}))
    code, out, _ = run_cli(capsys, "validate")
    assert code == 1
    assert "tenants/beta.yaml:10: spec.artifactBucket.bucket: becomes bucket 'x-artifacts-dev' in environment 'prod'" in out


def test_one_stack_cannot_compare_environments(project, capsys):
    write(project, registration("alpha", artifactBucket={"bucket": "x-artifacts"}))
    write(project, registration("beta", artifactBucket={"bucket": "x-artifacts-dev"}))
    code, _, _ = run_cli(capsys, "validate", "--stack", "dev")
    assert code == 0


def test_bad_stack_settings_are_a_problem_of_the_stack_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, {"dev": {"argo-tenants:webhookBaseUrl": "not a url"}, "prod": {}})
    code, out, _ = run_cli(capsys, "validate")
    assert code == 1
    assert out.splitlines()[0].startswith("Pulumi.dev.yaml: argo-tenants:webhookBaseUrl:")


def test_an_unknown_stack_is_a_usage_error(project, capsys):
    code, _, err = run_cli(capsys, "validate", "--stack", "staging")
    assert code == 2
    assert "no stack 'staging'" in err and "known stacks: dev, prod" in err


def test_outside_a_project_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "validate")
    assert code == 2
    assert "no Pulumi.yaml" in err


def test_json_format_lists_problems_with_their_stacks(project, capsys):
    write(project, registration("alpha", tenant="has space"))
    code, out, _ = run_cli(capsys, "validate", "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert (document["version"], document["valid"], document["stacks"]) == (1, False, ["dev", "prod"])
    assert document["files"] == ["tenants/alpha.yaml"]
    [problem] = document["problems"]
    assert problem["file"] == "tenants/alpha.yaml" and problem["line"] == 8 and problem["field"] == "spec.tenant"
    assert problem["stacks"] == ["dev", "prod"]


def test_output_to_a_pipe_has_no_colour(project, capsys):
    write(project, registration("alpha", tenant="has space"))
    _, out, _ = run_cli(capsys, "validate")
    assert "\033[" not in out


def test_validate_never_imports_pulumi():
    # The pre-commit hook runs this; Pulumi's SDK alone takes longer to import than the whole check.
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tenancy", "validate"], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "tenancy.loading.loader" in imported
    assert not {name for name in imported if name.split(".")[0] == "pulumi"}


def test_the_repository_tenants_are_valid_for_every_stack(monkeypatch, capsys):
    monkeypatch.chdir(PROJECT_DIR)
    code, out, _ = run_cli(capsys, "validate")
    assert code == 0, out


def test_a_file_without_the_schema_line_is_what_make_test_would_refuse(project, capsys):
    # A pasted manifest loads in the program, but the tests require the line: validate says so first.
    (project / "tenants" / "alpha.yaml").write_text(yaml.safe_dump(registration("alpha"), sort_keys=False))
    code, out, _ = run_cli(capsys, "validate")
    assert code == 1
    assert out.startswith("tenants/alpha.yaml:1: does not start with the schema line `# yaml-language-server: $schema=../docs/tenant.schema.json`")
    assert "`python -m tenancy validate --fix` adds it" in out


@pytest.mark.parametrize("first", ["", "# yaml-language-server: $schema=../../docs/tenant.schema.json\n"])
def test_fix_writes_the_schema_line_and_checks_again(project, capsys, first):
    path = project / "tenants" / "alpha.yaml"
    path.write_text(first + yaml.safe_dump(registration("alpha"), sort_keys=False))
    code, out, err = run_cli(capsys, "validate", "--fix")
    assert code == 0, out
    assert "fixed: tenants/alpha.yaml" in err and out.startswith("valid:")
    assert path.read_text().splitlines()[0] == SCHEMA_LINE
    assert yaml.safe_load(path.read_text()) == registration("alpha")


def test_files_outside_the_tenants_directory_need_no_schema_line(project, capsys):
    (project / "drafts").mkdir()
    (project / "drafts" / "alpha.yaml").write_text(yaml.safe_dump(registration("alpha")))
    code, out, _ = run_cli(capsys, "validate", "drafts")
    assert code == 0, out


# The platform guide's "Full Configuration with MinIO" (seed 000), as examples/minio keeps it
# verbatim, pasted as it is (without the comments the example adds above it).
MINIO_EXAMPLE = "".join(
    line
    for line in (PROJECT_DIR / "examples" / "minio" / "tenants" / "dev-pipeline.yaml").read_text().splitlines(True)
    if not line.startswith("#")
)


def test_the_minio_example_on_the_default_stacks_is_fixed_in_one_round(project, capsys):
    path = project / "tenants" / "dev-pipeline.yaml"
    path.write_text(MINIO_EXAMPLE)
    code, out, _ = run_cli(capsys, "validate")
    assert code == 1
    problems = [line for line in out.splitlines()[:-1] if not line.startswith("warning: ")]
    # One problem per bucket (hostname and insecure together) and the schema line; each says its fix.
    assert len(problems) == 3, out
    assert all("; " in problem for problem in problems)
    assert sum("remove hostname and insecure" in problem for problem in problems) == 2
    # Doing exactly what they say, once, makes the file valid: no second round.
    path.write_text("".join(line for line in MINIO_EXAMPLE.splitlines(True) if not line.lstrip().startswith(("hostname:", "insecure:"))))
    code, out, _ = run_cli(capsys, "validate", "--fix")
    assert code == 0, out


def test_a_project_inside_the_repository_points_at_the_repository_schema(capsys):
    # examples/minio has no docs/ of its own: its tenant files name the repository's schema.
    code, out, _ = run_cli(capsys, "validate", "--project-dir", str(PROJECT_DIR / "examples" / "minio"))
    assert code == 0, out


def test_codeowners_out_of_step_with_the_owners_fails_and_fix_writes_it(project, capsys):
    (project / ".github").mkdir()
    write(project, registration("alpha", owners=["@acme/alpha-team"]))
    code, out, _ = run_cli(capsys, "validate")
    assert code == 1 and ".github/CODEOWNERS: is not what the tenant files' owners" in out
    code, _, _ = run_cli(capsys, "validate", "--fix")
    assert code == 0
    lines = (project / ".github" / "CODEOWNERS").read_text().splitlines()
    # The last matching line wins on GitHub: the tenant file's owners with the platform beside them.
    assert lines[-2:] == ["* @calypr/platform", "/tenants/alpha.yaml @acme/alpha-team @calypr/platform"]


def test_the_repository_codeowners_is_in_step_with_its_tenant_files():
    from tenancy.project.validation import validate_paths

    report = validate_paths(PROJECT_DIR, [])
    assert not report.generated, "run `python -m tenancy validate --fix`"
