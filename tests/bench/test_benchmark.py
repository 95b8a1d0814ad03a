"""The benchmark's targets and table, on results it did not have to measure; and one tiny real run."""

from __future__ import annotations

import json

import pytest

from bench import benchmark
from bench.command import TARGET_MISSED, main as bench_main
from tests.support.program import PROJECT_DIR


def _kind(seconds: float, peak: float) -> dict:
    return {"median_seconds": seconds, "runs_seconds": [seconds], "peak_rss_mib": peak}


def _size(
    tenants: int,
    program: float,
    naive: float,
    floor: float,
    *,
    validate: float = 0.1,
    peak: float = 500.0,
    naive_peak: float = 600.0,
    invokes: int = 0,
) -> dict:
    return {
        "tenants": tenants,
        "resources": tenants * 40,
        "resources_per_tenant": 40.0,
        "invokes": invokes,
        "validate": _kind(validate, 40.0),
        "plan": _kind(program * 0.9, peak),
        "program": _kind(program, peak),
        "naive": _kind(naive, naive_peak),
        "floor": _kind(floor, naive_peak),
        "program_over_naive": program / naive,
        "program_over_floor": program / floor,
        "plan_over_floor": program * 0.9 / floor,
    }


GOOD_100 = _size(100, 6.0, 12.0, 5.8)
GOOD_1000 = _size(1000, 64.0, 125.0, 62.0, validate=0.5, peak=2200.0, naive_peak=2500.0)


def _outcomes(sizes: list[dict]) -> dict[str, str]:
    return {target.name: target.outcome for target in benchmark.check_targets(sizes)}


def test_all_targets_met_and_one_stack_of_1000_states_its_memory_limit():
    outcomes = _outcomes([GOOD_100, _size(500, 31.0, 60.0, 30.0, peak=1100.0), GOOD_1000])
    assert outcomes.pop("program peak memory at 1,000, one stack") == "limit"
    assert outcomes and set(outcomes.values()) == {"met"}, outcomes
    assert not [target for target in benchmark.check_targets([GOOD_100, GOOD_1000]) if target.failed]


def test_a_program_over_0_55_times_the_naive_program_misses_its_target():
    outcomes = _outcomes([GOOD_100, _size(1000, 70.0, 125.0, 66.0)])
    assert outcomes["program / naive program at 1,000"] == "missed"
    assert outcomes["program / SDK floor at 1,000"] == "met"


def test_a_program_over_1_1_times_the_floor_misses_its_target():
    outcomes = _outcomes([GOOD_100, _size(1000, 64.0, 125.0, 57.0)])
    assert outcomes["program / SDK floor at 1,000"] == "missed"


def test_superlinear_growth_misses_its_target():
    outcomes = _outcomes([_size(100, 5.5, 11.0, 5.3), GOOD_1000])
    assert outcomes["program time(1,000) / time(100)"] == "missed"


def test_slow_validation_misses_its_target():
    outcomes = _outcomes([GOOD_100, _size(1000, 64.0, 125.0, 62.0, validate=2.0)])
    assert outcomes["validate 1,000 tenants"] == "missed"


def test_memory_above_the_naive_programs_or_a_shards_limit_misses_and_invokes_have_a_target():
    outcomes = _outcomes([_size(500, 31.0, 60.0, 30.0, peak=1600.0), _size(1000, 64.0, 125.0, 62.0, peak=2600.0, naive_peak=2500.0, invokes=1)])
    assert outcomes["program peak memory at 500 (a shard)"] == "missed"
    assert outcomes["program peak memory at 1,000"] == "missed"
    assert outcomes["provider invokes"] == "missed"


def test_each_target_is_checked_at_the_size_it_is_meant_for():
    assert set(_outcomes([_size(10, 1.0, 1.5, 0.9), GOOD_100])) == {"provider invokes"}
    assert "program time(1,000) / time(100)" not in _outcomes([GOOD_1000])


def test_the_table_has_a_row_per_size_and_a_row_per_target():
    results = {"sizes": [GOOD_100, GOOD_1000]}
    results["targets"] = [target.__dict__ for target in benchmark.check_targets(results["sizes"])]
    table = benchmark.results_table(results)
    assert "| 100 | 4,000 | 0.10 s | 5.40 s | 6.00 s | 12.00 s | 5.80 s | 0.50 | 1.03 | 500 MiB | 600 MiB | 600 MiB |" in table
    assert "| provider invokes | 0 | 0 | yes |" in table
    assert "| program peak memory at 1,000, one stack | < 1,536 MiB: shard | 2,200 MiB | limit |" in table


def _verdict_size(tenants: int, verdict: float, full: float | None = None) -> dict:
    size = {"tenants": tenants, "verdict": _kind(verdict, 200.0)}
    if full is not None:
        size["verdict_full"] = _kind(full, 250.0)
    return size


VERDICT = "verdict time(1,000) / time(100), one-file onboarding"


def test_a_verdict_that_grows_more_than_twice_from_100_to_1000_misses_its_target():
    assert _outcomes([_verdict_size(100, 6.0), _verdict_size(1000, 12.0)]) == {VERDICT: "met"}
    assert _outcomes([_verdict_size(100, 6.0), _verdict_size(1000, 12.1)]) == {VERDICT: "missed"}


def test_the_verdicts_table_shows_it_beside_the_full_plans():
    results = {"sizes": [_verdict_size(100, 6.0, 30.0), _verdict_size(1000, 9.0)], "targets": []}
    table = benchmark.results_table(results)
    assert "| 100 | 6.00 s | 30.00 s | 5.0 | 200 MiB |" in table
    assert "| 1,000 | 9.00 s | not run | not run | 200 MiB |" in table
    # Sizes measured for the verdict alone have no row in the program's table.
    assert "| tenants | resources |" not in table


def test_the_verdict_on_a_tiny_size_says_what_the_full_plan_says(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(PROJECT_DIR)
    output = tmp_path / "results.json"
    code = bench_main(["--sizes", "2", "--kinds", "verdict,verdict_full", "--output", str(output)])
    (size,) = json.loads(output.read_text())["sizes"]
    assert code == 0
    assert set(size) == {"tenants", "verdict", "verdict_full"}
    assert size["verdict"]["comment_sha256"] == size["verdict_full"]["comment_sha256"]
    assert "| 2 |" in capsys.readouterr().out


def test_the_naive_program_needs_the_plan_it_replays(capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench_main(["--kinds", "naive"])
    assert exit_info.value.code == 2
    assert "measure plan too" in capsys.readouterr().err


def test_bench_runs_end_to_end_on_a_tiny_size(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(PROJECT_DIR)
    output = tmp_path / "results.json"
    code = bench_main(["--sizes", "2", "--repeat", "1", "--output", str(output)])
    results = json.loads(output.read_text())
    (size,) = results["sizes"]
    assert size["tenants"] == 2
    assert size["resources"] == size["plan"]["resources"] == size["naive"]["resources"] == size["floor"]["resources"] > 2 * 30
    assert size["invokes"] == 0
    assert size["validate"]["files"] == 2
    assert code == 0, results["targets"]
    assert "| 2 |" in capsys.readouterr().out


def test_sizes_must_be_positive_numbers(capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench_main(["--sizes", "10,zero"])
    assert exit_info.value.code == 2
    assert "comma-separated" in capsys.readouterr().err
