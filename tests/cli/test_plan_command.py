"""`python -m tenancy plan` without --base: the three formats, on the repository's tenants and any --tenants-dir."""

import contextlib
import io
import json

import jsonschema
import pytest
import yaml

from tenancy.cli.main import main
from tenancy.loading.loader import load_tenants

from tests.support.cli_project import run_cli
from tests.support.git_repo import git, program_repo, write
from tests.support.program import FIXTURE_TENANTS, PROJECT_DIR, registration, stack_settings

SCHEMA = json.loads((PROJECT_DIR / "docs" / "plan.schema.json").read_text())


def plan(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["plan", "--project-dir", str(PROJECT_DIR), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def repository_json():
    """The JSON plan of the repository's own tenants for dev (capsys is per test, so captured here)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["plan", "--project-dir", str(PROJECT_DIR), "--stack", "dev", "--format", "json"])
    assert code == 0
    return json.loads(out.getvalue())


def test_json_of_the_repository_tenants_follows_the_schema(repository_json):
    jsonschema.validate(repository_json, SCHEMA)


def test_json_lists_the_repository_tenants_deployed_to_dev(repository_json):
    loaded = load_tenants(PROJECT_DIR / "tenants", stack_settings("dev"), display_base=PROJECT_DIR)
    assert repository_json["tenants"] == sorted(tenant.name for tenant in loaded if tenant.deployed)


def test_text_of_the_repository_tenants_is_a_tree(capsys, repository_json):
    code, out, _ = plan(capsys, "--stack", "dev")
    assert code == 0
    for tenant in repository_json["tenants"]:
        assert f"\n{tenant}\n├── repository" in out


def test_markdown_of_another_tenants_dir(capsys):
    code, out, _ = plan(capsys, "--stack", "dev", "--tenants-dir", str(FIXTURE_TENANTS), "--format", "markdown")
    assert code == 0
    assert "<summary><b>alpha</b>" in out and "<summary><b>delta</b>" not in out  # delta is prod-only


def test_invalid_tenant_file_exits_1_with_file_and_line(capsys, tmp_path):
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(registration("bad", repoUrl="nope")))
    code, _, err = plan(capsys, "--stack", "dev", "--tenants-dir", str(tmp_path))
    assert code == 1
    assert "bad.yaml:" in err and "spec.repoUrl" in err


def test_invalid_tenant_file_in_markdown_explains_why_there_is_no_plan(capsys, tmp_path):
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(registration("bad", repoUrl="nope")))
    code, out, _ = plan(capsys, "--stack", "dev", "--tenants-dir", str(tmp_path), "--format", "markdown")
    assert code == 1
    assert "> **Blocked.**\n> - `dev`: no plan:" in out and "#### `dev` · ⛔ no plan" in out and "spec.repoUrl" in out


def test_unknown_stack_is_a_usage_error(capsys):
    code, _, err = plan(capsys, "--stack", "staging")
    assert code == 2 and "no stack 'staging'" in err


@pytest.mark.parametrize("command", ["plan", "validate", "new", "import"])
def test_an_unknown_stack_lists_the_stacks_that_exist(capsys, command):
    extra = {"new": ["rna-seq", "--repo", "https://github.com/acme/rna-seq.git"], "import": ["nothing.yaml"]}
    code, _, err = run_cli(capsys, command, *extra.get(command, []), "--stack", "staging", "--project-dir", str(PROJECT_DIR))
    assert code == 2
    assert "no stack 'staging'" in err and "known stacks: dev, prod" in err


def test_an_offline_plan_never_speaks_of_a_deploy(capsys, tmp_path):
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(registration("bad", repoUrl="nope")))
    for format in ("text", "markdown"):
        code, out, err = plan(capsys, "--stack", "dev", "--tenants-dir", str(tmp_path), "--format", format)
        assert code == 1
        assert "deployed" not in out + err and "nothing was planned" in out + err


def test_missing_tenants_dir_is_a_usage_error(capsys, tmp_path):
    code, _, err = plan(capsys, "--stack", "dev", "--tenants-dir", str(tmp_path / "nowhere"))
    assert code == 2 and "no such directory" in err


def test_exit_codes_are_documented_in_help():
    from tenancy.cli.exit_codes import HELP_TEXT, ExitCode
    from tenancy.cli.main import build_parser

    assert [code.value for code in ExitCode] == [0, 1, 2, 3, 4]
    assert all(f"\n  {code.value}  " in HELP_TEXT for code in ExitCode)
    assert HELP_TEXT in build_parser(["plan"]).format_help()


def test_empty_tenants_dir_plans_no_tenants(capsys, tmp_path):
    code, out, _ = plan(capsys, "--stack", "dev", "--tenants-dir", str(tmp_path), "--format", "json")
    assert code == 0
    assert json.loads(out)["tenants"] == []


def test_help_explains_which_revisions_and_which_program(capsys):
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("--head GIT_REF", "--program {each,current}", "each side with its own program", "as data"):
        assert words in text, words


def test_the_verdict_with_and_without_full_plan_prints_the_same_comment_and_json(capsys, tmp_path):
    # tests/plan/test_incremental.py runs the whole corpus; here the option, end to end through the command.
    repo = program_repo(tmp_path / "repo", stacks=("dev",))
    for name in ("alpha", "beta"):
        write(repo, registration(name))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "tag", "base")
    write(repo, registration("gamma"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "onboard gamma")
    git(repo, "tag", "head")
    verdict = ["plan", "--project-dir", str(repo), "--base", "base", "--head", "head", "--program", "current"]
    outputs = {}
    for extra in ((), ("--full-plan",)):
        markdown = run_cli(capsys, *verdict, "--all-stacks", "--format", "markdown", *extra)
        document = run_cli(capsys, *verdict, "--stack", "dev", "--format", "json", *extra)
        outputs[extra] = (markdown[:2], document[:2])
    assert outputs[()] == outputs[("--full-plan",)]
    (code, _), (_, text) = outputs[()]
    assert code == 0 and json.loads(text)["summary"]["tenants"]["untouched"] == 2
