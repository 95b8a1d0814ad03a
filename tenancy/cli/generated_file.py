"""What the commands that write a file generated from the models share: write it, or with --check
only compare it with the committed one (exit 1 when it is out of date)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from tenancy.cli.exit_codes import ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="project directory (default: here)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is out of date; write nothing")


def write_or_check(
    args: argparse.Namespace,
    is_current: Callable[[Path], bool],
    write: Callable[[Path], object],
    path: object,
    command: str,
) -> ExitCode:
    if args.check:
        if is_current(args.project_dir):
            return ExitCode.SUCCESS
        print(f"{path} is out of date: run `python -m tenancy {command}`", file=sys.stderr)
        return ExitCode.OUT_OF_DATE
    print(write(args.project_dir))
    return ExitCode.SUCCESS
