"""The PR comment as GitHub renders it (cmark-gfm): verdict first, one budget for every stack, identical
changes grouped once, rows that fit the page, real names, and every name from a file escaped."""

import re

import yaml

import pytest

from tenancy.plan import markdown as md
from tenancy.plan.comment import StackReport, diff_markdown, render
from tenancy.plan.diff import diff_plans

from tests.support.github_markdown import empty_header_rows, first_blocks, row_widths, text_of, to_html
from tests.support.plan_samples import planned_template, resource, synthetic_names, with_tenants

BASE_REF = {"ref": "origin/main", "commit": "a" * 40, "newStack": False}
TEMPLATE = "argo-workflows:argoproj.io/v1alpha1:WorkflowTemplate"
TEMPLATE_TYPE = "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate"
READER_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
# A row of a change table, in characters: about what a pull request's page shows in code font.
ROW_WIDTH = 160


@pytest.fixture(scope="module")
def template():
    return planned_template()


def report(diff, allowed=False):
    blocked = diff["offboarding"]["blocking"] and not allowed
    return StackReport(diff["stack"], 3 if blocked else 0, diff)


def with_image(document, image):
    """Every tenant's WorkflowTemplate with another runner image, as a change of the stack setting runnerImage does."""
    for item in document["resources"]:
        if item["type"] == TEMPLATE_TYPE:
            text = repr(item["inputs"])
            assert "nextflow/nextflow:" in text
            _replace_image(item["inputs"], image)
    return document


def _replace_image(value, image):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "image" and isinstance(item, str) and item.startswith("nextflow/nextflow:"):
                value[key] = image
            else:
                _replace_image(item, image)
    elif isinstance(value, list):
        for item in value:
            _replace_image(item, image)


@pytest.fixture(scope="module")
def one_onboarded(template):
    return diff_markdown(diff_plans(with_tenants(template, []), with_tenants(template, ["alpha"]), BASE_REF))


@pytest.fixture(scope="module")
def settings_change_500(template):
    names = synthetic_names(500)
    base = with_tenants(template, names)
    head = with_image(with_tenants(template, names), "nextflow/nextflow:25.10.1")
    settings = ({"argo-tenants:runnerImage": "nextflow/nextflow:25.04.6"}, {"argo-tenants:runnerImage": "nextflow/nextflow:25.10.1"})
    return diff_markdown(diff_plans(base, head, BASE_REF, settings=settings))


@pytest.fixture(scope="module")
def two_stacks(template):
    """dev onboards 80 tenants; prod offboards one: prod's verdict must not sit below 80 dev sections."""
    names = synthetic_names(80)
    dev = diff_plans(with_tenants(template, []), with_tenants(template, names), BASE_REF)
    prod_base = {**with_tenants(template, ["alpha", "beta"]), "stack": "prod"}
    prod_head = {**with_tenants(template, ["alpha"]), "stack": "prod"}
    prod = diff_plans(prod_base, prod_head, BASE_REF)
    return render([report(dev), report(prod)])


def test_one_tenant_opens_with_the_verdict_that_nothing_blocks(one_onboarded):
    page = to_html(one_onboarded)
    assert first_blocks(page, 2) == ["p", "blockquote"]
    assert text_of(page).startswith("✅ Nothing blocking")
    assert "[!TIP]" in page and "Nothing blocking" in text_of(page.split("</blockquote>")[0])


def test_one_tenant_shows_who_gets_access_and_where_outputs_land(one_onboarded):
    text = text_of(to_html(one_onboarded))
    for fact in ("admins:", "readers:", "public: no", "outputs: s3://", "<workflow-name>/"):
        assert fact in text, fact


@pytest.mark.parametrize("sample", ["one_onboarded", "settings_change_500", "two_stacks"])
def test_no_table_starts_with_an_empty_header_row(request, sample):
    assert empty_header_rows(to_html(request.getfixturevalue(sample))) == 0


@pytest.mark.parametrize("sample", ["one_onboarded", "settings_change_500", "two_stacks"])
def test_rows_fit_the_page(request, sample):
    wide = [(width, row) for width, row in row_widths(to_html(request.getfixturevalue(sample))) if width > ROW_WIDTH]
    assert wide == []


@pytest.mark.parametrize("sample", ["one_onboarded", "settings_change_500", "two_stacks"])
def test_within_githubs_limit(request, sample):
    assert md.size(request.getfixturevalue(sample)) <= md.DEFAULT_BUDGET


def test_a_settings_change_of_500_tenants_is_one_group_with_its_cause(settings_change_500):
    page = to_html(settings_change_500)
    text = text_of(page)
    assert "500 tenants changed alike" in text
    assert page.count("<details>") == 1  # the group, not 499 identical sections
    assert "runnerImage" in text and "25.04.6" in text and "25.10.1" in text
    assert "Showing all 500 tenant changes" in text


def test_two_stacks_give_one_verdict_first_and_the_blocked_stack_before_the_other(two_stacks):
    page = to_html(two_stacks)
    verdict = text_of(page.split("</blockquote>")[0])
    assert "Blocked." in verdict and "prod: blocked: 1 tenant offboarded" in verdict and "dev: nothing blocking" in verdict
    # prod's caution comes before any of dev's 80 tenant sections.
    assert page.index("prod</code> · ⛔") < page.index("<summary>🆕")
    assert page.index("prod</code> · ⛔") < 5_000


def test_two_stacks_share_one_budget(template):
    big = diff_plans(with_tenants(template, []), with_tenants(template, synthetic_names(500)), BASE_REF)
    prod = {**big, "stack": "prod"}
    text = render([report(big), report(prod)], budget=30_000)
    assert md.size(text) <= 30_000
    shown = text.count("<summary>🆕")
    assert f"**Showing {shown} of 1000 tenant changes**" in text
    assert text.index("**Showing") < text.index("<summary>🆕")


def test_a_reader_added_is_named(template):
    base = with_tenants(template, ["alpha"])
    head = with_tenants(template, ["alpha"])
    binding = resource(head, "alpha", READER_BINDING, "wf-runner")
    binding["inputs"]["subjects"].append({"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "new.reader@example.org"})
    text = text_of(to_html(diff_markdown(diff_plans(base, head, BASE_REF))))
    assert "added new.reader@example.org" in text
    assert '"apiGroup"' not in text


def test_an_offboarding_keeps_the_real_bucket_names(template):
    text = diff_markdown(diff_plans(with_tenants(template, ["alpha"]), with_tenants(template, []), BASE_REF))
    kept = next(line for line in text.splitlines() if line.startswith("Kept in the cloud"))
    assert "alpha-artifacts-dev" in kept and "alpha-data-dev" in kept
    assert "alpha-artifacts`" not in kept  # the Pulumi name of the bucket resource


def test_names_from_files_are_escaped(template):
    diff = diff_plans(with_tenants(template, []), with_tenants(template, ["alpha"]), BASE_REF)
    hostile = "dev<img src=x onerror=alert(1)>`|"
    problem = StackReport(hostile, 1, problem=("The tenant files are invalid, so nothing was planned.", "x.yaml:1: bad"))
    page = to_html(render([report({**diff, "stack": hostile}), problem]))
    assert "<img" not in page
    assert "onerror" in text_of(page)  # shown as text


def test_an_invalid_stack_says_nothing_was_planned(template):
    problem = StackReport("dev", 1, problem=("The tenant files or stack settings are invalid, so nothing was planned.", "a.yaml:3: spec: bad"))
    text = render([problem])
    assert "nothing was planned" in text and "deployed" not in text


# --- the comment after approvals, at size, for a rename and an unrecorded offboarding (issue 20) ----

HEAD = "b" * 40


def _review(*requirements, approvals=(), renames=()):
    from tenancy.plan.approvals import Approval, Approvals, Review

    given = tuple(Approval.parse(text) for text in approvals)
    review = Review(list(requirements), renames=list(renames), approvals=Approvals(given, HEAD, "mallory"), commit=HEAD)
    review.settle()
    return review


def test_after_approvals_the_first_line_says_who_approved_which_commit(template):
    from tenancy.plan.approvals import PLATFORM_CHANGE, Requirement

    prod = diff_plans(
        {**with_tenants(template, ["alpha", "beta"]), "stack": "prod"}, {**with_tenants(template, ["alpha"]), "stack": "prod"}, BASE_REF,
        accepted=True,
    )
    review = _review(
        Requirement(PLATFORM_CHANGE, "Pulumi.yaml#runtime", "`runtime`: `python` → `yaml`"),
        approvals=(f"offboarding=alice@{HEAD[:12]}", f"platform-change=bob@{HEAD}"),
    )
    page = to_html(render([report(prod, allowed=True)], review=review))
    first = text_of(page.split("</p>")[0])
    assert first.startswith(f"✅ Approved for {HEAD[:12]}:")
    assert f"offboarding on prod by @alice for {HEAD[:12]}" in first and f"1 platform change by @bob for {HEAD[:12]}" in first
    top = text_of(page.split("</blockquote>")[1])
    assert "Offboarding accepted by @alice" in top and "Blocked" not in top


def test_at_200_new_tenants_in_each_stack_every_stacks_headline_and_tenants_show(template):
    names = synthetic_names(200)
    stacks = [
        diff_plans({**with_tenants(template, []), "stack": stack}, {**with_tenants(template, names), "stack": stack}, BASE_REF)
        for stack in ("dev", "prod", "staging")
    ]
    text = render([report(diff) for diff in stacks])
    assert md.size(text) <= md.DEFAULT_BUDGET
    headings = [line.split(" · ")[0] for line in text.splitlines() if line.startswith("#### ")]
    assert headings == ["#### `dev`", "#### `prod`", "#### `staging`"]
    # Each stack gets its share of the budget: none is crowded out by the ones before it.
    sections = text.split("#### ")[1:]
    shown = [section.count("<summary>🆕") for section in sections]
    assert min(shown) > 0 and min(shown) >= 0.8 * max(shown), shown
    assert all("more tenants of" in section for section in sections)


def test_a_rename_reads_as_one_with_its_namespace_and_buckets():
    from tenancy.plan.access import read_registrations, renames

    base = {"alpha": {"repoUrl": "https://github.com/acme/alpha.git", "artifactBucket": {"bucket": "alpha-artifacts"}}}
    head = {"alpha-lab": {"repoUrl": "https://github.com/acme/alpha.git", "artifactBucket": {"bucket": "alpha-artifacts"}}}
    [rename] = renames(base, head)
    review = _review(renames=[rename.as_dict() | {"words": rename.words()}])
    text = text_of(to_html(render([], review=review)))
    assert "rename renamed alpha → alpha-lab (same repository acme/alpha)" in text
    assert "namespace wf-acme-alpha" in text
    # No stack planned: the tenant files' names, said to be theirs.
    assert "bucket alpha-artifacts (as the tenant files name it; each environment adds its affix) leaves alpha's state" in text
    assert "`returnTo: alpha-lab`" in text


def test_an_unrecorded_offboarding_gives_the_yaml_to_paste(template):
    from tenancy.model.retired import RetiredBuckets

    diff = diff_plans(with_tenants(template, ["alpha", "beta"]), with_tenants(template, ["alpha"]), BASE_REF)
    diff["environment"] = "dev"
    assert diff["offboarding"]["unrecorded"]
    text = render([report(diff)])
    block = text[text.index("```yaml") :]
    pasted = "\n".join(line.removeprefix("> ") for line in block.splitlines()[1 : block.splitlines().index("> ```")])
    records = RetiredBuckets.model_validate(yaml.safe_load(pasted))
    assert sorted(record.bucket for record in records.retired_buckets) == sorted(diff["offboarding"]["unrecorded"])
    assert {(record.registration, record.environment) for record in records.retired_buckets} == {("beta", "dev")}


def test_an_unrecorded_fallback_prefix_gives_its_retired_prefixes_entry():
    from tenancy.model.retired import RetiredBuckets
    from tenancy.plan.diff_render import retired_entries

    diff = {"stack": "dev", "environment": "dev", "offboarding": {"unrecorded": ["s3://calypr-dev-argo-artifacts/beta/"], "buckets": []}}
    buckets, prefixes = retired_entries(diff)
    records = RetiredBuckets.model_validate({"retiredBuckets": buckets, "retiredPrefixes": prefixes})
    assert [record.uri for record in records.retired_prefixes] == ["s3://calypr-dev-argo-artifacts/beta/"]


# --- a rename in each stack's section: one section, each object as the diff's entries say --------------


@pytest.fixture(scope="module")
def renamed():
    """dev planned with alpha, then with the same repository registered as alpha-lab (its buckets named
    again, one more admin): a tenant file renamed, as `plan --base` compares it."""
    import tempfile
    from pathlib import Path

    from tenancy.plan.document import plan_document
    from tests.support.program import registration, run_program

    def planned(document):
        with tempfile.TemporaryDirectory() as directory:
            name = document["metadata"]["name"]
            (Path(directory) / f"{name}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
            result = run_program("dev", Path(directory))
        assert result.error is None, result.error
        return plan_document(result)

    alpha = registration("alpha", adminUsers=["a@example.org"])
    lab = registration("alpha-lab", repoUrl="https://github.com/acme/alpha.git", artifactBucket={"bucket": "alpha-artifacts"},
                       adminUsers=["a@example.org", "m@example.org"])
    diff = diff_plans(planned(alpha), planned(lab), BASE_REF)
    diff["environment"] = "dev"
    return diff


def test_a_rename_is_one_entry_of_the_diff_paired_object_by_object(renamed):
    import json

    import jsonschema

    from tests.support.program import PROJECT_DIR

    jsonschema.validate(renamed, json.loads((PROJECT_DIR / "docs" / "plan-diff.schema.json").read_text()))
    [rename] = renamed["renames"]
    assert (rename["from"], rename["to"], rename["repository"]) == ("alpha", "alpha-lab", "acme/alpha")
    by_kind = {}
    for item in rename["objects"]:
        by_kind.setdefault(item["kind"], []).append(item)
    [namespace] = by_kind["namespace"]
    assert namespace["before"] == {"name": "wf-acme-alpha", "action": "delete"}
    assert namespace["after"] == {"name": "wf-acme-alpha", "action": "create"}
    [bucket] = by_kind["bucket"]
    assert bucket["before"] == {"name": "alpha-artifacts-dev", "action": "retain"} and bucket["after"]["action"] == "create"
    assert bucket["recorded"] is False
    [user] = by_kind["IAM user"]
    assert (user["before"]["name"], user["after"]["name"]) == ("argo-tenants-dev-alpha", "argo-tenants-dev-alpha-lab")
    assert {item["before"]["name"] for item in by_kind["Vault secret"]} >= {"kv/argo/apps/alpha/s3/artifacts"}
    assert rename["facts"]["adminUsers"] == [["a@example.org"], ["a@example.org", "m@example.org"]]


def test_a_rename_reads_as_one_section_in_its_stack(renamed):
    text = render([report(renamed)])
    page = to_html(text)
    summaries = re.findall(r"<summary>(.*?)</summary>", page)
    assert [s for s in summaries if "alpha" in s] == [next(s for s in summaries if "🔀" in s)]  # no 🗑️ alpha, no 🆕 alpha-lab
    section = text[text.index("<summary>🔀") :]
    section = section[: section.index("</details>")]
    words = text_of(to_html(section))
    assert "alpha → alpha-lab" in words and "renamed (same repository acme/alpha)" in words
    assert "namespace wf-acme-alpha: replaced: the same name, deleted with everything in it and created again" in words
    assert "bucket alpha-artifacts-dev: kept in S3 with its data, out of alpha's management, and created again by name for alpha-lab" in words
    assert "not yet recorded in tenants/_retired-buckets.yaml" in words
    assert "IAM user: argo-tenants-dev-alpha deleted with its keys; argo-tenants-dev-alpha-lab created" in words
    assert "Vault secret: kv/argo/apps/alpha/s3/artifacts deleted with its value; kv/argo/apps/alpha-lab/s3/artifacts created" in words
    assert "admins: a@example.org → a@example.org, m@example.org" in words
    # The caution and the index name it as a rename, not as an offboarding.
    assert "1 tenant renamed" in text and "Offboarded (" not in text
    assert "🔀 1 renamed: `alpha → alpha-lab`" in text


def test_a_rename_reads_as_one_in_the_text_output(renamed):
    from tenancy.plan.diff_render import diff_text

    text = diff_text(renamed)
    assert "tenant alpha → alpha-lab is renamed" in text and "tenant alpha is offboarded" not in text
    assert "🔀 alpha → alpha-lab  renamed (same repository acme/alpha)" in text
    assert "    namespace wf-acme-alpha: replaced: the same name" in text
    assert "    IAM user: argo-tenants-dev-alpha deleted with its keys; argo-tenants-dev-alpha-lab created" in text
    assert "- alpha  " not in text and "+ alpha-lab  " not in text


def test_a_renames_bucket_record_hands_it_to_the_new_name(renamed):
    from tenancy.model.retired import RetiredBuckets

    text = render([report(renamed)])
    block = text[text.index("```yaml") :]
    pasted = "\n".join(line.removeprefix("> ") for line in block.splitlines()[1 : block.splitlines().index("> ```")])
    records = RetiredBuckets.model_validate(yaml.safe_load(pasted))
    assert [(r.bucket, r.registration, r.return_to) for r in records.retired_buckets] == [("alpha-artifacts-dev", "alpha", "alpha-lab")]


def test_the_text_names_an_unrecorded_fallback_prefix():
    from tenancy.plan.diff_render import diff_text

    diff = {
        "project": "argo-tenants", "stack": "dev", "base": {}, "head": {}, "tenants": [], "shared": [],
        "summary": {"tenants": {"onboarded": 0, "offboarded": 1, "changed": 0, "untouched": 0}},
        "offboarding": {"blocking": True, "accepted": False, "unrecorded": ["s3://calypr-dev-argo-artifacts/beta/"],
                        "tenants": ["beta"], "moves": [], "buckets": [], "objects": [], "unprotected": []},
    }
    assert "fallback prefix s3://calypr-dev-argo-artifacts/beta/ leaves its registration" in diff_text(diff)


# --- the first lines, read in thirty seconds: what needs whose approval, and nothing else ---------------


def _first_lines(text: str, count: int = 5) -> str:
    return "\n".join(text.splitlines()[:count])


def test_an_unrecorded_offboarding_opens_with_the_record_it_needs_before_any_approval(template):
    """The label alone does not unblock it (`accepted` stays false until recorded): the first line says so,
    even after a platform owner accepted."""
    diff = diff_plans(with_tenants(template, ["alpha", "beta"]), with_tenants(template, ["alpha"]), BASE_REF, accepted=True)
    assert diff["offboarding"]["unrecorded"] and not diff["offboarding"]["accepted"]
    review = _review(approvals=(f"offboarding=alice@{HEAD}",))
    top = _first_lines(render([report(diff)], review=review))
    first = top.splitlines()[0]
    assert first.startswith(f"**⛔ Blocked for `{HEAD[:12]}`** until recorded and approved:"), first
    assert "`tenants/_retired-buckets.yaml`" in first and first.index("_retired-buckets") < first.index("allow-offboarding")
    assert "record it first" in top and "a platform owner accepts it" in top and "maintainer" not in top


def test_a_recorded_offboarding_names_a_platform_owner_as_its_approver_everywhere(template):
    diff = diff_plans(with_tenants(template, ["alpha", "beta"]), with_tenants(template, ["alpha"]), BASE_REF)
    diff["offboarding"]["unrecorded"] = []  # as once tenants/_retired-buckets.yaml records beta's buckets
    top = _first_lines(render([report(diff)], review=_review()))
    assert top.startswith(f"**⛔ Blocked for `{HEAD[:12]}`** until approved: a platform owner's acceptance of offboarding")
    assert "a platform owner accepts it with the `allow-offboarding` label" in top and "maintainer" not in top
    assert "record" not in top


def test_plans_that_block_nothing_do_not_say_nothing_blocks_while_an_approval_waits(template):
    from tenancy.plan.approvals import PLATFORM_CHANGE, Requirement

    onboarded = diff_plans(with_tenants(template, []), with_tenants(template, ["alpha"]), BASE_REF)
    waiting = _review(Requirement(PLATFORM_CHANGE, "argo-tenants:runnerImage (stack dev)", "`a` → `b`"))
    text = render([report(onboarded)], review=waiting)
    assert text.startswith("**⛔ Blocked for")
    assert "Nothing blocking" not in text, text[:1500]
    assert "nothing in the plans blocks" in text.lower()
