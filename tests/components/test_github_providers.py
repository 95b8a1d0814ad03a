"""One GitHub provider per repository owner: the personal-token fallback, or each owner's App installation."""

import pulumi
import pytest

from components.github_providers import github_providers
from tests.support.one_component import build_alone
from tests.support.program import make_settings, registration, tenant_of

PROVIDER = "pulumi:providers:github"
APP_SETTINGS = make_settings(githubApp={"appId": 42, "installations": {"acme": 1111}})
APP = APP_SETTINGS.github_app


def tenants(*urls: str, settings=None):
    return [tenant_of(registration(f"t{index}", repoUrl=url), settings) for index, url in enumerate(urls)]


def test_an_owner_gets_one_provider_whatever_the_case_of_its_name():
    registered = tenants("https://github.com/acme/one.git", "https://github.com/ACME/two.git", "https://github.com/lab/three.git")
    plan = build_alone(lambda: github_providers(registered, None, "planted-token", None))
    providers = plan.by_type(PROVIDER)
    assert sorted(provider.name for provider in providers) == ["github-acme", "github-lab"]
    # Providers stay children of the stack: a parent would change their URNs and replace them.
    assert all(provider.parent is None or provider.parent.endswith("pulumi:pulumi:Stack::argo-tenants-test") for provider in providers)


def test_without_the_app_the_provider_takes_the_token():
    plan = build_alone(lambda: github_providers(tenants("https://github.com/acme/one.git"), None, pulumi.Output.secret("planted-token"), None))
    [provider] = plan.by_type(PROVIDER)
    assert provider.inputs["token"] == "[secret]" and "appAuth" not in provider.inputs


def test_with_the_app_the_provider_authenticates_as_the_app_and_keeps_its_key_secret():
    # Which installation each owner gets: tests/program/test_program.py, where the arguments are recorded.
    plan = build_alone(lambda: github_providers(tenants("https://github.com/acme/one.git", settings=APP_SETTINGS), APP, None, pulumi.Output.secret("pem")))
    [provider] = plan.by_type(PROVIDER)
    assert provider.inputs["appAuth"] == "[secret]" and "token" not in provider.inputs


def test_an_owner_without_an_installation_stops_the_program():
    with pytest.raises(pulumi.RunError, match="no GitHub App installation is known for owner 'lab'"):
        github_providers(tenants("https://github.com/lab/three.git", settings=APP_SETTINGS), APP, None, "pem")
