"""Write the JSON Schema of a tenant file (docs/tenant.schema.json) from the model, for editors.

Every tenant file's first line, `# yaml-language-server: $schema=../docs/tenant.schema.json`,
points editors at it: they then complete field names, show each field's description and flag
mistakes while you type. --check only compares (the test suite does the same), and writes nothing.
"""

from __future__ import annotations

import argparse

from tenancy.cli import generated_file
from tenancy.authoring import json_schema


def add_arguments(parser: argparse.ArgumentParser) -> None:
    generated_file.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return generated_file.write_or_check(args, json_schema.is_current, json_schema.write, json_schema.SCHEMA_PATH, "schema")
