"""The scale benchmark: N synthetic tenants, seven measurements, each the median of fresh-process runs.

For each N: (a) `validate` of the N files against every stack, (b) the offline plan (the program
under tenancy.plan.engine, what `python -m tenancy plan` does), (c) the program as `pulumi preview`
and `pulumi up` run it (bench/language_host.py), (d) the naive program: the same registrations made
with the typed provider SDK classes (bench/typed_program), run the same way with the interpreter's
defaults, (e) the SDK floor: that naive program with the collector off, (f) CI's verdict on a
pull request that onboards one more tenant, as the workflow runs it, on a scratch git repository
holding the program, the stack's settings and the N tenants, (g) that verdict with --full-plan,
every registration built (tenancy.plan.incremental). The targets of docs/scale.md are checked on
the results, each at the size it is meant for; `python -m bench` prints them as tables and writes
them as JSON. `kinds` runs some of the measurements only (the naive program and the floor replay
what the plan registered, so they need it).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bench.language_host import TYPED_PROGRAM
from bench.synthetic_tenants import synthetic_name, synthetic_registration, write_synthetic_tenants
from tenancy.loading.loader import TENANT_SUFFIX
from tenancy.project.stacks import PROJECT_FILE, TENANTS_DIR_KEY, project_name, read_stacks, stack_config, stack_file_name

RESULTS_VERSION = 2
BENCH_DIR = Path(__file__).resolve().parent
KINDS = ("validate", "plan", "program", "naive", "floor", "verdict", "verdict_full")
HOSTED = ("program", "naive", "floor")
VERDICTS = ("verdict", "verdict_full")
# What runs the program in its own tree (the language host), and what the verdict runs it from.
PROGRAM_FILES = ("__main__.py", "components", "tenancy")

# The targets (docs/scale.md explains each one), and the size each is meant for.
FULL_SIZE = 1000
SHARD_SIZE = 500
VALIDATE_SECONDS = 2.0
OVER_NAIVE = 0.55
OVER_FLOOR = 1.10
LINEARITY_FULL_OVER_100 = 11.0
# A one-file change costs about the same whatever the platform's size (issue 25; docs/scale.md).
VERDICT_FULL_OVER_100 = 2.0
PEAK_RSS_MIB = 1536


class ProbeError(Exception):
    """A measurement process failed; the message holds its stderr."""


@dataclass(frozen=True)
class Target:
    """One target on one run. `outcome` is "met", "missed", or "limit": a limit known to be out of
    reach at this size (docs/scale.md says why), stated beside the measurement, not a failure."""

    name: str
    limit: str
    measured: str
    outcome: str

    @property
    def failed(self) -> bool:
        return self.outcome == "missed"


def _checked(name: str, limit: str, measured: str, met: bool) -> Target:
    return Target(name, limit, measured, "met" if met else "missed")


def _run_json(command: list[str], what: str) -> dict:
    # The measurements import `tenancy` and `bench` from this checkout, wherever the benchmark was started from.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH_DIR.parent), os.environ.get("PYTHONPATH")]))}
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if completed.returncode != 0:
        raise ProbeError(f"{what} failed (exit {completed.returncode}): {completed.stderr.strip()[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _probe(kind: str, project_dir: Path, tenants_dir: Path, stack: str, *extra: str) -> dict:
    command = [
        sys.executable, "-m", "bench.probe", kind,
        "--project-dir", str(project_dir), "--tenants-dir", str(tenants_dir), "--stack", stack, *extra,
    ]
    return _run_json(command, f"{kind} probe")


def _hosted(kind: str, project_dir: Path, stack: str, config: Path, registrations: Path) -> dict:
    """The program (kind "program") or the naive program with the collector on ("naive") or off
    ("floor"), each as the language host runs a program: from the project directory."""
    command = [
        sys.executable, str(BENCH_DIR / "language_host.py"),
        "--project", project_name(project_dir), "--stack", stack,
        "--root_directory", str(project_dir), "--pwd", str(project_dir),
    ]
    if kind == "program":
        # The entry point the engine passes when Pulumi.yaml names no `main`.
        command += ["--config", str(config), "."]
    else:
        command += ["--registrations", str(registrations), "--collector", "off" if kind == "floor" else "on", str(TYPED_PROGRAM)]
    return _run_json(command, kind)


def _git(repo: Path, *args: str) -> None:
    identity = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org", "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}
    completed = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **identity}, check=False)
    if completed.returncode != 0:
        raise ProbeError(f"git {' '.join(args)} failed: {completed.stderr.strip()}")


def verdict_repository(root: Path, project_dir: Path, stack: str, count: int) -> Path:
    """A git repository as CI has it: main (tag `base`) with the program, Pulumi.yaml, the stack's
    settings and `count` tenants; a pull request (tag `head`) onboarding one more."""
    root.mkdir(parents=True)
    for name in PROGRAM_FILES:
        source = project_dir / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, root / name)
    for name in (PROJECT_FILE, stack_file_name(stack)):
        shutil.copy(project_dir / name, root / name)
    tenants_dir = read_stacks(root)[stack].tenants_dir
    write_synthetic_tenants(tenants_dir, count)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", f"{count} tenants")
    _git(root, "tag", "base")
    (tenants_dir / f"{synthetic_name(count)}{TENANT_SUFFIX}").write_text(synthetic_registration(count), encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "onboard one more")
    _git(root, "tag", "head")
    _git(root, "checkout", "-q", "base")  # main's working tree: the head is read as data only
    return root


def _verdict(kind: str, repository: Path) -> dict:
    extra = ("--full-plan",) if kind == "verdict_full" else ()
    command = [sys.executable, "-m", "bench.probe", "verdict", "--project-dir", str(repository), "--base", "base", "--head", "head", *extra]
    return _run_json(command, kind)


def _summary(runs: list[dict]) -> dict:
    return {
        "median_seconds": statistics.median(run["seconds"] for run in runs),
        "runs_seconds": [run["seconds"] for run in runs],
        "peak_rss_mib": max(run["peak_rss_mib"] for run in runs),
        **{key: runs[0][key] for key in ("resources", "invokes", "files", "comment_sha256") if key in runs[0]},
    }


def measure_size(
    count: int,
    repeat: int,
    project_dir: Path,
    stack: str,
    report: Callable[[str], None] = lambda line: None,
    kinds: tuple[str, ...] = KINDS,
) -> dict:
    """The measurements `kinds` for `count` tenants; `report` hears one line per finished run.

    Each run measures every kind back to back, so that a change of load on the machine falls on
    all of them alike.
    """
    kinds = tuple(kind for kind in KINDS if kind in kinds)
    with tempfile.TemporaryDirectory(prefix=f"argo-tenants-bench-{count}-") as scratch:
        tenants_dir = Path(scratch) / "tenants"
        write_synthetic_tenants(tenants_dir, count)
        registrations = Path(scratch) / "registrations.json"
        config = Path(scratch) / "config.json"
        config.write_text(
            json.dumps({**stack_config(project_dir, stack), TENANTS_DIR_KEY: str(tenants_dir)}), encoding="utf-8"
        )
        repository = verdict_repository(Path(scratch) / "repository", project_dir, stack, count) if set(kinds) & set(VERDICTS) else None
        measured: dict[str, list[dict]] = {kind: [] for kind in kinds}
        for run in range(repeat):
            for kind in kinds:
                if kind in VERDICTS:
                    result = _verdict(kind, repository)
                elif kind in HOSTED:
                    result = _hosted(kind, project_dir, stack, config, registrations)
                else:
                    # The plan's registrations are what the naive program and the floor replay.
                    extra = ("--save-registrations", str(registrations)) if kind == "plan" and run == 0 else ()
                    result = _probe(kind, project_dir, tenants_dir, stack, *extra)
                measured[kind].append(result)
                report(f"{count:>5} tenants  {kind:<8} run {run + 1}/{repeat}: {result['seconds']:8.2f} s  {result['peak_rss_mib']:7.0f} MiB")
    summaries = {kind: _summary(runs) for kind, runs in measured.items()}
    counts = {kind: summaries[kind]["resources"] for kind in kinds if "resources" in summaries[kind]}
    if len(set(counts.values())) > 1:
        raise ProbeError(f"the measurements registered different numbers of resources: {counts}")
    comments = {summaries[kind]["comment_sha256"] for kind in kinds if kind in VERDICTS}
    if len(comments) > 1:
        raise ProbeError("the verdict with and without --full-plan wrote different comments")
    seconds = {kind: summaries[kind]["median_seconds"] for kind in kinds}
    size: dict = {"tenants": count}
    if counts:
        resources = next(iter(counts.values()))
        size.update(resources=resources, resources_per_tenant=resources / count, invokes=max(summaries[kind]["invokes"] for kind in counts))
    size.update(summaries)
    for numerator, denominator in (("program", "naive"), ("program", "floor"), ("plan", "floor")):
        if numerator in seconds and denominator in seconds:
            size[f"{numerator}_over_{denominator}"] = seconds[numerator] / seconds[denominator]
    return size


def check_targets(sizes: list[dict]) -> list[Target]:
    """The targets, each at the size it is meant for; a target whose size was not run is left out."""
    by_count = {size["tenants"]: size for size in sizes}
    targets: list[Target] = []
    full = by_count.get(FULL_SIZE)
    if full and "verdict" in full and "verdict" in by_count.get(100, {}):
        growth = full["verdict"]["median_seconds"] / by_count[100]["verdict"]["median_seconds"]
        name = "verdict time(1,000) / time(100), one-file onboarding"
        targets.append(_checked(name, f"<= {VERDICT_FULL_OVER_100:g}", f"{growth:.2f}", growth <= VERDICT_FULL_OVER_100))
    if full and all(kind in full for kind in ("validate", *HOSTED)):
        seconds = full["validate"]["median_seconds"]
        targets.append(_checked("validate 1,000 tenants", f"< {VALIDATE_SECONDS:g} s", f"{seconds:.2f} s", seconds < VALIDATE_SECONDS))
        ratio = full["program_over_naive"]
        targets.append(_checked("program / naive program at 1,000", f"<= {OVER_NAIVE:g}", f"{ratio:.2f}", ratio <= OVER_NAIVE))
        ratio = full["program_over_floor"]
        targets.append(_checked("program / SDK floor at 1,000", f"<= {OVER_FLOOR:.2f}", f"{ratio:.2f}", ratio <= OVER_FLOOR))
        if 100 in by_count:
            growth = full["program"]["median_seconds"] / by_count[100]["program"]["median_seconds"]
            targets.append(_checked("program time(1,000) / time(100)", f"<= {LINEARITY_FULL_OVER_100:g}", f"{growth:.2f}", growth <= LINEARITY_FULL_OVER_100))
        peak, naive = full["program"]["peak_rss_mib"], full["naive"]["peak_rss_mib"]
        targets.append(_checked("program peak memory at 1,000", f"<= naive's {naive:,.0f} MiB", f"{peak:,.0f} MiB", peak <= naive))
        # One stack of 1,000 cannot stay under it (the SDK floor alone is above it): a limit, met by sharding.
        targets.append(Target("program peak memory at 1,000, one stack", f"< {PEAK_RSS_MIB:,} MiB: shard", f"{peak:,.0f} MiB", "limit"))
    shard = by_count.get(SHARD_SIZE)
    if shard and "program" in shard:
        peak = shard["program"]["peak_rss_mib"]
        targets.append(_checked(f"program peak memory at {SHARD_SIZE} (a shard)", f"< {PEAK_RSS_MIB:,} MiB", f"{peak:,.0f} MiB", peak < PEAK_RSS_MIB))
    invokes = [size["invokes"] for size in sizes if "invokes" in size]
    if invokes:
        targets.append(_checked("provider invokes", "0", str(max(invokes)), max(invokes) == 0))
    return targets


def run_benchmark(
    counts: list[int],
    repeat: int,
    project_dir: Path,
    stack: str = "dev",
    report: Callable[[str], None] = lambda line: None,
    kinds: tuple[str, ...] = KINDS,
) -> dict:
    sizes = [measure_size(count, repeat, project_dir, stack, report, kinds) for count in counts]
    return {
        "version": RESULTS_VERSION,
        "stack": stack,
        "repeat": repeat,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "sizes": sizes,
        "targets": [target.__dict__ for target in check_targets(sizes)],
    }


OUTCOME_SHOWN = {"met": "yes", "missed": "**no**", "limit": "limit"}


VERDICT_HEADER = [
    "| tenants | verdict, one-file onboarding | verdict, every registration built (--full-plan) | full / verdict | verdict peak |",
    "|--:|--:|--:|--:|--:|",
]


def _seconds(size: dict, kind: str) -> str:
    return f"{size[kind]['median_seconds']:.2f} s" if kind in size else "not run"


def verdict_table(results: dict) -> str:
    """The verdict's rows (sizes where it was measured), as a Markdown table; empty when none was."""
    lines = list(VERDICT_HEADER)
    for size in results["sizes"]:
        if "verdict" not in size and "verdict_full" not in size:
            continue
        ratio = (
            f"{size['verdict_full']['median_seconds'] / size['verdict']['median_seconds']:.1f}"
            if "verdict" in size and "verdict_full" in size
            else "not run"
        )
        peak = f"{size['verdict']['peak_rss_mib']:,.0f} MiB" if "verdict" in size else "not run"
        lines.append(f"| {size['tenants']:,} | {_seconds(size, 'verdict')} | {_seconds(size, 'verdict_full')} | {ratio} | {peak} |")
    return "\n".join(lines) if len(lines) > len(VERDICT_HEADER) else ""


def results_table(results: dict) -> str:
    """Markdown tables (readable at a terminal too): one row per N, the verdict's if it was measured, then the targets."""
    lines = [
        "| tenants | resources | validate | plan | program | naive program | SDK floor | program / naive | program / floor | program peak | naive peak | floor peak |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for size in results["sizes"]:
        if not all(kind in size for kind in KINDS[:5]):
            continue
        lines.append(
            f"| {size['tenants']:,} | {size['resources']:,} | {size['validate']['median_seconds']:.2f} s "
            + "".join(f"| {size[kind]['median_seconds']:.2f} s " for kind in ("plan", *HOSTED))
            + f"| {size['program_over_naive']:.2f} | {size['program_over_floor']:.2f} "
            + "".join(f"| {size[kind]['peak_rss_mib']:,.0f} MiB " for kind in HOSTED)
            + "|"
        )
    if len(lines) == 2:
        lines = []
    verdicts = verdict_table(results)
    if verdicts:
        lines += [*([""] if lines else []), verdicts]
    lines += ["", "| target | limit | measured | met |", "|---|--:|--:|---|"]
    for target in results["targets"]:
        lines.append(f"| {target['name']} | {target['limit']} | {target['measured']} | {OUTCOME_SHOWN[target['outcome']]} |")
    return "\n".join(lines)
