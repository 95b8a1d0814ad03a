"""The scale benchmark: N synthetic tenants, three measurements, each the median of fresh-process runs.

For each N: (a) `validate` of the N files against every stack, (b) the program under the mock
engine (what `plan` does), (c) the SDK floor: the same registrations through the bare SDKs
(bench.sdk_floor). The targets of docs/scale.md are checked on the results; `python -m bench`
prints them as a table and writes them as JSON.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bench.synthetic_tenants import write_synthetic_tenants

RESULTS_VERSION = 1

# The targets, checked on every run (docs/scale.md explains each one).
VALIDATE_SECONDS_AT_1000 = 2.0
FLOOR_RATIO_AT_LARGEST = 1.3
LINEARITY_1000_OVER_100 = 11.0
PEAK_RSS_MIB = 1536


class ProbeError(Exception):
    """A measurement process failed; the message holds its stderr."""


@dataclass(frozen=True)
class Target:
    name: str
    limit: str
    measured: str
    met: bool


def _probe(kind: str, project_dir: Path, tenants_dir: Path, stack: str, *extra: str) -> dict:
    command = [
        sys.executable, "-m", "bench.probe", kind,
        "--project-dir", str(project_dir), "--tenants-dir", str(tenants_dir), "--stack", stack, *extra,
    ]
    # The probe imports `tenancy` from this checkout, wherever the benchmark was started from.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")]))}
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if completed.returncode != 0:
        raise ProbeError(f"{kind} probe failed (exit {completed.returncode}): {completed.stderr.strip()[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _summary(runs: list[dict]) -> dict:
    return {
        "median_seconds": statistics.median(run["seconds"] for run in runs),
        "runs_seconds": [run["seconds"] for run in runs],
        "peak_rss_mib": max(run["peak_rss_mib"] for run in runs),
        **{key: runs[0][key] for key in ("resources", "invokes", "files") if key in runs[0]},
    }


def measure_size(
    count: int,
    repeat: int,
    project_dir: Path,
    stack: str,
    report: Callable[[str], None] = lambda line: None,
) -> dict:
    """Every measurement for `count` tenants; `report` hears one line per finished run."""
    with tempfile.TemporaryDirectory(prefix=f"argo-tenants-bench-{count}-") as scratch:
        tenants_dir = Path(scratch) / "tenants"
        write_synthetic_tenants(tenants_dir, count)
        registrations = Path(scratch) / "registrations.json"
        measured: dict[str, list[dict]] = {"validate": [], "program": [], "floor": []}
        for run in range(repeat):
            for kind in ("validate", "program", "floor"):
                extra: tuple[str, ...] = ()
                if kind == "program" and run == 0:
                    extra = ("--save-registrations", str(registrations))
                elif kind == "floor":
                    extra = ("--registrations", str(registrations))
                result = _probe(kind, project_dir, tenants_dir, stack, *extra)
                measured[kind].append(result)
                report(f"{count:>5} tenants  {kind:<8} run {run + 1}/{repeat}: {result['seconds']:8.2f} s  {result['peak_rss_mib']:7.0f} MiB")
    summaries = {kind: _summary(runs) for kind, runs in measured.items()}
    program, floor = summaries["program"], summaries["floor"]
    if program["resources"] != floor["resources"]:
        raise ProbeError(f"the floor registered {floor['resources']} resources, the program {program['resources']}")
    return {
        "tenants": count,
        "resources": program["resources"],
        "resources_per_tenant": program["resources"] / count,
        "invokes": program["invokes"],
        **summaries,
        "program_over_floor": program["median_seconds"] / floor["median_seconds"],
    }


def check_targets(sizes: list[dict]) -> list[Target]:
    """The targets, on the sizes measured (a target whose size was not run is left out)."""
    by_count = {size["tenants"]: size for size in sizes}
    targets: list[Target] = []
    if 1000 in by_count:
        seconds = by_count[1000]["validate"]["median_seconds"]
        targets.append(Target("validate 1,000 tenants", f"< {VALIDATE_SECONDS_AT_1000:g} s", f"{seconds:.2f} s", seconds < VALIDATE_SECONDS_AT_1000))
    largest = by_count[max(by_count)]
    ratio = largest["program_over_floor"]
    targets.append(
        Target(f"program / SDK floor at {largest['tenants']:,}", f"<= {FLOOR_RATIO_AT_LARGEST:g}", f"{ratio:.2f}", ratio <= FLOOR_RATIO_AT_LARGEST)
    )
    if 100 in by_count and 1000 in by_count:
        growth = by_count[1000]["program"]["median_seconds"] / by_count[100]["program"]["median_seconds"]
        targets.append(Target("program time(1,000) / time(100)", f"<= {LINEARITY_1000_OVER_100:g}", f"{growth:.2f}", growth <= LINEARITY_1000_OVER_100))
    peak = max(size["program"]["peak_rss_mib"] for size in sizes)
    targets.append(Target(f"program peak memory at {largest['tenants']:,}", f"< {PEAK_RSS_MIB} MiB", f"{peak:.0f} MiB", peak < PEAK_RSS_MIB))
    invokes = max(size["invokes"] for size in sizes)
    targets.append(Target("provider invokes", "0", str(invokes), invokes == 0))
    return targets


def run_benchmark(
    counts: list[int],
    repeat: int,
    project_dir: Path,
    stack: str = "dev",
    report: Callable[[str], None] = lambda line: None,
) -> dict:
    sizes = [measure_size(count, repeat, project_dir, stack, report) for count in counts]
    return {
        "version": RESULTS_VERSION,
        "stack": stack,
        "repeat": repeat,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "sizes": sizes,
        "targets": [target.__dict__ for target in check_targets(sizes)],
    }


def results_table(results: dict) -> str:
    """A Markdown table (readable at a terminal too): one row per N, then the targets."""
    lines = [
        "| tenants | resources | per tenant | validate | program (plan) | SDK floor | program / floor | program peak RSS |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for size in results["sizes"]:
        lines.append(
            f"| {size['tenants']:,} | {size['resources']:,} | {size['resources_per_tenant']:.1f} "
            f"| {size['validate']['median_seconds']:.2f} s | {size['program']['median_seconds']:.2f} s "
            f"| {size['floor']['median_seconds']:.2f} s | {size['program_over_floor']:.2f} "
            f"| {size['program']['peak_rss_mib']:,.0f} MiB |"
        )
    lines += ["", "| target | limit | measured | met |", "|---|--:|--:|---|"]
    for target in results["targets"]:
        lines.append(f"| {target['name']} | {target['limit']} | {target['measured']} | {'yes' if target['met'] else '**no**'} |")
    return "\n".join(lines)
