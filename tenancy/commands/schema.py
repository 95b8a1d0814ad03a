"""Write the JSON Schema of a tenant file (docs/tenant.schema.json) from the model, for editors.

Every tenant file's first line, `# yaml-language-server: $schema=../docs/tenant.schema.json`,
points editors at it: they then complete field names, show each field's description and flag
mistakes while you type. --check only compares (the test suite does the same), and writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tenancy import json_schema


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="project directory (default: here)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is out of date; write nothing")


def run(args: argparse.Namespace) -> int:
    if args.check:
        if json_schema.is_current(args.project_dir):
            return 0
        print(f"{json_schema.SCHEMA_PATH} is out of date: run `python -m tenancy schema`", file=sys.stderr)
        return 1
    print(json_schema.write(args.project_dir))
    return 0
