"""Rules of spec.definitions and spec.deployers that need the whole file or the stack."""

from tenancy.loading.rules import against_stack, within_registration
from tenancy.model.registration import RepoRegistration
from tests.support.program import make_settings, registration


def problems(rule, **spec):
    document = RepoRegistration.model_validate(registration("alpha", **spec))
    found = rule(document) if rule is within_registration else rule(document, make_settings())
    return [(problem.loc, problem.message) for problem in found]


def test_an_entrypoint_needs_workflow_templates_among_the_kinds():
    [(loc, message)] = problems(within_registration, definitions={"kinds": ["CronWorkflow"], "entrypoint": "main"})
    assert loc == ("spec", "definitions", "entrypoint") and "kinds leaves WorkflowTemplate out" in message


def test_the_entrypoint_is_not_the_generated_template():
    [(loc, message)] = problems(within_registration, definitions={"entrypoint": "nextflow-repo-runner"})
    assert "is the generated template" in message


def test_deployers_of_an_unknown_environment_are_refused():
    found = problems(against_stack, deployers={"staging": ["jdoe"]})
    assert (("spec", "deployers", "staging"), "'staging' is not an environment of this project (known: dev, prod)") in found
