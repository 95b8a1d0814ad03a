"""The PR comment: readable for 1 tenant and for 500, under GitHub's limit, never cut mid-table."""

import re

import pytest

from tenancy.plan import markdown as md
from tenancy.plan.comment import diff_markdown
from tenancy.plan.diff import diff_plans
from tenancy.plan.render import plan_markdown

from tests.support.plan_samples import planned_template, resource, synthetic_names, with_tenants

BASE_REF = {"ref": "origin/main", "commit": "a" * 40, "newStack": False}
WEBHOOK = "github:index/repositoryWebhook:RepositoryWebhook"


@pytest.fixture(scope="module")
def template():
    return planned_template()


@pytest.fixture(scope="module")
def five_hundred_onboarded(template):
    return diff_markdown(diff_plans(with_tenants(template, []), with_tenants(template, synthetic_names(500)), BASE_REF))


@pytest.fixture(scope="module")
def five_hundred_offboarded(template):
    return diff_markdown(diff_plans(with_tenants(template, synthetic_names(500)), with_tenants(template, []), BASE_REF))


def balanced(text: str) -> bool:
    """Every <details> closed, and every table row has its header's number of cells."""
    if len(re.findall(r"^<details>", text, re.M)) != len(re.findall(r"^</details>$", text, re.M)):
        return False
    for block in re.split(r"\n\s*\n", text):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        cells = {len(re.split(r"(?<!\\)\|", row)) for row in rows}
        if len(cells) > 1:
            return False
    return True


def test_500_onboarded_tenants_fit_in_one_comment(five_hundred_onboarded):
    assert md.size(five_hundred_onboarded) < md.GITHUB_COMMENT_LIMIT


def test_500_offboarded_tenants_fit_in_one_comment(five_hundred_offboarded):
    assert md.size(five_hundred_offboarded) < md.GITHUB_COMMENT_LIMIT


def test_truncation_says_how_many_tenants_are_left_out(five_hundred_onboarded):
    shown = five_hundred_onboarded.count("<summary>🆕")
    # At the top, before any tenant, and again where the list stops.
    top = five_hundred_onboarded.index(f"**Showing {shown} of 500 tenant changes**")
    assert top < five_hundred_onboarded.index("<summary>🆕")
    assert f"{500 - shown} more tenants of `dev` not shown here ({500 - shown} onboarded)" in five_hundred_onboarded


def test_truncated_comment_is_never_cut_inside_a_table(five_hundred_onboarded, five_hundred_offboarded):
    assert balanced(five_hundred_onboarded) and balanced(five_hundred_offboarded)


def test_summary_comes_before_any_tenant(five_hundred_onboarded):
    assert five_hundred_onboarded.index("500 onboarded, 0 untouched") < five_hundred_onboarded.index("<summary>🆕")


def test_offboarding_is_listed_first_and_bounded(five_hundred_offboarded):
    caution = five_hundred_offboarded.index("[!CAUTION]")
    assert caution < five_hundred_offboarded.index("| stack | verdict |") < five_hundred_offboarded.index("<summary>🗑️")
    assert "and 450 more" in five_hundred_offboarded


def test_one_tenant_is_shown_whole(template):
    text = diff_markdown(diff_plans(with_tenants(template, []), with_tenants(template, ["alpha"]), BASE_REF))
    assert "not shown here" not in text
    assert "`wf-acme-alpha`" in text


def test_budget_is_respected_for_smaller_limits(template):
    diff = diff_plans(with_tenants(template, []), with_tenants(template, synthetic_names(50)), BASE_REF)
    assert md.size(diff_markdown(diff, budget=20_000)) <= 20_000


def test_changed_tenant_shows_paused(template):
    base, head = with_tenants(template, ["alpha"]), with_tenants(template, ["alpha"])
    resource(head, "alpha", WEBHOOK)["inputs"]["active"] = False
    assert "<b>alpha</b> · changed (paused)" in diff_markdown(diff_plans(base, head, BASE_REF))


def test_no_change_says_so(template):
    same = with_tenants(template, ["alpha", "beta"])
    assert "No changes: 2 tenants untouched." in diff_markdown(diff_plans(same, same, BASE_REF))


def test_values_from_tenant_files_stay_inert(template):
    base, head = with_tenants(template, ["alpha"]), with_tenants(template, ["alpha"])
    namespace = resource(head, "alpha", "kubernetes:core/v1:Namespace")
    namespace["inputs"]["metadata"]["labels"]["tenant"] = "@everyone </details> | `x`"
    text = diff_markdown(diff_plans(base, head, BASE_REF))
    assert "`` @everyone </details> \\| `x` ``" in text
    assert balanced(text)


def test_plan_of_500_tenants_fits_in_one_comment(template):
    text = plan_markdown(with_tenants(template, synthetic_names(500)))
    assert md.size(text) < md.GITHUB_COMMENT_LIMIT and "more tenants not shown" in text


def test_a_budget_too_small_for_the_summary_still_holds(template):
    diff = diff_plans(with_tenants(template, synthetic_names(60)), with_tenants(template, []), BASE_REF)
    text = diff_markdown(diff, budget=2_000)
    assert md.size(text) <= 2_000 and "does not fit in this comment" in text


def test_a_split_into_shards_lists_the_first_urns_within_the_budget(template):
    # 500 tenants arriving from the unsharded stack `dev`: the caution box shows 50 URNs, not 500.
    names = synthetic_names(500)
    places = ({name: {"stack": "dev", "shard": None} for name in names}, {name: {"stack": "dev-a", "shard": "a"} for name in names})
    head = {**with_tenants(template, names), "stack": "dev-a"}
    text = diff_markdown(diff_plans(with_tenants(template, []), head, BASE_REF, places=places))
    assert md.size(text) <= md.DEFAULT_BUDGET and balanced(text)
    assert len(re.findall(r"^>   'urn:pulumi:dev::", text, re.M)) == 50
    assert "… 450 more URNs: `python -m tenancy plan --stack dev-a --base <ref>` prints every command." in text
