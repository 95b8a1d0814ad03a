"""Fixtures of the integration suite: the plan of tests/integration/tenants, real servers, upstream schemas.

Everything expensive is built once per session; servers listen on 127.0.0.1 and are stopped at the end.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration import vault_checks
from tests.integration.plan import Plan, build_plan, stack_settings
from tests.integration.schema_checks import MISSING as MISSING_SCHEMAS, Schemas, schemas_dir
from tests.integration.servers import OpenBao, TokenReviewAPI


@pytest.fixture(scope="session")
def plan_doc() -> dict:
    """The JSON plan of the integration tenants on the dev stack; tests copy it before breaking it."""
    return build_plan()


@pytest.fixture
def plan(plan_doc) -> Plan:
    return Plan(plan_doc)


@pytest.fixture
def broken(plan_doc):
    """A deep copy of the plan to break on purpose, and a way to find what to break."""
    return BrokenPlan(copy.deepcopy(plan_doc))


class BrokenPlan(Plan):
    def resource(self, type_token: str, tenant: str | None = None, **inputs) -> dict:
        for resource in self.of_type(type_token):
            if (tenant is None or resource["tenant"] == tenant) and all(resource["inputs"].get(k) == v for k, v in inputs.items()):
                return resource
        raise KeyError(f"no {type_token} of {tenant} with {inputs}")

    def trigger(self, name: str) -> dict:
        """The template of the Sensor trigger named `name` (one per registration, in its own Sensor)."""
        for sensor in self.manifests("Sensor"):
            for trigger in sensor["spec"]["triggers"]:
                if trigger["template"]["name"] == name:
                    return trigger["template"]
        raise KeyError(f"no trigger {name}")

    def object(self, kind: str, namespace: str | None = None, name: str | None = None) -> dict:
        for manifest in self.manifests(kind, namespace):
            if name is None or manifest["metadata"]["name"] == name:
                return manifest
        raise KeyError(f"no {kind} {namespace}/{name}")


@pytest.fixture(scope="session")
def settings_dev():
    return stack_settings()


@pytest.fixture(scope="session")
def fallback_buckets(settings_dev) -> dict[str, str]:
    fallback = settings_dev.fallback_artifact_bucket
    return {fallback.bucket: fallback.region}


@pytest.fixture(scope="session")
def schemas() -> Schemas:
    directory = schemas_dir()
    if directory is None:
        pytest.skip(MISSING_SCHEMAS)
    return Schemas(directory)


@pytest.fixture(scope="session")
def token_review():
    api = TokenReviewAPI()
    yield api
    api.stop()


EXPR_EVAL = Path(__file__).resolve().parents[1] / "support" / "expr_eval"
# Debian's packages of the library, for GOPATH builds without a module proxy (expr-lang is the new name).
GO_SOURCES = Path("/usr/share/gocode")
LIBRARIES = {"exprlang": "github.com/expr-lang/expr", "": "github.com/antonmedv/expr"}

@pytest.fixture(scope="session")
def go_expr(tmp_path_factory):
    """Evaluate expressions with the Go library itself (tests/support/expr_eval), built offline from Debian's
    packages: `evaluate([(expression, environment), ...])` gives each result, or "error: ..." (not a bool included)."""
    go = shutil.which("go")
    tags = next((tag for tag, path in LIBRARIES.items() if (GO_SOURCES / "src" / path).is_dir()), None)
    if go is None or tags is None:
        pytest.skip("needs Go and the expr library: apt-get install golang-go golang-github-antonmedv-expr-dev")
    binary = tmp_path_factory.mktemp("expr") / "expr-eval"
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": str(GO_SOURCES), "GOCACHE": str(binary.parent / "cache"), "GOFLAGS": ""}
    subprocess.run([go, "build", "-tags", tags, "-o", str(binary), "."], cwd=EXPR_EVAL, env=env, check=True, capture_output=True, timeout=300)

    def evaluate(cases: list[tuple[str, dict]]) -> list[bool | str]:
        lines = "".join(json.dumps({"rule": rule, "claims": claims}) + "\n" for rule, claims in cases)
        done = subprocess.run([str(binary)], input=lines, capture_output=True, text=True, check=True, timeout=60)
        answers = [json.loads(line) for line in done.stdout.splitlines()]
        return [answer["result"] if "result" in answer else f"error: {answer['error']}" for answer in answers]

    return evaluate


@pytest.fixture(scope="session")
def openbao(tmp_path_factory):
    server = OpenBao(tmp_path_factory.mktemp("openbao"))
    yield server
    server.stop()


@pytest.fixture
def vault(openbao, token_review, settings_dev):
    """Applies a plan to OpenBao (from scratch) and returns the Vault warnings."""

    def apply(plan: Plan, values=vault_checks.fake_value) -> list[str]:
        return vault_checks.apply(openbao, token_review, plan, settings_dev, values)

    return apply
