"""The benchmark's targets and table, on results it did not have to measure; and one tiny real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import benchmark
from bench.command import TARGET_MISSED, main as bench_main
from tests.support.program import PROJECT_DIR



def _size(tenants: int, program: float, floor: float, validate: float = 0.1, peak: float = 500.0, invokes: int = 0) -> dict:
    return {
        "tenants": tenants,
        "resources": tenants * 40,
        "resources_per_tenant": 40.0,
        "invokes": invokes,
        "validate": {"median_seconds": validate, "runs_seconds": [validate], "peak_rss_mib": 40.0},
        "program": {"median_seconds": program, "runs_seconds": [program], "peak_rss_mib": peak},
        "floor": {"median_seconds": floor, "runs_seconds": [floor], "peak_rss_mib": peak},
        "program_over_floor": program / floor,
    }


def _targets(sizes: list[dict]) -> dict[str, bool]:
    return {target.name: target.met for target in benchmark.check_targets(sizes)}


def test_all_targets_met():
    met = _targets([_size(100, 5.0, 4.5), _size(1000, 50.0, 45.0, validate=0.5)])
    assert met and all(met.values()), met


def test_a_program_over_1_3_times_the_floor_misses_its_target():
    met = _targets([_size(100, 5.0, 4.5), _size(1000, 59.0, 45.0)])
    assert met["program / SDK floor at 1,000"] is False


def test_superlinear_growth_misses_its_target():
    met = _targets([_size(100, 5.0, 4.5), _size(1000, 56.0, 45.0)])
    assert met["program time(1,000) / time(100)"] is False


def test_slow_validation_misses_its_target():
    met = _targets([_size(100, 5.0, 4.5), _size(1000, 50.0, 45.0, validate=2.0)])
    assert met["validate 1,000 tenants"] is False


def test_memory_and_invokes_have_targets():
    met = _targets([_size(1000, 50.0, 45.0, peak=1600.0, invokes=1)])
    assert met["program peak memory at 1,000"] is False
    assert met["provider invokes"] is False


def test_targets_of_sizes_not_measured_are_left_out():
    assert set(_targets([_size(10, 1.0, 0.9)])) == {"program / SDK floor at 10", "program peak memory at 10", "provider invokes"}


def test_the_table_has_a_row_per_size_and_a_row_per_target():
    results = {"sizes": [_size(10, 1.0, 0.9), _size(100, 5.0, 4.5)]}
    results["targets"] = [target.__dict__ for target in benchmark.check_targets(results["sizes"])]
    table = benchmark.results_table(results)
    assert "| 100 | 4,000 | 40.0 | 0.10 s | 5.00 s | 4.50 s | 1.11 | 500 MiB |" in table
    assert "| provider invokes | 0 | 0 | yes |" in table


def test_bench_runs_end_to_end_on_a_tiny_size(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(PROJECT_DIR)
    output = tmp_path / "results.json"
    code = bench_main(["--sizes", "2", "--repeat", "1", "--output", str(output)])
    results = json.loads(output.read_text())
    (size,) = results["sizes"]
    assert size["tenants"] == 2
    assert size["resources"] == size["floor"]["resources"] > 2 * 30
    assert size["invokes"] == 0
    assert size["validate"]["files"] == 2
    assert code in (0, TARGET_MISSED)
    assert "| 2 |" in capsys.readouterr().out


def test_sizes_must_be_positive_numbers(capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench_main(["--sizes", "10,zero"])
    assert exit_info.value.code == 2
    assert "comma-separated" in capsys.readouterr().err
