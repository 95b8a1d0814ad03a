"""Every plan says at its top how the stack reaches GitHub, whether its App ids are placeholders, and what
the tenant files write that is ignored: text, Markdown, JSON, the diff and the pull request's comment."""

from __future__ import annotations

import json

import pytest

from tenancy.cli.exit_codes import ExitCode
from tenancy.plan import comment, engine
from tenancy.plan.comment import StackReport
from tenancy.plan.diff import diff_plans
from tenancy.plan.diff_render import diff_text
from tenancy.plan.document import plan_document
from tenancy.plan.render import plan_markdown, plan_text
from tests.support.cli_project import run_cli
from tests.support.program import FIXTURE_TENANTS, PROJECT_DIR, run_program

PRIVATE = "runs fetch private repositories with a token minted for that repository, and report their outcome as a commit status"
PUBLIC_ONLY = "runs fetch public repositories only, and report no commit status"
PLACEHOLDER = "placeholder: replace before `pulumi up`"


@pytest.fixture(scope="module")
def dev(dev_plan):
    return plan_document(dev_plan)


@pytest.fixture(scope="module")
def token(token_plan):
    return plan_document(token_plan)


def test_the_shipped_dev_stack_plans_private_repositories_and_commit_status(capsys):
    # What `make plan` prints on a fresh clone.
    code, out, _ = run_cli(capsys, "plan", "--stack", "dev", "--project-dir", str(PROJECT_DIR))
    head = out.split("\n\n", 1)[0].splitlines()
    assert code == 0 and head[2].startswith(PLACEHOLDER) and PRIVATE in head[3]


def test_the_app_objects_are_planned_for_every_tenant_of_the_shipped_stacks(dev, prod_plan):
    for document in (dev, plan_document(prod_plan)):
        tokens = [r for r in document["resources"] if r["type"].endswith(":GithubAccessToken")]
        assert {r["tenant"] for r in tokens} == set(document["tenants"])
        assert {r["inputs"]["spec"]["permissions"].get("statuses") for r in tokens} >= {"write"}


def test_every_format_says_the_mode_at_its_top(dev, token):
    assert list(dev)[:5] == ["version", "project", "stack", "github", "warnings"]
    assert dev["github"] == {"appId": 123456, "mode": "app", "placeholder": True}
    assert PRIVATE in plan_markdown(dev).split("<details>", 1)[0]
    assert PLACEHOLDER in plan_markdown(dev).split("<details>", 1)[0]
    assert token["github"] == {"mode": "token"}
    for text in (plan_text(token).split("\n\n", 1)[0], plan_markdown(token).split("<details>", 1)[0]):
        assert PUBLIC_ONLY in text and PLACEHOLDER not in text


def test_the_warnings_reach_the_pull_requests_comment_and_never_fail_it(dev, tmp_path):
    pasted = tmp_path / "tenants"
    pasted.mkdir()
    for path in FIXTURE_TENANTS.glob("*.yaml"):
        (pasted / path.name).write_text(path.read_text())
    text = (pasted / "beta.yaml").read_text().replace("spec:\n", "spec:\n  githubSecretName: beta-github\n", 1)
    (pasted / "beta.yaml").write_text(text)
    head = plan_document(run_program("dev", pasted))
    diff = diff_plans(dev, head)
    assert not diff["offboarding"]["blocking"] and diff["github"]["mode"] == "app"
    [warning] = [w for w in diff["warnings"] if "beta.yaml" in w]
    assert "beta.yaml:" in warning and "spec.githubSecretName: 'beta-github' is ignored" in warning
    rendered = comment.render([StackReport("dev", int(ExitCode.SUCCESS), diff=diff)])
    assert "'beta-github' is ignored" in rendered and PRIVATE in rendered
    assert "'beta-github' is ignored" in diff_text(diff).split("\n\n", 1)[0]


def test_a_run_that_is_not_the_offline_plan_refuses_a_placeholder_app(monkeypatch):
    # As `pulumi preview` and `pulumi up` run the program: without the offline plan's mark.
    monkeypatch.setattr(engine, "OFFLINE_PLAN_ENV", "ARGO_TENANTS_TEST_NOT_THE_PLAN")
    result = run_program("dev")
    assert "argo-tenants:githubApp is a placeholder (placeholder: true)" in str(result.error)


def test_the_json_plan_of_the_shipped_stack_names_the_placeholder(capsys):
    code, out, _ = run_cli(capsys, "plan", "--stack", "prod", "--project-dir", str(PROJECT_DIR), "--format", "json")
    assert code == 0 and json.loads(out)["github"]["placeholder"] is True


def test_a_warning_quoting_control_characters_reaches_no_terminal_raw(dev):
    document = {**dev, "warnings": ["tenants/a.yaml:9: spec.githubSecretName: '\x1b[2Jx' is ignored"]}
    for text in (plan_text(document), plan_markdown(document), diff_text(diff_plans(dev, document))):
        assert "\x1b" not in text and "\\u001b[2Jx" in text
