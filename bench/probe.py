"""One benchmark measurement in a fresh process: `python -m bench.probe KIND ...` prints one JSON line.

KIND is `validate` (what `python -m tenancy validate` does: every stack's settings, every file,
every rule), `plan` (the real __main__.py under the offline plan's mock engine, what
`python -m tenancy plan` does, tenancy/plan/engine.py) or `verdict` (CI's verdict on a pull
request, as .github/workflows/plan-verdict.yml runs it: `python -m tenancy plan --all-stacks
--base BASE --head HEAD --program current --format markdown`, in a process of its own, timed
from start to exit; `--full-plan` passes that option on). The program as Pulumi runs it, and the
naive program and SDK floor beside it, are measured by bench/language_host.py. A fresh process per run keeps
one run's memory and warm caches out of the next, and makes the peak RSS that run's own.
The clock covers the measured work only: interpreter start and the Pulumi and provider SDK imports
(the same for every kind and every N) come before it.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def peak_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def import_sdks() -> None:
    """The SDKs every measured program imports, before the clock: the same for every kind and size.

    The provider SDKs load each module of resource classes on first use; bench.sdk_floor uses the
    class of every type the program registers, so importing it loads them all; the program's
    components also write Kubernetes metadata with the typed ObjectMeta.
    """
    import pulumi_kubernetes.meta.v1  # noqa: F401

    import bench.sdk_floor  # noqa: F401


def _validate(args) -> dict:
    from tenancy.project.validation import validate_paths

    started = time.perf_counter()
    report = validate_paths(args.project_dir, [args.tenants_dir])
    seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"bench.probe: the synthetic tenants are invalid: {report.findings[0]}")
    return {"seconds": seconds, "files": len(report.files)}


def _plan(args) -> dict:
    import_sdks()
    from tenancy.plan.engine import simulate
    from tenancy.project.stacks import TENANTS_DIR_KEY

    started = time.perf_counter()
    result = simulate(args.project_dir, args.stack, {TENANTS_DIR_KEY: str(args.tenants_dir)})
    seconds = time.perf_counter() - started
    if result.error:
        raise SystemExit(f"bench.probe: the plan failed: {result.error}")
    if args.save_registrations:
        records = [dataclasses.asdict(registration) for registration in result.resources]
        args.save_registrations.write_text(json.dumps(records), encoding="utf-8")
    return {"seconds": seconds, "resources": len(result.resources), "invokes": len(result.invokes)}


def _verdict(args) -> dict:
    command = [
        sys.executable, "-m", "tenancy", "plan", "--all-stacks", "--base", args.base, "--head", args.head,
        "--program", "current", "--format", "markdown", "--project-dir", str(args.project_dir),
    ]
    if args.full_plan:
        command.append("--full-plan")
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=args.project_dir, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if completed.returncode != 0 or not completed.stdout:
        raise SystemExit(f"bench.probe: the verdict exited {completed.returncode}: {completed.stderr.strip()[-2000:]}")
    return {
        "seconds": seconds,
        # The comment itself, by digest: the verdict with and without --full-plan must say the same.
        "comment_sha256": hashlib.sha256(completed.stdout.encode()).hexdigest(),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


KINDS = {"validate": _validate, "plan": _plan, "verdict": _verdict}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("--project-dir", type=Path, required=True)
    parser.add_argument("--tenants-dir", type=Path, help="validate, plan: the tenant files")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--save-registrations", type=Path, help="plan: write its registrations here (JSON)")
    parser.add_argument("--base", help="verdict: the revision compared with")
    parser.add_argument("--head", help="verdict: the revision planned")
    parser.add_argument("--full-plan", action="store_true", help="verdict: build every registration")
    args = parser.parse_args(argv)
    args.project_dir = args.project_dir.resolve()
    measured = KINDS[args.kind](args)
    measured.setdefault("peak_rss_mib", peak_rss_mib())
    print(json.dumps(measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
