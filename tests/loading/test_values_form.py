"""A tenant file written as Helm values (`repoRegistrations:` with one entry) is read as its manifest,
problems at the lines the tenant wrote; anything else in that form is refused with the way out."""

import pytest

from tenancy.model.problems import TenantValidationError

ENTRY = """repoRegistrations:
  - name: a
    repoUrl: https://github.com/acme/a.git
    tenant: research
    artifactBucket:
      bucket: {bucket}
"""


def test_one_entry_is_read_as_its_registration_with_a_warning(write_tenant, load, tenants_dir):
    from tenancy.loading.loader import load_directory, read_directory
    from tests.support.program import make_settings

    write_tenant(ENTRY.format(bucket="a-artifacts"), "a.yaml")
    [tenant] = load()
    assert (tenant.name, tenant.artifacts.bucket) == ("a", "a-artifacts-dev")
    [warning] = load_directory(read_directory(tenants_dir), make_settings()).warnings
    assert (warning.line, warning.message) == (1, "is written as Helm values (repoRegistrations:), read as the RepoRegistration 'a'")


def test_a_problem_points_at_the_line_in_the_entry(write_tenant, load):
    write_tenant(ENTRY.format(bucket="A_Bad"), "a.yaml")
    with pytest.raises(TenantValidationError) as err:
        load()
    [problem] = err.value.problems
    assert (problem.line, problem.field) == (6, "spec.artifactBucket.bucket")


@pytest.mark.parametrize(
    "text, field, words",
    [
        (ENTRY.format(bucket="a-artifacts") + "  - name: b\n    repoUrl: https://github.com/acme/b.git\n", "repoRegistrations", "it holds 2"),
        ("repoRegistrations: []\n", "repoRegistrations", "it holds 0"),
        ("events:\n  enabled: true\n" + ENTRY.format(bucket="a-artifacts"), "events", "is a Helm value beside repoRegistrations"),
    ],
)
def test_anything_but_one_entry_is_refused(write_tenant, load, text, field, words):
    write_tenant(text, "a.yaml")
    with pytest.raises(TenantValidationError) as err:
        load()
    [problem] = err.value.problems
    assert problem.field == field and words in problem.message and "import" in problem.text
