"""TenantDefinitions and DefinitionsPlatform, each built alone with its arguments in plain sight, and as the
program wires them for a registration with spec.definitions."""

import pulumi
import pytest

from components.definitions_platform import DefinitionsPlatform, DefinitionsPlatformArgs
from components.tenant_definitions import TenantDefinitions, TenantDefinitionsArgs
from tenancy.manifests import argo_cd
from tests.support.one_component import StandIn, build_alone, child_types, children, stand_in_urn, waiting_for
from tests.support.program import GITHUB_APP, make_settings, registration, tenant_of

SETTINGS = make_settings(githubApp=GITHUB_APP)
TENANT = tenant_of(registration("lab", definitions={"path": "argo"}), SETTINGS)


@pytest.fixture(scope="module")
def alone():
    def program():
        namespace = StandIn("namespace", TENANT.namespace)
        TenantDefinitions(
            "lab-definitions",
            TenantDefinitionsArgs(
                app_project=argo_cd.app_project(TENANT),
                application=argo_cd.application(TENANT, namespace.value),
                waiter_role=argo_cd.sync_waiter_role(TENANT),
                waiter_binding=argo_cd.sync_waiter_binding(TENANT),
            ),
        )
        DefinitionsPlatform(
            "definitions",
            DefinitionsPlatformArgs(
                credentials=[argo_cd.repo_creds(SETTINGS, "acme", 1111, pulumi.Output.secret("PEM"))],
                policy=argo_cd.admission_policy(SETTINGS),
                binding=argo_cd.admission_binding(SETTINGS),
            ),
        )

    return build_alone(program)


def test_alone_the_project_the_application_and_the_waiters_access(alone):
    assert child_types(alone, "TenantDefinitions", "lab-definitions") == {
        "lab-definitions-project": "kubernetes:argoproj.io/v1alpha1:AppProject",
        "lab-definitions-application": "kubernetes:argoproj.io/v1alpha1:Application",
        "lab-definitions-waiter-role": "kubernetes:rbac.authorization.k8s.io/v1:Role",
        "lab-definitions-waiter-rolebinding": "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    }


def test_alone_the_application_waits_for_its_project_and_its_namespace(alone):
    found = children(alone, "TenantDefinitions", "lab-definitions")
    application = found["lab-definitions-application"]
    assert found["lab-definitions-project"].urn in application.depends_on
    assert waiting_for(alone, stand_in_urn(alone, "namespace")) == {"lab-definitions-application"}
    assert application.inputs["spec"]["destination"]["namespace"] == TENANT.namespace


def test_alone_the_platform_objects_and_the_key_stays_secret(alone):
    found = children(alone, "DefinitionsPlatform", "definitions")
    assert {name: r.type for name, r in found.items()} == {
        "definitions-argo-tenants-repo-creds-acme": "kubernetes:core/v1:Secret",
        "definitions-policy": "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
        "definitions-binding": "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
    }
    assert found["definitions-argo-tenants-repo-creds-acme"].inputs["stringData"] == "[secret]"
    assert found["definitions-policy"].urn in found["definitions-binding"].depends_on


def test_the_program_gives_definitions_only_to_registrations_that_ask(dev_plan):
    applications = [r for r in dev_plan.resources if r.type == "kubernetes:argoproj.io/v1alpha1:Application"]
    assert applications == []
