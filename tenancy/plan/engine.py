"""Runs the real `__main__.py` under Pulumi's mock engine and records every registration it makes.

No Pulumi CLI, credentials or network: the stack's settings come from Pulumi.yaml and
Pulumi.<stack>.yaml, providers are never called, and each resource's outputs are its inputs plus
a few stable fakes. What is recorded is the whole registration request, as the engine would see
it: parent, protect, retainOnDelete, dependencies, provider, and which values are secret.
The few parts of the Pulumi SDK it needs that are not public are in tenancy.plan.sdk_internals.
"""

from __future__ import annotations

import builtins
import functools
import gc
import json
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from google.protobuf import struct_pb2

import pulumi
from pulumi.runtime import rpc

from tenancy.plan import fake_outputs, sdk_internals
from tenancy.plan.sdk_internals import RESOURCE_SIG, SECRET_SIG, SIG_KEY
from tenancy.project.stacks import (
    DEFAULT_TENANTS_DIR,
    OFFLINE_PLAN_ENV,
    SECRET,
    TENANTS_DIR_KEY,
    program_directory,
    project_name,
    stack_config,
)

UNKNOWN = "[unknown]"
# The global the program reads the registrations to build from (tenancy.plan.incremental): the
# offline plan alone sets it, in the globals it runs __main__.py with (`_main_program`). Pulumi's
# language host runs the program with fresh globals (runpy), so under `pulumi up` nothing can set it.
ONLY_REGISTRATIONS = "PLAN_ONLY_REGISTRATIONS"


@dataclass
class Registration:
    """One resource registration request, with every secret value replaced by "[secret]"."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    depends_on: list[str]
    provider: str | None
    replacement_trigger: Any = None


@dataclass
class Simulation:
    project: str
    stack: str
    resources: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    invokes: list[str] = field(default_factory=list)
    error: str | None = None

    def by_type(self, type_token: str) -> list[Registration]:
        return [resource for resource in self.resources if resource.type == type_token]

    def get(self, type_token: str, name: str) -> Registration:
        for resource in self.resources:
            if resource.type == type_token and resource.name == name:
                return resource
        raise KeyError(f"no {type_token} named {name}")


def _value_to_data(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        text = value.string_value
        return UNKNOWN if text == rpc.UNKNOWN else text
    if kind == "struct_value":
        return _struct_to_data(value.struct_value)
    if kind == "list_value":
        return [_value_to_data(item) for item in value.list_value.values]
    if kind == "number_value":
        number = value.number_value
        # Protobuf carries every number as a double; whole numbers read back as they were written.
        return int(number) if number.is_integer() else number
    if kind == "bool_value":
        return value.bool_value
    return None


def _struct_to_data(struct: struct_pb2.Struct) -> dict[str, Any] | str:
    """Plain data of a registration's properties, secrets and unknowns replaced by markers.

    Walks the protobuf directly: json_format.MessageToDict did the same at several times the cost,
    once per registration.
    """
    fields = struct.fields
    sig = fields.get(SIG_KEY)
    if sig is not None:
        if sig.string_value == SECRET_SIG:
            return SECRET
        if sig.string_value == RESOURCE_SIG:
            return fields["urn"].string_value
    return {key: _value_to_data(value) for key, value in fields.items()}


class FakeOutputs(pulumi.runtime.Mocks):
    """Outputs the engine would report beyond the inputs: tenancy.plan.fake_outputs, the benchmark's too.

    `new_resource` sees the inputs as they are recorded (secrets "[secret]", resources by URN) and
    returns plain data (strings, numbers, lists, dicts), which goes into the response as it is.
    """

    def __init__(self):
        self.invokes: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        # Only what a provider computes. Outside a preview the SDK takes every output the engine
        # does not return from the resource's own inputs, so echoing the inputs back (as the
        # SDK's examples do) would only serialize and parse each of them twice more.
        return fake_outputs.created(args.typ, args.name, args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs):
        self.invokes.append(args.token)
        return {}


Progress = Callable[[int], None]


class _RecordingMonitor(sdk_internals.MockMonitor):
    def __init__(self, fake: FakeOutputs, progress: Progress | None = None):
        super().__init__(fake)
        self.registrations: list[Registration] = []
        self.progress = progress

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the engine does: a child's URN carries its parent's whole type chain, and resources
        # parented to the stack carry none (the SDK's mock keeps only the last parent type).
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != "pulumi:pulumi:Stack":
                type_ = f"{parent_type}${type_}"
        return "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), type_, name])

    def RegisterResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return sdk_internals.RegisterResourceResponse(urn=urn)
        registration = Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent or None,
            inputs=_struct_to_data(request.object),
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=bool(request.deleteBeforeReplace),
            depends_on=list(request.dependencies),
            provider=request.provider.rsplit("::", 1)[0] if request.provider else None,
            replacement_trigger=_value_to_data(request.replacement_trigger)
            if request.HasField("replacement_trigger")
            else None,
        )
        self.registrations.append(registration)
        if self.progress is not None:
            self.progress(len(self.registrations))
        # The fakes get the recorded inputs: deserializing the request once more for them, as the
        # stock mock does, costs about three times what recording it does (sdk_internals).
        resource_args = pulumi.runtime.MockResourceArgs(
            typ=request.type, name=request.name, inputs=registration.inputs, provider=request.provider,
            resource_id=request.importId, custom=registration.custom,
        )
        id_, state = self.mocks.new_resource(resource_args)
        # The engine marks these outputs secret for the SDK; the mock monitor must do the same,
        # or a provider-declared secret (an access key's secret) would look plain here.
        for key in request.additionalSecretOutputs:
            if key in state:
                state[key] = rpc.wrap_rpc_secret(state[key])
        outputs = struct_pb2.Struct()
        outputs.update(state)
        # Not kept in self.resources as the stock mock does: only the `getResource` invoke reads
        # them, the program makes none (tests prove it), and at 1,000 tenants they cost ~100 MB.
        return sdk_internals.RegisterResourceResponse(urn=urn, id=id_, object=outputs)


def as_config_strings(config: dict[str, Any]) -> dict[str, str]:
    # Pulumi hands structured values to programs as JSON text, and scalars as strings.
    out = {}
    for key, value in config.items():
        if isinstance(value, (dict, list)):
            out[key] = json.dumps(value)
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    return out


def simulate(
    project_dir: str | Path,
    stack: str,
    config_overrides: dict[str, Any] | None = None,
    *,
    settings_dir: str | Path | None = None,
    progress: Progress | None = None,
    fake_outputs: FakeOutputs | None = None,
    only_registrations: frozenset[str] | None = None,
) -> Simulation:
    """Run the program of `project_dir` (its Pulumi.yaml's `main`, as Pulumi would) for `stack` under the
    mock engine, with `project_dir` as the project's root directory; never raises for program errors.

    `settings_dir` holds the Pulumi.yaml and Pulumi.<stack>.yaml to use (default: `project_dir`),
    so that the current program can run with the settings of another revision (`plan --base`); a
    relative tenantsDir is then read from beside those settings.
    `progress` is called after every registration with the number registered so far.
    `fake_outputs` replaces the stand-in for the providers (tests plant recognizable values with it).
    `only_registrations`: build only these registrations' resources (tenancy.plan.incremental says
    when the others are known to be untouched); every file is still read and validated, and what is
    derived from every registration still built. None: all of them, as `pulumi up` does.
    Raises FileNotFoundError when the stack has no settings file.
    """
    project_dir = Path(project_dir).resolve()
    settings_dir = Path(settings_dir).resolve() if settings_dir is not None else project_dir
    project = project_name(settings_dir)
    config = stack_config(settings_dir, stack)
    if settings_dir != project_dir:
        # The program resolves a relative tenantsDir against its own directory; the other
        # revision's tenants sit beside its settings.
        tenants_dir = Path(str(config.get(TENANTS_DIR_KEY, DEFAULT_TENANTS_DIR)))
        config[TENANTS_DIR_KEY] = str(tenants_dir if tenants_dir.is_absolute() else settings_dir / tenants_dir)
    config.update(config_overrides or {})

    program_dir = program_directory(project_dir)
    if str(program_dir) not in sys.path:
        sys.path.insert(0, str(program_dir))
    return run_under_mocks(
        _main_program(program_dir / "__main__.py", only_registrations),
        project=project,
        stack=stack,
        config=config,
        root_directory=project_dir,
        progress=progress,
        fake_outputs=fake_outputs,
    )


def _main_program(path: Path, only_registrations: frozenset[str] | None = None) -> Callable[[], Any]:
    """The program as `python __main__.py` would run it, with no frame of ours around it (runpy
    takes four; `exec` is a builtin, so a partial of it takes none): the SDK records the whole
    caller stack with every registration, and pays for each frame."""
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    program_globals: dict[str, Any] = {"__name__": "__main__", "__file__": str(path), "__builtins__": builtins}
    if only_registrations is not None:
        program_globals[ONLY_REGISTRATIONS] = frozenset(only_registrations)
    return functools.partial(exec, code, program_globals)


def run_under_mocks(
    program: Callable[[], Any],
    *,
    project: str,
    stack: str,
    config: dict[str, Any],
    root_directory: str | Path,
    progress: Progress | None = None,
    fake_outputs: FakeOutputs | None = None,
) -> Simulation:
    """Run `program` as a Pulumi program under the recording mock engine with `config` as stack config.

    The one place that sets the engine up, so that the SDK floor of the benchmark
    (bench.sdk_floor) pays exactly what the real program pays for each registration.
    Raises sdk_internals.SdkInternalsError when the installed Pulumi SDK is not the pinned one.
    """
    sdk_internals.check_sdk_version()
    secret_keys = [key for key, value in config.items() if value == SECRET]
    fake = fake_outputs or FakeOutputs()
    monitor = _RecordingMonitor(fake, progress)
    pulumi.runtime.reset_options(project=project, stack=stack, root_directory=str(root_directory))
    pulumi.runtime.set_mocks(
        fake, project=project, stack=stack, preview=False, monitor=monitor,
        logger=logging.getLogger("argo-tenants.simulation"),
    )
    pulumi.runtime.set_all_config(as_config_strings(config), secret_keys)

    result = Simulation(project=project, stack=stack)
    # The program turns the garbage collector off for its whole run (__main__.py says why), as it
    # does under Pulumi; there the process ends with the program, here it goes on, so the
    # collector is put back as it was.
    collecting = gc.isenabled()
    offline = os.environ.get(OFFLINE_PLAN_ENV)
    os.environ[OFFLINE_PLAN_ENV] = "1"
    try:
        # `test` runs a function as the program and waits for every registration it started. The
        # exports are read in a second run: a function around the program that also read them
        # would be one more frame for the SDK to record with every registration (_main_program).
        pulumi.runtime.test(program)()
        pulumi.runtime.test(functools.partial(_read_exports, result.outputs))()
    except pulumi.RunError as err:
        result.error = str(err)
    finally:
        pulumi.runtime.set_all_config({}, [])
        if offline is None:
            os.environ.pop(OFFLINE_PLAN_ENV, None)
        if collecting:
            gc.enable()
    result.resources = monitor.registrations
    result.invokes = fake.invokes
    return result


def _read_exports(into: dict[str, Any]) -> pulumi.Output | None:
    """Put the program's exports into `into` as a plan shows them: an export that is or holds a
    secret is "[secret]" as a whole. Returns what must resolve first."""
    shown = {key: _shown(pulumi.Output.from_input(value)) for key, value in sdk_internals.stack_exports().items()}
    return pulumi.Output.all(**shown).apply(into.update) if shown else None


def _shown(output: pulumi.Output) -> pulumi.Output:
    secret = pulumi.Output.from_input(output.is_secret())
    # Unsecret: "[secret]" may be shown, the value it stands for never is.
    return pulumi.Output.unsecret(pulumi.Output.all(secret, output).apply(lambda pair: SECRET if pair[0] else pair[1]))
