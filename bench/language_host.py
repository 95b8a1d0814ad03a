"""Runs a Pulumi program the way `pulumi preview` and `pulumi up` run it, against a mock monitor.

Pulumi's Python language host starts `pulumi-language-python-exec` (pulumi/pulumi,
sdk/python/cmd/pulumi-language-python-exec) as a script, with the program's directory as `--pwd`
and its entry point ("." unless Pulumi.yaml names another) as PROGRAM. At the script's top level it
puts the stack's config into the runtime from PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS,
configures `pulumi.runtime.Settings` (monitor, engine, project, stack, parallel, dry_run, root
directory), changes to the program's directory, makes a new event loop whose default executor has
4 × parallel threads, silences asyncio's logger and runs `runpy.run_path(PROGRAM,
run_name="__main__")` inside `pulumi.runtime.run_in_stack`. This script does the same, in the same
order and from its top level too (the SDK records every frame of the stack with each registration,
so the frames above the program are part of what it costs), with these differences only:

- the monitor and the engine are objects in this process, not gRPC addresses: the SDK's mock
  monitor answering every registration as the engine does after a create (EchoMonitor), and a
  logger;
- the provider SDKs are imported, and a floor program's registrations read, before the clock
  starts (bench.probe does the same for every measurement);
- `--collector off` disables the garbage collector before the run (the SDK floor with the collector
  off); otherwise nothing touches it, the frames or anything else the plan runner tunes: the program
  runs with the interpreter's defaults and whatever it chooses itself.

Prints one JSON line: seconds (and the process's CPU seconds), resources, invokes, peak_rss_mib. The benchmark (bench.benchmark)
runs it in a fresh process per measurement: `python bench/language_host.py --pwd DIR ... PROGRAM`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import rpc

from tenancy.plan.engine import as_config_strings
from tenancy.plan.fake_outputs import created
from tenancy.plan.sdk_internals import MockMonitor, RegisterResourceResponse
from tenancy.project.stacks import OFFLINE_PLAN_ENV, SECRET

# `pulumi up` and `preview` run 4 resource operations per CPU at once unless told otherwise
# (pkg/cmd/pulumi/operations/up.go, defaultParallel).
DEFAULT_PARALLEL = 4 * (os.cpu_count() or 1)
# The engine's LogSeverity (proto/pulumi/engine.proto): DEBUG, INFO, WARNING, ERROR.
LOG_LEVELS = (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR)
# bench.typed_program: the naive program, a directory with a __main__.py as this project's is.
TYPED_PROGRAM = Path(__file__).resolve().parent / "typed_program"


class _Invokes(pulumi.runtime.Mocks):
    """Provider functions the program calls (it should call none): recorded, answered empty."""

    def __init__(self):
        self.tokens: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        raise AssertionError("EchoMonitor answers registrations itself")

    def call(self, args: pulumi.runtime.MockCallArgs):
        self.tokens.append(args.token)
        return {}


class EchoMonitor(MockMonitor):
    """The SDK's mock monitor, answering each registration as the engine does after a provider's
    create: every input back as an output, plus what the provider computes, from the offline plan's
    table of fakes (tenancy.plan.fake_outputs).

    The answer is a copy of the request's own property struct, made in protobuf's C code: the
    stock MockMonitor.RegisterResource deserializes every request into Python values and
    serializes the answer back, work (and garbage) that the engine does in its own process under
    `pulumi up`, not in the program's. What the program's process does with the answer (turning
    every output into Python values) is left as it is.
    """

    def __init__(self):
        super().__init__(_Invokes())
        self.registered = 0
        self._lock = threading.Lock()

    @property
    def invokes(self) -> list[str]:
        return self.mocks.tokens

    def RegisterResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        if not request.custom:
            # A component: the engine records it, no provider runs, nothing comes back.
            if request.type != "pulumi:pulumi:Stack":
                self._count()
            return RegisterResourceResponse(urn=urn)
        self._count()
        outputs = struct_pb2.Struct()
        outputs.CopyFrom(request.object)
        id_, computed = created(request.type, request.name, request.object)
        for key in request.additionalSecretOutputs:
            if key in computed:
                computed[key] = rpc.wrap_rpc_secret(computed[key])
        outputs.update(computed)
        return RegisterResourceResponse(urn=urn, id=id_, object=outputs)

    def _count(self) -> None:
        with self._lock:
            self.registered += 1


class LogEngine:
    """The engine's one RPC a program uses under a mock monitor: its log messages, to a logger."""

    def __init__(self):
        self.logger = logging.getLogger("bench.language_host")

    def Log(self, request):
        self.logger.log(LOG_LEVELS[min(request.severity, len(LOG_LEVELS) - 1)], request.message)


def config_environment(config: dict[str, Any]) -> dict[str, str]:
    """PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS as the language host sets them."""
    secret_keys = [key for key, value in config.items() if value == SECRET]
    return {"PULUMI_CONFIG": json.dumps(as_config_strings(config)), "PULUMI_CONFIG_SECRET_KEYS": json.dumps(secret_keys)}


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/language_host.py", description=(__doc__ or "").splitlines()[0])
    # The exec shim's arguments that matter without a real engine.
    parser.add_argument("--project", required=True)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--root_directory", type=Path, required=True)
    parser.add_argument("--pwd", type=Path, required=True)
    parser.add_argument("--parallel", type=int, default=DEFAULT_PARALLEL)
    parser.add_argument("--dry_run", choices=("true", "false"), default="false")
    # The benchmark's own.
    parser.add_argument("--config", type=Path, help="the stack's config as JSON (key -> value), for PULUMI_CONFIG")
    parser.add_argument("--registrations", type=Path, help="for bench/typed_program: the registrations it replays (JSON)")
    parser.add_argument("--collector", choices=("on", "off"), default="on", help="off: gc.disable() first")
    parser.add_argument("PROGRAM")
    return parser.parse_args(argv)


def program_globals(registrations: Path | None) -> dict[str, Any] | None:
    if registrations is None:
        return None
    from tenancy.plan.engine import Registration

    return {"registrations": [Registration(**record) for record in json.loads(registrations.read_text(encoding="utf-8"))]}


if __name__ == "__main__":
    import asyncio
    import gc
    import runpy
    import sys
    import time
    from concurrent.futures import ThreadPoolExecutor

    from bench import probe

    args = arguments()
    probe.import_sdks()
    init_globals = program_globals(args.registrations)
    if args.config:
        os.environ.update(config_environment(json.loads(args.config.read_text(encoding="utf-8"))))
    # A mock monitor: nothing is deployed, so the shipped stacks' placeholder App runs as in the offline plan.
    os.environ[OFFLINE_PLAN_ENV] = "1"
    if args.collector == "off":
        gc.disable()

    started, cpu_started = time.perf_counter(), time.process_time()
    # From here on, the exec shim's steps.
    pulumi.runtime.set_all_config(pulumi.runtime.get_config_env(), pulumi.runtime.get_config_secret_keys_env())
    monitor = EchoMonitor()
    settings = pulumi.runtime.Settings(
        monitor=monitor,
        engine=LogEngine(),
        project=args.project,
        stack=args.stack,
        parallel=args.parallel,
        dry_run=args.dry_run == "true",
        root_directory=str(args.root_directory),
    )
    pulumi.runtime.configure(settings)
    sys.argv = [args.PROGRAM]
    os.chdir(args.pwd)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    executor = ThreadPoolExecutor(max_workers=max(args.parallel, 1) * 4)
    loop.set_default_executor(executor)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)

    def run():
        runpy.run_path(args.PROGRAM, init_globals, run_name="__main__")

    error = None
    try:
        loop.run_until_complete(pulumi.runtime.run_in_stack(run))
    except pulumi.RunError as err:
        error = str(err)
    finally:
        executor.shutdown(wait=True)
        loop.close()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    if error:
        sys.exit(f"bench.language_host: {args.PROGRAM} failed: {error}")
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "resources": monitor.registered, "invokes": len(monitor.invokes), "peak_rss_mib": probe.peak_rss_mib()}))
