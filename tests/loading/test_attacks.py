"""Attacks on the reader of tenant files, by someone who may only open a pull request adding one.

Each test is an attack that once worked (a traceback, a crash, a file read from anywhere, a value
silently converted, raw control characters on a terminal); each is now refused with one line that
names the file, the line and the field. Attacks that would crash or hang the test process run in a
child process with a time and memory limit.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest
import yaml

from tenancy.loading.yaml_source import MAX_DEPTH, MAX_VALUE_LENGTH
from tenancy.model import formats
from tenancy.model.problems import TenantValidationError
from tests.support.cli_project import make_project
from tests.support.program import PROJECT_DIR, registration

HEAD = "apiVersion: platform.calypr.io/v1alpha1\nkind: RepoRegistration\nmetadata:\n  name: a\nspec:\n"
BODY = "  repoUrl: https://github.com/acme/a.git\n  tenant: research\n  artifactBucket: {bucket: a-artifacts}\n"


def problems_of(load):
    with pytest.raises(TenantValidationError) as err:
        load()
    return err.value.problems


def only(problems):
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def _limited():
    # 1.5 GB of address space: enough for the command, not for reading /dev/zero into memory.
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))


def validate_in_child(project, timeout=60) -> subprocess.CompletedProcess:
    """`python -m tenancy validate` on `project` in a child process: a crash or a hang fails the test, not the run."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "tenancy", "validate", "--project-dir", str(project)],
            cwd=project,
            env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=_limited,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"validate did not finish within {timeout} s")


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def assert_refused(result: subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit 1, no traceback, one short line per problem naming what is wrong."""
    assert result.returncode == 1, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert len(result.stdout) < 2000, result.stdout[:2000]
    for fragment in fragments:
        assert fragment in result.stdout
    return result.stdout


# --- nesting -------------------------------------------------------------------------------------


def test_deep_nesting_is_one_problem_not_a_recursion_error(write_tenant, load):
    write_tenant(HEAD + "  tenant: " + "[" * 600 + "]" * 600 + "\n", "a.yaml")
    problem = only(problems_of(load))
    assert (problem.file, problem.line) == ("tenants/a.yaml", 6)
    assert f"nests deeper than {MAX_DEPTH} levels" in problem.message


def test_nesting_that_crashed_the_c_composer_is_refused_before_composing(project):
    # 30,000 levels in a 60 KB file: libyaml's composer recursed in C until the process died
    # with a segmentation fault and no message at all.
    (project / "tenants" / "a.yaml").write_text(HEAD + "  tenant: " + "[" * 30_000 + "]" * 30_000 + "\n")
    assert_refused(validate_in_child(project), f"tenants/a.yaml:6: nests deeper than {MAX_DEPTH} levels")


def test_nesting_within_the_limit_still_reads(write_tenant, load):
    nested = "[" * (MAX_DEPTH - 3) + "]" * (MAX_DEPTH - 3)
    write_tenant(HEAD + BODY + f"  readUsers: {nested}\n", "a.yaml")
    # The document and spec are two levels: this is one level short of the limit. The model
    # refuses the value; the reader does not.
    assert only(problems_of(load)).field.startswith("spec.readUsers")


# --- what is read, and how much ------------------------------------------------------------------


def test_a_symlink_to_a_file_elsewhere_is_not_read(tenants_dir, tmp_path, load):
    outside = tmp_path / "outside.yaml"
    outside.write_text(yaml.safe_dump(registration("a")))
    (tenants_dir / "a.yaml").symlink_to(outside)
    problem = only(problems_of(load))
    assert str(problem) == (
        "tenants/a.yaml: is a symbolic link; tenant files are regular files in the tenants directory, "
        "so put the file itself there"
    )


def test_a_symlink_to_dev_zero_is_not_read(project):
    (project / "tenants" / "a.yaml").symlink_to("/dev/zero")
    assert_refused(validate_in_child(project), "tenants/a.yaml: is a symbolic link")


def test_a_named_pipe_is_not_opened(project):
    os.mkfifo(project / "tenants" / "a.yaml")
    assert_refused(validate_in_child(project, timeout=30), "tenants/a.yaml: is not a regular file")


def test_a_symlinked_tenants_directory_is_refused(tmp_path, settings):
    from tenancy.loading.loader import load_tenants

    real = tmp_path / "elsewhere"
    real.mkdir()
    (tmp_path / "tenants").symlink_to(real)
    with pytest.raises(TenantValidationError, match="tenants: is a symbolic link"):
        load_tenants(tmp_path / "tenants", settings, display_base=tmp_path)


def test_a_huge_file_is_refused_without_reading_it(project):
    text = HEAD + BODY + "  defaultBranch: " + "A" * 20_000_000 + "\n"
    (project / "tenants" / "a.yaml").write_text(text)
    out = assert_refused(validate_in_child(project), "tenants/a.yaml: is larger than 64 KiB")
    assert "AAAAAAAAAA" not in out


def test_a_long_value_is_refused_and_never_echoed(write_tenant, load):
    write_tenant(HEAD + BODY + "  defaultBranch: " + "A" * 5000 + "\n", "a.yaml")
    problem = only(problems_of(load))
    assert (problem.field, problem.line) == ("spec.defaultBranch", 9)
    assert problem.message == f"is 5000 characters long; a value holds at most {MAX_VALUE_LENGTH}"


def test_long_values_are_cut_short_in_messages(write_tenant, load):
    write_tenant(registration("a", artifactBucket={"bucket": "B" * 900}))
    problem = only(problems_of(load))
    assert problem.field == "spec.artifactBucket.bucket"
    assert len(str(problem)) < 300 and "…" in problem.message


# --- patterns match whole ASCII values -----------------------------------------------------------


def test_a_name_with_a_trailing_newline_is_not_a_registration_name(write_tenant, load):
    # `$` also matches before a final newline: "a\n" passed the name check, and went on into
    # every derived name (a Vault policy's HCL among them).
    write_tenant(HEAD.replace("name: a", 'name: "a\\n"') + BODY, "a.yaml")
    problem = next(p for p in problems_of(load) if p.field == "metadata.name")
    assert problem.line == 4 and "is not a valid registration name" in problem.message
    assert "\n" not in str(problem)


@pytest.mark.parametrize(
    "check, value",
    [
        (formats.dns_label_problem, "alpha\n"),
        (formats.s3_bucket_problem, "alpha-artifacts\n"),
        (formats.email_problem, "a@acme.org\n"),
        (formats.aws_region_problem, "us-west-\u0662"),  # ARABIC-INDIC DIGIT TWO is a \d in Unicode
        (formats.aws_region_problem, "us-west-2\n"),
        (lambda value: formats.label_value_problem(value, "tenant"), "research\n"),
        (lambda value: formats.relative_path_problem(value, "path"), "argo/apps\n"),
        (formats.key_prefix_problem, "workflows/\n"),
    ],
)
def test_patterns_match_the_whole_ascii_value(check, value):
    assert check(value) is not None


def test_a_region_with_a_non_ascii_digit_is_refused(write_tenant, load):
    write_tenant(registration("a", artifactBucket={"bucket": "a-artifacts", "region": "us-west-\u0662"}))
    assert only(problems_of(load)).field == "spec.artifactBucket.region"


# --- YAML's implicit conversions -----------------------------------------------------------------


@pytest.mark.parametrize("word", ["yes", "No", "ON", "off", "y", "N"])
def test_yaml_1_1_booleans_are_named_as_the_trap_they_are(write_tenant, load, word):
    write_tenant(HEAD + BODY + f"  paused: {word}\n", "a.yaml")
    problem = only(problems_of(load))
    assert (problem.field, problem.line) == ("spec.paused", 9)
    assert problem.text == f"'{word}' is a YAML 1.1 boolean; write true or false (or quote it to mean the text)"


@pytest.mark.parametrize(
    "line, field, message",
    [
        ("  defaultBranch: on\n", "spec.defaultBranch", "'on' is a YAML 1.1 boolean"),
        ("  defaultBranch: 2024-01-01\n", "spec.defaultBranch", "'2024-01-01' is a date in YAML"),
        ("  defaultBranch: 2024-01-01 10:00:00\n", "spec.defaultBranch", "'2024-01-01 10:00:00' is a date in YAML"),
        ("  credentialsRotation: 010\n", "spec.credentialsRotation", "'010' is an octal number in YAML 1.1 (8)"),
        ("  credentialsRotation: 0o10\n", "spec.credentialsRotation", "'0o10' is an octal number in YAML 1.2 (8)"),
        ("  credentialsRotation: 1:30\n", "spec.credentialsRotation", "'1:30' is a base-60 number in YAML 1.1 (90)"),
        ("  credentialsRotation: 1_000\n", "spec.credentialsRotation", "'1_000' is a number in YAML 1.1 notation"),
        ("  credentialsRotation: 0x1F\n", "spec.credentialsRotation", "'0x1F' is a number in YAML notation"),
        ("  defaultBranch: .inf\n", "spec.defaultBranch", "'.inf' is a number in YAML notation"),
        ("  paused: ~\n", "spec.paused", "'~' is YAML's shorthand for null"),
    ],
)
def test_other_implicit_conversions_are_refused_with_the_fix(write_tenant, load, line, field, message):
    write_tenant(HEAD + BODY + line, "a.yaml")
    problem = only(problems_of(load))
    assert (problem.field, problem.line) == (field, 9)
    assert problem.message == message and problem.hint


def test_quoting_a_trap_makes_it_text(write_tenant, load):
    write_tenant(HEAD + BODY + '  defaultBranch: "2024-01-01"\n', "a.yaml")
    assert load()[0].default_branch == "2024-01-01"


def test_a_quoted_boolean_says_to_remove_the_quotes(write_tenant, load):
    write_tenant(HEAD + BODY + '  paused: "true"\n', "a.yaml")
    assert only(problems_of(load)).text == "is the string 'true'; remove the quotes"


def test_a_quoted_number_says_to_remove_the_quotes(write_tenant, load):
    write_tenant(HEAD + BODY + "  credentialsRotation: '2'\n", "a.yaml")
    assert only(problems_of(load)).text == "is the string '2'; remove the quotes"


def test_a_tab_in_the_indentation_is_named(write_tenant, load):
    write_tenant(HEAD + BODY + "\tpaused: true\n", "a.yaml")
    problem = only(problems_of(load))
    assert problem.line == 9
    assert problem.text == "is not valid YAML: a tab is not allowed for indentation in YAML; use spaces"


# --- what reaches the terminal -------------------------------------------------------------------


def test_control_characters_in_a_file_name_are_escaped(tenants_dir, load):
    (tenants_dir / "a\x1b[2J\x1b[31m.yaml").write_text(yaml.safe_dump(registration("a")))
    problem = only(problems_of(load))
    assert "\x1b" not in str(problem)
    assert "\\x1b[2J" in problem.file and "has control characters in its name" in problem.message


def test_control_characters_in_a_value_are_escaped(write_tenant, load):
    write_tenant(registration("a", tenant="evil\x1b]0;pwned\x07\u202e"))
    problem = only(problems_of(load))
    assert problem.field == "spec.tenant"
    text = str(problem)
    assert text.isprintable() and "\\x1b]0;pwned\\x07\\u202e" in text


def test_control_characters_in_an_unknown_key_are_escaped(write_tenant, load):
    write_tenant(HEAD + BODY + '  "x\\e[2Jy": 1\n', "a.yaml")
    problem = only(problems_of(load))
    assert str(problem).isprintable() and "\\x1b[2J" in problem.field
