"""Write docs/reference.md (every tenant field and stack setting) from the models; --check only compares."""

from __future__ import annotations

import argparse

from tenancy.cli import generated_file
from tenancy.authoring import reference


def add_arguments(parser: argparse.ArgumentParser) -> None:
    generated_file.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return generated_file.write_or_check(args, reference.is_current, reference.write, reference.REFERENCE_PATH, "reference")
