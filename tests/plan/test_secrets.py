"""No secret value in any output of `plan`: the mocks plant recognizable values where the engine marks
secrets (access keys, webhook passwords, the GitHub token), and every format is searched for them."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from tenancy.cli.main import main
from tenancy.plan import revisions
from tenancy.plan.comment import diff_markdown
from tenancy.plan.diff_render import diff_text
from tenancy.plan.diff import diff_plans
from tenancy.plan.document import plan_document
from tenancy.plan.render import plan_markdown, plan_text
from tenancy.plan.engine import FakeOutputs, simulate

from tests.support.program import FIXTURE_TENANTS, PROJECT_DIR

PLANTED = "PLANTED-SECRET-c0ffee"
# The shipped dev stack uses the App (its key is planted); the token fallback's is planted too.
TOKEN = {"argo-tenants:githubToken": f"{PLANTED}-github-token", "argo-tenants:githubAppPrivateKey": f"{PLANTED}-app-key"}


class PlantedSecrets(FakeOutputs):
    """Provider outputs the engine marks secret, with values a test can search for."""

    def __init__(self):
        super().__init__()
        self.planted = 0

    def new_resource(self, args):
        id_, state = super().new_resource(args)
        if args.typ == "aws:iam/accessKey:AccessKey":
            state["secret"] = f"{PLANTED}-access-key-{args.name}"
            self.planted += 1
        if args.typ == "random:index/randomPassword:RandomPassword":
            state["result"] = f"{PLANTED}-webhook-{args.name}"
            self.planted += 1
        return id_, state


def planted_plan(tenants_dir, **options):
    fake = PlantedSecrets()
    overrides = {"argo-tenants:tenantsDir": str(tenants_dir), **TOKEN, **options.pop("overrides", {})}
    result = simulate(PROJECT_DIR, "dev", overrides, fake_outputs=fake, **options)
    assert result.error is None and fake.planted > 0
    return plan_document(result)


@pytest.fixture(scope="module")
def head():
    return planted_plan(FIXTURE_TENANTS)


@pytest.fixture(scope="module")
def diff(head, tmp_path_factory):
    # The base lacks alpha: its secrets are created in the diff.
    directory = tmp_path_factory.mktemp("base")
    for name in ("beta", "gamma"):
        (directory / f"{name}.yaml").write_text((FIXTURE_TENANTS / f"{name}.yaml").read_text())
    return diff_plans(planted_plan(directory), head, {"ref": "base", "commit": "0" * 40, "newStack": False})


def test_secret_inputs_reach_the_engine_as_secrets(head):
    hook = next(r for r in head["resources"] if r["name"] == "alpha-webhook-hook")
    provider = next(r for r in head["resources"] if r["name"] == "github-acme")
    assert hook["inputs"]["configuration"]["secret"] == "[secret]" and provider["inputs"]["appAuth"] == "[secret]"


@pytest.mark.parametrize(
    "render",
    [plan_text, lambda doc: plan_text(doc, verbose=True), plan_markdown, lambda doc: json.dumps(doc)],
    ids=["text", "text-verbose", "markdown", "json"],
)
def test_no_planted_secret_in_a_plan(head, render):
    assert PLANTED not in render(head)


@pytest.mark.parametrize("render", [diff_text, diff_markdown, json.dumps], ids=["text", "markdown", "json"])
def test_no_planted_secret_in_a_diff(diff, render):
    assert PLANTED not in render(diff)


def test_no_planted_secret_from_the_command(monkeypatch):
    def planted_simulate(project_dir, stack, overrides=None, **kwargs):
        return simulate(project_dir, stack, {**(overrides or {}), **TOKEN}, fake_outputs=PlantedSecrets(), **kwargs)

    monkeypatch.setattr(revisions, "simulate", planted_simulate)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            ["plan", "--project-dir", str(PROJECT_DIR), "--stack", "dev", "--tenants-dir", str(FIXTURE_TENANTS), "--format", "json"]
        )
    assert code == 0 and '"[secret]"' in out.getvalue() and PLANTED not in out.getvalue()
