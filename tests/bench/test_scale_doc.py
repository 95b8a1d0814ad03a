"""docs/scale.md shows the recorded run (docs/scale-results.json) as the benchmark prints it: a
re-measurement cannot land without its tables, nor the tables without the run they come from."""

import json

import pytest

from bench.benchmark import RESULTS_VERSION, results_table, verdict_table
from tests.support.program import PROJECT_DIR

SCALE_DOC = (PROJECT_DIR / "docs" / "scale.md").read_text(encoding="utf-8")
RECORDED = json.loads((PROJECT_DIR / "docs" / "scale-results.json").read_text(encoding="utf-8"))
# The verdict alone (`python -m bench --kinds verdict,verdict_full --sizes 100,1000`), at the same two sizes.
VERDICT_RECORDED = json.loads((PROJECT_DIR / "docs" / "scale-verdict-results.json").read_text(encoding="utf-8"))


def test_the_recorded_run_is_of_the_current_benchmark():
    assert RECORDED["version"] == RESULTS_VERSION
    assert [size["tenants"] for size in RECORDED["sizes"]] == [10, 100, 500, 1000]


@pytest.mark.parametrize("size", RECORDED["sizes"], ids=lambda size: f"{size['tenants']}-tenants")
def test_each_measured_size_is_a_row_of_the_results_table(size):
    table = results_table({"sizes": [size], "targets": []})
    row = table.splitlines()[2]
    assert row in SCALE_DOC


@pytest.mark.parametrize("target", RECORDED["targets"], ids=lambda target: target["name"])
def test_each_target_is_shown_with_its_limit_and_measurement(target):
    # The outcome column may go on to say why a target is missed.
    assert f"| {target['name']} | {target['limit']} | {target['measured']} |" in SCALE_DOC


def test_the_recorded_verdict_run_is_of_the_current_benchmark_at_100_and_1000():
    assert VERDICT_RECORDED["version"] == RESULTS_VERSION
    assert [size["tenants"] for size in VERDICT_RECORDED["sizes"]] == [100, 1000]
    assert all("verdict" in size for size in VERDICT_RECORDED["sizes"])


@pytest.mark.parametrize("size", VERDICT_RECORDED["sizes"], ids=lambda size: f"{size['tenants']}-tenants")
def test_each_verdict_size_is_a_row_of_the_verdict_table(size):
    row = verdict_table({"sizes": [size]}).splitlines()[2]
    assert row in SCALE_DOC


@pytest.mark.parametrize("target", VERDICT_RECORDED["targets"], ids=lambda target: target["name"])
def test_each_verdict_target_is_shown_with_its_limit_and_measurement(target):
    assert f"| {target['name']} | {target['limit']} | {target['measured']} |" in SCALE_DOC
