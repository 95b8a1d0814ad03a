"""`python -m tenancy schema` and the `# yaml-language-server: $schema=...` line of every tenant file."""

from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

from tenancy.authoring import json_schema
from tenancy.loading.loader import TenantFile, registration_of
from tenancy.project import schema_line
from tests.support.cli_project import run_cli
from tests.support.program import FIXTURE_TENANTS, PROJECT_DIR, make_settings, registration

# `_retired-buckets.yaml` is the directory's record of retired buckets, not a tenant file.
TENANT_FILES = sorted((PROJECT_DIR / "tenants").glob("[!_]*.yaml")) + sorted(FIXTURE_TENANTS.glob("[!_]*.yaml"))


def test_committed_schema_matches_the_model():
    assert json_schema.is_current(PROJECT_DIR), "docs/tenant.schema.json is stale: run `python -m tenancy schema`"


def test_schema_writes_the_file(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    code, _, _ = run_cli(capsys, "schema", "--project-dir", str(tmp_path))
    assert code == 0
    assert (tmp_path / "docs" / "tenant.schema.json").read_text() == json_schema.render()


def test_check_fails_on_a_stale_schema_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    stale = tmp_path / "docs" / "tenant.schema.json"
    stale.write_text("{}\n")
    code, _, err = run_cli(capsys, "schema", "--check", "--project-dir", str(tmp_path))
    assert code == 1
    assert "out of date" in err
    assert stale.read_text() == "{}\n"


@pytest.mark.parametrize("path", TENANT_FILES, ids=lambda path: str(path.relative_to(PROJECT_DIR)))
def test_every_tenant_file_starts_with_the_schema_line(path):
    expected = schema_line.modeline(path.parent, PROJECT_DIR)
    first = path.read_text().splitlines()[0]
    assert first == expected, f"{path.relative_to(PROJECT_DIR)}: make its first line `{expected}` so editors can check it"


@pytest.mark.parametrize("path", TENANT_FILES, ids=lambda path: str(path.relative_to(PROJECT_DIR)))
def test_editors_accept_every_committed_tenant_file(path):
    # The schema is only editor help; a valid file must never show as an error in an editor.
    errors = list(Draft7Validator(json_schema.schema()).iter_errors(yaml.safe_load(path.read_text())))
    assert errors == []


def test_editors_flag_an_unknown_field():
    document = registration("alpha", artifactBucket={"bucket": "alpha-artifacts", "keyPrefx": "x/"})
    error = best_match(Draft7Validator(json_schema.schema()).iter_errors(document))
    assert error.validator == "additionalProperties" and "keyPrefx" in error.message


def test_editors_flag_a_value_the_model_refuses():
    document = registration("alpha", artifactBucket={"bucket": "Alpha_Artifacts"})
    error = best_match(Draft7Validator(json_schema.schema()).iter_errors(document))
    assert (list(error.absolute_path), error.validator) == (["spec", "artifactBucket", "bucket"], "pattern")


def test_schema_is_draft_7_which_editors_support():
    schema = json_schema.schema()
    Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_hover_text_is_never_hidden_beside_a_reference():
    # Draft 7 ignores every keyword next to `$ref`, so a description there would never show.
    def walk(node):
        if isinstance(node, dict):
            assert not ("$ref" in node and len(node) > 1), node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json_schema.schema())


def test_the_program_does_not_require_the_schema_line():
    # Pasted manifests (kubectl output, the platform guide's examples) must load unchanged.
    text = yaml.safe_dump(registration("alpha"))
    registration_, problems = registration_of(TenantFile.parse(text, "tenants/alpha.yaml"), make_settings())
    assert problems == [] and registration_ is not None


def test_modeline_is_relative_to_the_tenant_directory():
    assert schema_line.modeline(PROJECT_DIR / "tenants", PROJECT_DIR) == "# yaml-language-server: $schema=../docs/tenant.schema.json"
    assert schema_line.modeline(Path(PROJECT_DIR), PROJECT_DIR).endswith("$schema=docs/tenant.schema.json")
