"""`python -m bench`: measure the program at 10, 100 and 1,000 synthetic tenants against the Pulumi SDK's own floor.

For each size it writes valid, distinct tenant files (with and without data buckets, on the
fallback bucket, several GitHub owners) to a temporary directory and measures, each as the median
of --repeat runs in fresh processes with their peak memory: validating them against every stack;
the whole program under the mock engine (what `plan` does); and the SDK floor, the same
registrations made through the bare Pulumi and provider SDKs with no project code. Prints a table
and the targets of docs/scale.md, and writes the results as JSON. Exit 0 when every target is
met, 5 when one is missed (the table says which). The 1,000-tenant size takes several minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.benchmark import ProbeError, results_table, run_benchmark

TARGET_MISSED = 5


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("comma-separated whole numbers, e.g. 10,100,1000") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("every size must be at least 1")
    return sizes


def _repeat(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", type=_sizes, default=[10, 100, 1000], help="tenant counts to measure (default: 10,100,1000)")
    parser.add_argument("--repeat", type=_repeat, default=3, help="runs per measurement; the median is reported (default: 3)")
    parser.add_argument("--stack", default="dev", help="stack whose settings the program runs with (default: dev)")
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"), help="where to write the JSON results (default: bench-results.json)")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="project directory (default: here)")


def run(args: argparse.Namespace) -> int:
    def report(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        results = run_benchmark(sorted(set(args.sizes)), args.repeat, args.project_dir.resolve(), args.stack, report)
    except ProbeError as err:
        print(f"bench: {err}", file=sys.stderr)
        return 1
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(results_table(results))
    print(f"\nresults: {args.output}")
    return 0 if all(target["met"] for target in results["targets"]) else TARGET_MISSED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=(__doc__ or "").strip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
