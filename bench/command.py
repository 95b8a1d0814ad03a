"""`python -m bench`: the program at 10, 100, 500 and 1,000 synthetic tenants, as Pulumi runs it, against the SDK's floor.

For each size it writes valid, distinct tenant files (with and without data buckets, on the
fallback bucket, several GitHub owners) to a temporary directory and measures, each as the median
of --repeat runs in fresh processes with their peak memory: validating them against every stack;
the offline plan (what `python -m tenancy plan` does); the program the way `pulumi preview` and
`pulumi up` run it (Pulumi's language host, against the SDK's mock monitor); a naive program
registering the same resources with the typed provider SDK classes, with the interpreter's
defaults; that naive program with the collector off, the SDK's floor; and CI's verdict on a pull
request onboarding one more tenant, as the workflow runs it, with and without --full-plan.
Prints tables and the targets of docs/scale.md, each checked at the size it is meant for, and
writes the results as JSON. Exit 0 when every target is met, 5 when one is missed (the table says
which; a limit it states is not a miss). The 1,000-tenant size takes about fifteen minutes per run
(the verdict with --full-plan, seven of them); `--kinds verdict --sizes 100,1000` measures the
verdict alone, in under a minute.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.benchmark import FULL_SIZE, KINDS, SHARD_SIZE, ProbeError, Target, results_table, run_benchmark

TARGET_MISSED = 5
# Every size a target is meant for (bench.benchmark.check_targets), and two small ones to see the growth.
DEFAULT_SIZES = [10, 100, SHARD_SIZE, FULL_SIZE]


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("comma-separated whole numbers, e.g. 10,100,1000") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("every size must be at least 1")
    return sizes


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(part.strip() for part in text.split(","))
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown measurement {', '.join(unknown)}; known: {', '.join(KINDS)}")
    if {"naive", "floor"} & set(kinds) and "plan" not in kinds:
        raise argparse.ArgumentTypeError("naive and floor replay what plan registered: measure plan too")
    return kinds


def _repeat(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sizes", type=_sizes, default=DEFAULT_SIZES, help=f"tenant counts to measure (default: {','.join(map(str, DEFAULT_SIZES))})"
    )
    parser.add_argument(
        "--kinds",
        type=_kinds,
        default=KINDS,
        help=f"measurements to run, comma-separated (default: all of {','.join(KINDS)}); e.g. verdict for the verdict alone",
    )
    parser.add_argument("--repeat", type=_repeat, default=1, help="runs per measurement; the median is reported (default: 1)")
    parser.add_argument("--stack", default="dev", help="stack whose settings the program runs with (default: dev)")
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"), help="where to write the JSON results (default: bench-results.json)")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="project directory (default: here)")


def run(args: argparse.Namespace) -> int:
    def report(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        results = run_benchmark(sorted(set(args.sizes)), args.repeat, args.project_dir.resolve(), args.stack, report, args.kinds)
    except ProbeError as err:
        print(f"bench: {err}", file=sys.stderr)
        return 1
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(results_table(results))
    print(f"\nresults: {args.output}")
    return TARGET_MISSED if any(Target(**target).failed for target in results["targets"]) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=(__doc__ or "").strip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
