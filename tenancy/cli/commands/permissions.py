"""Print what the identity that runs `pulumi up` for a stack needs: its IAM policy (JSON), the Kubernetes
ClusterRole (YAML) and its Vault policy (HCL), derived from the resource types the program registers for
that stack (the offline plan, from the tenant files as they are) and the stack's names.

Runs without Pulumi, credentials or network. A resource type with no known permissions stops the
command (exit 1) rather than print a policy that would fail halfway through `pulumi up`. --format json
prints all three in one document (`iamPolicy`, `clusterRole`, `vaultPolicy`, `other`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from tenancy.cli.exit_codes import ExitCode
from tenancy.plan import permissions
from tenancy.plan.document import plan_document
from tenancy.plan.engine import simulate
from tenancy.project.stacks import ProjectError, project_stacks


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, help="stack (environment) whose deploy identity this is, e.g. dev")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text for people (default), json for tools")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="project directory (default: here)")


def run(args: argparse.Namespace) -> int:
    project_dir = args.project_dir.resolve()
    try:
        stacks = project_stacks(project_dir, args.stack)
    except ProjectError as err:
        print(f"permissions: {err}", file=sys.stderr)
        return ExitCode.USAGE
    settings = stacks.settings.get(args.stack)
    result = simulate(project_dir, args.stack)
    if settings is None or result.error:
        print(f"permissions: the stack does not plan, so its needs are unknown:\n{result.error or stacks[args.stack].problem}", file=sys.stderr)
        return ExitCode.INVALID
    document = plan_document(result)
    unknown = permissions.unknown_types(document)
    if unknown:
        print(f"permissions: {permissions.UnknownTypes(unknown)}", file=sys.stderr)
        return ExitCode.INVALID
    found = {
        "iamPolicy": permissions.iam_policy(document, settings),
        "clusterRole": permissions.cluster_role(document),
        "vaultPolicy": permissions.vault_policy(document, settings),
        "other": permissions.others(document),
    }
    if args.format == "json":
        print(json.dumps(found, indent=2))
        return ExitCode.SUCCESS
    print(f"# Deploy identity of stack {args.stack}: what `pulumi up` calls, from {len(permissions.registered_types(document))} resource types.")
    print("\n# AWS: an IAM policy for the deploy role\n")
    print(json.dumps(found["iamPolicy"], indent=2))
    print("\n# Kubernetes: a ClusterRole, bound to the deploy identity with a ClusterRoleBinding\n")
    print(yaml.safe_dump(found["clusterRole"], sort_keys=False).rstrip())
    print("\n# Vault: a policy for the deploy token\n")
    print(found["vaultPolicy"].rstrip())
    for line in found["other"]:
        print(f"\n# {line}")
    return ExitCode.SUCCESS
