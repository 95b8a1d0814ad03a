"""The Argo UI's SSO RBAC over the plan: the rules as the expression library evaluates them, the
account argo-server picks for each person in each namespace, and what that account may do there."""

from __future__ import annotations

import pytest

from tenancy.manifests import rbac
from tests.integration.argo_checks import ADMIN_ACTIONS, READER_ACTIONS, allowed_actions, rbac_allows, resolve_artifact_repository, sso_account
from tests.support.expr_rules import ExprError, eval_rule

pytestmark = pytest.mark.integration

CLAIMS = {"iss": "https://dex.example.org", "sub": "CgNhYmM", "email_verified": True, "groups": ["lab"], "name": "A. User"}
NASTY = [
    "o'brien@acme.org", "'||true||'@acme.org", "'==''||true||''=='@acme.org", "x'] or true or ['@acme.org",
    "back\\slash@acme.org", "quote\"d@acme.org", "line\nbreak@acme.org", "cr\rlf@acme.org", "\u2028@acme.org",
    "caf\u00e9@acme.org", "\U0001f600@acme.org", "nul\x00@acme.org", "\\u0027@acme.org", "\\'@acme.org",
]


def python_expr(cases: list[tuple[str, dict]]) -> list[bool | str]:
    found = []
    for rule, claims in cases:
        try:
            found.append(eval_rule(rule, claims))
        except ExprError as err:
            found.append(f"error: {err}")
    return found


def _cases() -> list[tuple[str, dict]]:
    cases = []
    for email in NASTY:
        rule = rbac.email_rule([email, "lead@acme.org"])
        for who in (email, "lead@acme.org", "stranger@acme.org", email.upper()):
            cases.append((rule, CLAIMS | {"email": who}))
        # The same text pasted unescaped: what escaping prevents (an error, or a match it should not be).
        cases.append((f"email in ['{email}']", CLAIMS | {"email": "stranger@acme.org"}))
    cases += [
        (rbac.EVERYONE, CLAIMS | {"email": "anyone@example.org"}),
        (rbac.EVERYONE, {"sub": "no-email"}),
        (rbac.email_rule(["lead@acme.org"]), {"sub": "no-email"}),
        ("'lab' in groups", CLAIMS),
        ("'lab' in groups && email in ['lead@acme.org']", CLAIMS | {"email": "lead@acme.org"}),
    ]
    return cases


def test_each_email_rule_matches_exactly_its_people_in_the_library(go_expr):
    for email in NASTY:
        rule = rbac.email_rule([email, "lead@acme.org"])
        outcomes = go_expr([(rule, CLAIMS | {"email": who}) for who in (email, "lead@acme.org", "stranger@acme.org", "")])
        assert outcomes == [True, True, False, False], (email, rule)


def test_the_python_evaluator_agrees_with_the_library(go_expr):
    cases = _cases()
    library = go_expr(cases)
    ours = python_expr(cases)
    disagreements = [
        (rule, claims.get("email"), theirs, mine)
        for (rule, claims), theirs, mine in zip(cases, library, ours)
        if (isinstance(theirs, str), theirs if isinstance(theirs, bool) else None) != (isinstance(mine, str), mine if isinstance(mine, bool) else None)
    ]
    assert disagreements == []


def test_unescaped_emails_would_not_stay_strings(go_expr):
    # Why escaping matters: pasted raw, the first of these is a type error in the library, which
    # argo-server reports as "failed to evaluate rule" for the whole namespace.
    [raw] = go_expr([("email in [''||true||'@acme.org']", CLAIMS | {"email": "stranger@acme.org"})])
    assert isinstance(raw, str) and "mismatched types" in raw


# --- who may do what in the UI, per namespace ----------------------------------------------------

PEOPLE = {
    "alpha admin": "lead@acme.org",
    "alpha reader": "viewer@acme.org",
    "beta-2 admin": "ops@other-org.example",
    "stranger": "someone@else.example",
}


def _namespaces(plan) -> dict[str, str]:
    return {tenant: summary["namespace"] for tenant, summary in plan.document["outputs"]["tenants"].items()}


def test_people_do_in_the_ui_what_their_registration_lists_and_nothing_elsewhere(plan):
    found = {
        (person, tenant): allowed_actions(plan, namespace, CLAIMS | {"email": email})
        for person, email in PEOPLE.items()
        for tenant, namespace in _namespaces(plan).items()
    }
    expected = {key: set() for key in found}
    expected[("alpha admin", "alpha")] = ADMIN_ACTIONS
    expected[("alpha reader", "alpha")] = READER_ACTIONS
    expected[("beta-2 admin", "beta-2")] = ADMIN_ACTIONS
    # beta-2 is public: every signed-in user reads it.
    for person in ("alpha admin", "alpha reader", "stranger"):
        expected[(person, "beta-2")] = READER_ACTIONS
    assert found == expected


def test_accounts_reach_no_secret_but_the_artifact_credentials(plan):
    namespace = _namespaces(plan)["alpha"]
    for account in ("tenant-admin", "tenant-reader"):
        readable = {
            secret["metadata"]["name"]
            for secret in plan.manifests("Secret", namespace)
            if rbac_allows(plan, namespace, account, "get", "", "secrets", secret["metadata"]["name"])
        }
        others = {"s3-credentials-alpha-data", "tenant-admin.service-account-token", "tenant-reader.service-account-token", "anything"}
        assert readable == set() and not any(rbac_allows(plan, namespace, account, "get", "", "secrets", name) for name in others)
        assert rbac_allows(plan, namespace, account, "get", "", "secrets", "s3-credentials-alpha")
        assert not rbac_allows(plan, namespace, account, "list", "", "secrets")


def test_a_person_without_an_email_claim_falls_back_to_the_login_account(plan):
    assert sso_account(plan, _namespaces(plan)["alpha"], {"sub": "CgNhYmM", "groups": []}) is None


# --- each property, broken on purpose, is caught --------------------------------------------------


def test_a_reader_account_without_its_token_secret_is_caught(broken):
    namespace = _namespaces(broken)["alpha"]
    broken.resources[:] = [
        r for r in broken.resources if r["inputs"].get("metadata", {}).get("name") != "tenant-reader.service-account-token"
    ]
    assert allowed_actions(broken, namespace, CLAIMS | {"email": "viewer@acme.org"}) == set()


def test_a_reader_role_without_the_artifact_secret_is_caught(broken):
    namespace = _namespaces(broken)["alpha"]
    role = broken.object("Role", namespace, "tenant-reader")
    role["rules"] = [rule for rule in role["rules"] if "secrets" not in rule["resources"]]
    assert allowed_actions(broken, namespace, CLAIMS | {"email": "viewer@acme.org"}) == READER_ACTIONS - {"artifacts"}


def test_a_reader_precedence_at_the_login_accounts_is_caught(broken):
    namespace = _namespaces(broken)["alpha"]
    account = broken.object("ServiceAccount", namespace, "tenant-reader")
    account["metadata"]["annotations"][rbac.RBAC_PRECEDENCE_ANNOTATION] = "0"
    assert allowed_actions(broken, namespace, CLAIMS | {"email": "viewer@acme.org"}) == set()


# --- what readers get from a run: its reports and results, as artifacts of the Argo UI --------------


def run_outputs(template: dict) -> dict[str, dict]:
    [step] = [t for t in template["spec"]["templates"] if t["name"] == template["spec"]["entrypoint"]]
    return {artifact["name"]: artifact for artifact in step.get("outputs", {}).get("artifacts", [])}


OUTPUTS = {"report", "timeline", "trace", "results"}


def output_problems(plan, controller_namespace: str) -> list[str]:
    """Each WorkflowTemplate's run step lists Nextflow's report, timeline, trace and results as output
    artifacts with no location of their own (so the namespace's artifact repository stores them), and
    every person of its registration may download them in the Argo UI; a stranger may not."""
    problems = []
    for template in plan.manifests("WorkflowTemplate"):
        namespace = template["metadata"]["namespace"]
        outputs = run_outputs(template)
        if set(outputs) != OUTPUTS:
            problems.append(f"{namespace}: outputs {sorted(outputs)}")
        for name, artifact in outputs.items():
            if not set(artifact) <= {"name", "path", "archive", "optional"}:
                problems.append(f"{namespace}: output {name} has a location of its own: {sorted(set(artifact) - {'name', 'path', 'archive', 'optional'})}")
        try:
            resolve_artifact_repository(plan, template, namespace, controller_namespace)
        except LookupError as err:
            problems.append(f"{namespace}: {err}")
        summary = next(s for s in plan.document["outputs"]["tenants"].values() if s["namespace"] == namespace)
        people = [*summary["readUsers"], *summary["adminUsers"]] or (["anyone@example.org"] if summary["public"] else [])
        for email in people:
            if "artifacts" not in allowed_actions(plan, namespace, CLAIMS | {"email": email}):
                problems.append(f"{namespace}: {email} cannot download artifacts")
        if not summary["public"] and allowed_actions(plan, namespace, CLAIMS | {"email": "stranger@example.org"}):
            problems.append(f"{namespace}: a stranger may act")
    return problems


def test_every_run_publishes_its_reports_and_results_where_its_readers_download_them(plan, settings_dev):
    assert list(plan.manifests("WorkflowTemplate"))
    assert output_problems(plan, settings_dev.namespaces.argo_workflows) == []


def test_an_output_stored_elsewhere_or_a_reader_without_the_secret_is_caught(broken, settings_dev):
    run_outputs(broken.object("WorkflowTemplate", "wf-acme-beta"))["results"]["s3"] = {"key": "elsewhere/results"}
    reader = broken.object("Role", "wf-acme-alpha-pipeline", "tenant-reader")
    reader["rules"] = [rule for rule in reader["rules"] if "secrets" not in rule["resources"]]
    assert output_problems(broken, settings_dev.namespaces.argo_workflows) == [
        "wf-acme-alpha-pipeline: viewer@acme.org cannot download artifacts",
        "wf-acme-alpha-pipeline: analyst@acme.org cannot download artifacts",
        "wf-acme-beta: output results has a location of its own: ['s3']",
    ]
