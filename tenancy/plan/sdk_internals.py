"""The parts of the Pulumi SDK that the mock engine (tenancy.plan.engine) needs and the SDK does not
offer publicly: the only module that reaches into them, each with the reason.

Everything else goes through public API: `pulumi.runtime.set_mocks`, `Mocks`, `MockResourceArgs`,
`reset_options`, `set_all_config`, `pulumi.runtime.test` (runs a function as a program under the
mocks and waits for every registration it starts) and Output's combinators.

These parts were read in the SDK that requirements.txt pins (PINNED_VERSION). A run under another
version stops (check_sdk_version), and tests/plan/test_sdk_internals.py fails, naming the part,
when one disappears or changes shape; bumping the pin in requirements.txt fails it too until
PINNED_VERSION follows, which is the moment to check each part below against the new SDK.
"""

from __future__ import annotations

import importlib.metadata
from types import ModuleType
from typing import Any

import pulumi
from pulumi.runtime import mocks, rpc
from pulumi.runtime.proto import resource_pb2

PINNED_VERSION = "3.272.0"


class SdkInternalsError(RuntimeError):
    """The installed SDK is not the one these parts were read in, or one of them is gone."""


def installed_version() -> str:
    return importlib.metadata.version("pulumi")


def check_sdk_version(installed: str | None = None) -> None:
    """Raise SdkInternalsError unless the installed SDK (or `installed`) is the pinned one."""
    installed = installed or installed_version()
    if installed != PINNED_VERSION:
        raise SdkInternalsError(
            f"pulumi {installed} is installed, but the offline plan is pinned to pulumi {PINNED_VERSION} "
            "(requirements.txt): it relies on SDK internals listed in tenancy/plan/sdk_internals.py. "
            "Install the pinned version (make setup)."
        )


def _private(owner: ModuleType | object, name: str, where: str) -> Any:
    """`owner.name`, or SdkInternalsError naming `where.name` when the SDK no longer has it."""
    try:
        return getattr(owner, name)
    except AttributeError:
        raise SdkInternalsError(
            f"pulumi {installed_version()}: {where}.{name} is gone; "
            "tenancy/plan/sdk_internals.py says what the plan needs it for"
        ) from None


# 1. How the wire format marks a secret and a resource reference inside a property struct (the
#    engine's own constants, sdk/go/common/resource/properties.go). The engine walks each
#    registration's protobuf once and replaces secrets by "[secret]" and references by their URN.
#    The public road, rpc.deserialize_properties, costs about three times as much per registration
#    and gives back Resource objects (which want an event loop on the monitor's thread) for URNs.
SIG_KEY: str = _private(rpc, "_special_sig_key", rpc.__name__)
SECRET_SIG: str = _private(rpc, "_special_secret_sig", rpc.__name__)
RESOURCE_SIG: str = _private(rpc, "_special_resource_sig", rpc.__name__)

# 2. The mock resource monitor. `set_mocks(monitor=...)` takes one publicly, but what a monitor is
#    asked is the engine's gRPC protocol: the engine overrides MockMonitor.RegisterResource, which
#    alone sees the whole request (protect, retainOnDelete, dependencies, provider, secret marks;
#    Mocks.new_resource gets type, name and inputs only), and MockMonitor.make_urn, whose
#    stock version keeps only the parent's last type where the real engine keeps the whole chain.
#    The request fields read are REQUEST_FIELDS; the answer is a RegisterResourceResponse.
MockMonitor: type = _private(mocks, "MockMonitor", mocks.__name__)
RegisterResourceResponse = _private(resource_pb2, "RegisterResourceResponse", resource_pb2.__name__)
REQUEST_FIELDS = (
    "type", "name", "parent", "custom", "object", "protect", "retainOnDelete", "deleteBeforeReplace",
    "dependencies", "provider", "replacement_trigger", "additionalSecretOutputs", "importId",
)


# 3. What the program exported. `pulumi.export` writes into the root Stack's `outputs`; a real run
#    sends them to the engine when the program ends, but under `set_mocks` the stack has sent its
#    (empty) outputs before the program starts, so reading them here is the only way to see them.
def stack_exports() -> dict[str, Any]:
    """Name -> value (plain, or an Output) of everything the program passed to `pulumi.export`."""
    return dict(_private(pulumi.runtime.get_root_resource(), "outputs", "the root Stack"))
