"""A test that cannot run here says so in `make test`'s output, with the command that runs it."""

import configparser

from tests.support.program import PROJECT_DIR
from tests.support.shared_files import SCHEMAS_ENV, missing_reason


def test_pytest_reports_skip_reasons():
    config = configparser.ConfigParser()
    config.read(PROJECT_DIR / "pytest.ini")
    report = [option[2:] for option in config["pytest"].get("addopts", "").split() if option.startswith("-r")]
    # s: skips with their reasons; f and E: pytest's own default, which any -r replaces.
    assert report and {"s", "f", "E"} <= set(report[0])


def test_a_missing_shared_folder_names_the_variable_and_the_command(monkeypatch, tmp_path):
    monkeypatch.setenv(SCHEMAS_ENV, str(tmp_path / "nowhere"))
    reason = missing_reason("upstream schemas", "schemas", SCHEMAS_ENV, "argo-workflows.schema.json")
    assert str(tmp_path / "nowhere") in reason
    assert f"`{SCHEMAS_ENV}=/path/to/shared/schemas make test`" in reason and "../shared/schemas" in reason
    assert "README" not in reason

