"""The SDK parts the mock engine needs beyond the public API (tenancy/plan/sdk_internals.py): each
test names the part it checks, and fails when that part is gone or has changed shape."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pulumi
import pytest
from pulumi.runtime import rpc

from tenancy.plan import sdk_internals
from tenancy.plan.engine import FakeOutputs, run_under_mocks

from tests.support.program import PROJECT_DIR

THING = "test:index:Thing"


def run(program):
    result = run_under_mocks(program, project="p", stack="s", config={}, root_directory=PROJECT_DIR)
    assert result.error is None, result.error
    return result


def test_requirements_pin_the_version_the_internals_were_checked_against():
    pinned = re.search(r"^pulumi==(\S+)$", (PROJECT_DIR / "requirements.txt").read_text(), re.MULTILINE)
    assert pinned, "requirements.txt pins no pulumi version"
    assert pinned[1] == sdk_internals.PINNED_VERSION, (
        f"requirements.txt pins pulumi {pinned[1]}, tenancy/plan/sdk_internals.py was checked against "
        f"{sdk_internals.PINNED_VERSION}: check each part listed there against {pinned[1]}, then set PINNED_VERSION"
    )


def test_the_installed_sdk_is_the_pinned_one():
    sdk_internals.check_sdk_version()


def test_another_sdk_stops_the_engine(monkeypatch):
    monkeypatch.setattr(sdk_internals, "installed_version", lambda: "3.0.0")
    with pytest.raises(sdk_internals.SdkInternalsError, match=r"pulumi 3\.0\.0 is installed.*pinned to pulumi 3\."):
        run_under_mocks(lambda: None, project="p", stack="s", config={}, root_directory=PROJECT_DIR)


def test_sig_key_and_secret_sig_mark_a_secret_as_the_sdk_sends_it():
    marked = rpc.wrap_rpc_secret("value")
    assert marked == {sdk_internals.SIG_KEY: sdk_internals.SECRET_SIG, "value": "value"}, (
        "rpc._special_sig_key / rpc._special_secret_sig no longer mark a secret"
    )
    inputs = run(lambda: pulumi.CustomResource(THING, "a", {"token": pulumi.Output.secret("x")})).resources[0].inputs
    assert inputs == {"token": "[secret]"}, "rpc._special_secret_sig: a secret input is no longer recognized"


def test_resource_sig_marks_a_resource_reference():
    def program():
        first = pulumi.CustomResource(THING, "a", {})
        pulumi.CustomResource(THING, "b", {"ref": first})

    first, second = sorted(run(program).resources, key=lambda resource: resource.name)
    assert second.inputs == {"ref": first.urn}, "rpc._special_resource_sig: a resource reference is no longer recognized"


def test_mock_monitor_still_has_what_the_engine_overrides():
    monitor = sdk_internals.MockMonitor
    assert "monitor" in inspect.signature(pulumi.runtime.set_mocks).parameters, "set_mocks takes no monitor any more"
    assert callable(getattr(monitor, "RegisterResource", None)), "MockMonitor.RegisterResource is gone"
    assert list(inspect.signature(monitor.make_urn).parameters) == ["self", "parent", "type_", "name"], (
        "MockMonitor.make_urn changed its parameters"
    )
    fake = FakeOutputs()
    assert monitor(fake).mocks is fake, "MockMonitor no longer keeps its Mocks as .mocks"


@pytest.mark.parametrize("field", sdk_internals.REQUEST_FIELDS)
def test_the_register_resource_request_still_carries(field):
    from pulumi.runtime.proto import resource_pb2

    assert field in resource_pb2.RegisterResourceRequest.DESCRIPTOR.fields_by_name, (
        f"RegisterResourceRequest.{field} is gone"
    )


def test_the_register_resource_response_still_carries_urn_id_and_outputs():
    fields = sdk_internals.RegisterResourceResponse.DESCRIPTOR.fields_by_name
    assert {"urn", "id", "object"} <= set(fields), "RegisterResourceResponse changed its fields"


def test_stack_exports_are_what_the_program_exported():
    def program():
        pulumi.export("plain", {"a": [1, None]})
        pulumi.export("secret", pulumi.Output.secret("x"))

    outputs = run(program).outputs
    assert outputs == {"plain": {"a": [1, None]}, "secret": "[secret]"}, "the root Stack's outputs no longer hold the exports"


# Only sdk_internals reaches past the public API: names with a leading underscore, and modules of
# pulumi.runtime that it does not list in __all__.
PUBLIC_RUNTIME = set(pulumi.runtime.__all__)
SCANNED = [PROJECT_DIR / "tenancy", PROJECT_DIR / "bench"]


def _private(path: list[str]) -> bool:
    if any(part.startswith("_") and not part.startswith("__") for part in path):
        return True
    return path[:2] == ["pulumi", "runtime"] and len(path) > 2 and path[2] not in PUBLIC_RUNTIME


def _dotted(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return [node.id, *reversed(parts)] if isinstance(node, ast.Name) else None


def private_sdk_uses(source: str) -> set[str]:
    tree = ast.parse(source)
    origin: dict[str, list[str]] = {}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                path = alias.name.split(".")
                if path[0] == "pulumi":
                    if alias.asname:
                        origin[alias.asname] = path
                    else:
                        origin[path[0]] = path[:1]
                    if _private(path):
                        found.add(alias.name)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pulumi":
            for alias in node.names:
                path = [*node.module.split("."), alias.name]
                origin[alias.asname or alias.name] = path
                if _private(path):
                    found.add(".".join(path))
    for node in ast.walk(tree):
        dotted = _dotted(node) if isinstance(node, ast.Attribute) else None
        if dotted and dotted[0] in origin:
            path = origin[dotted[0]] + dotted[1:]
            if _private(path):
                found.add(".".join(path))
    return found


def test_the_scan_finds_private_access():
    source = "from pulumi.runtime import rpc, mocks\nimport pulumi\nrpc._special_sig_key\npulumi.runtime.settings.SETTINGS\n"
    assert private_sdk_uses(source) == {
        "pulumi.runtime.mocks",
        "pulumi.runtime.rpc._special_sig_key",
        "pulumi.runtime.settings",
        "pulumi.runtime.settings.SETTINGS",
    }


@pytest.mark.parametrize(
    "path",
    [path for root in SCANNED for path in sorted(root.rglob("*.py")) if path.name != "sdk_internals.py"],
    ids=lambda path: str(path.relative_to(PROJECT_DIR)),
)
def test_only_sdk_internals_reaches_into_the_sdk(path: Path):
    assert private_sdk_uses(path.read_text(encoding="utf-8")) == set(), (
        "private SDK parts belong in tenancy/plan/sdk_internals.py, with the reason"
    )
