"""Write docs/reference.md (every tenant field and stack setting) from the models; --check only compares."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tenancy import reference


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="project directory (default: here)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is out of date; write nothing")


def run(args: argparse.Namespace) -> int:
    if args.check:
        if reference.is_current(args.project_dir):
            return 0
        print(f"{reference.REFERENCE_PATH} is out of date: run `python -m tenancy reference`", file=sys.stderr)
        return 1
    print(reference.write(args.project_dir))
    return 0
