"""`python -m tenancy`: the command line. Each command lives in tenancy/cli/commands/<name>.py with
`add_arguments(parser)` and `run(args) -> int` (an ExitCode, tenancy.cli.exit_codes), and is
imported only when it runs."""

from __future__ import annotations

import argparse
import importlib
import sys

from tenancy.cli import exit_codes

# name -> (module, one-line help). Commands are listed here so that `--help` shows them all
# without importing Pulumi for the ones that do not need it.
COMMANDS = {
    "validate": ("tenancy.cli.commands.validate", "check tenant files the way the program does"),
    "plan": ("tenancy.cli.commands.plan", "show what the program would register, offline"),
    "new": ("tenancy.cli.commands.new", "write a new tenant file with every field explained"),
    "schema": ("tenancy.cli.commands.schema", "write the JSON Schema of the tenant file"),
    "import": ("tenancy.cli.commands.import_registrations", "turn existing RepoRegistrations into tenant files"),
    "reference": ("tenancy.cli.commands.reference", "write docs/reference.md from the models"),
    "shards": ("tenancy.cli.commands.shards", "list every stack with its environment and shard (CI's job matrices)"),
    "permissions": ("tenancy.cli.commands.permissions", "print the IAM policy, ClusterRole and Vault policy a stack's deploy needs"),
}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """Every command is listed; only the one named in `argv` is imported (`validate` must not pay
    for the Pulumi SDK that `plan` imports: it runs in a pre-commit hook)."""
    words = sys.argv[1:] if argv is None else argv
    chosen = next((word for word in words if not word.startswith("-")), None)
    parser = argparse.ArgumentParser(
        prog="python -m tenancy",
        description="Tenant registrations for the Argo Workflows platform.",
        epilog=exit_codes.HELP_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        if name != chosen:
            commands.add_parser(name, help=help_text)
            continue
        module = importlib.import_module(module_name)
        sub = commands.add_parser(
            name,
            help=help_text,
            description=(module.__doc__ or help_text).strip(),
            epilog=exit_codes.HELP_TEXT,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser(argv).parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
