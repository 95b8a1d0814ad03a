"""One benchmark measurement in a fresh process: `python -m bench.probe KIND ...` prints one JSON line.

KIND is `validate` (what `python -m tenancy validate` does: every stack's settings, every file,
every rule), `program` (the real __main__.py under the mock engine, what `plan` does) or `floor`
(the same registrations through the bare SDKs, bench.sdk_floor). A fresh process per run keeps
one run's memory and warm caches out of the next, and makes the peak RSS that run's own.
The clock covers the measured work only: interpreter start and the Pulumi and provider SDK imports
(the same for every kind and every N) come before it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import sys
import time
from pathlib import Path


def _peak_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _import_sdks() -> None:
    import pulumi  # noqa: F401
    import pulumi_aws  # noqa: F401
    import pulumi_github  # noqa: F401
    import pulumi_kubernetes  # noqa: F401
    import pulumi_random  # noqa: F401
    import pulumi_vault  # noqa: F401


def _validate(args) -> dict:
    from tenancy.project.validation import validate_paths

    started = time.perf_counter()
    report = validate_paths(args.project_dir, [args.tenants_dir])
    seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"bench.probe: the synthetic tenants are invalid: {report.findings[0]}")
    return {"seconds": seconds, "files": len(report.files)}


def _program(args) -> dict:
    _import_sdks()
    from tenancy.model.settings import CONFIG_NAMESPACE
    from tenancy.plan.engine import simulate

    started = time.perf_counter()
    result = simulate(args.project_dir, args.stack, {f"{CONFIG_NAMESPACE}:tenantsDir": str(args.tenants_dir)})
    seconds = time.perf_counter() - started
    if result.error:
        raise SystemExit(f"bench.probe: the program failed: {result.error}")
    if args.save_registrations:
        records = [dataclasses.asdict(registration) for registration in result.resources]
        args.save_registrations.write_text(json.dumps(records), encoding="utf-8")
    return {"seconds": seconds, "resources": len(result.resources), "invokes": len(result.invokes)}


def _floor(args) -> dict:
    _import_sdks()
    from bench.sdk_floor import replay
    from tenancy.plan.engine import Registration, run_under_mocks
    from tenancy.project.stack_files import project_name

    records = json.loads(args.registrations.read_text(encoding="utf-8"))
    registrations = [Registration(**record) for record in records]
    del records
    started = time.perf_counter()
    result = run_under_mocks(
        lambda: replay(registrations),
        project=project_name(args.project_dir),
        stack=args.stack,
        config={},
        root_directory=args.project_dir,
    )
    seconds = time.perf_counter() - started
    if result.error:
        raise SystemExit(f"bench.probe: the floor failed: {result.error}")
    return {"seconds": seconds, "resources": len(result.resources), "invokes": len(result.invokes)}


KINDS = {"validate": _validate, "program": _program, "floor": _floor}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("--project-dir", type=Path, required=True)
    parser.add_argument("--tenants-dir", type=Path, required=True)
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--registrations", type=Path, help="floor: the program's registrations (JSON)")
    parser.add_argument("--save-registrations", type=Path, help="program: write its registrations here (JSON)")
    args = parser.parse_args(argv)
    args.project_dir = args.project_dir.resolve()
    measured = KINDS[args.kind](args)
    measured["peak_rss_mib"] = _peak_rss_mib()
    print(json.dumps(measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
