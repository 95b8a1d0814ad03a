import pulumi
import pytest
import yaml

from components.tenant_workflows import TenantWorkflows, TenantWorkflowsArgs
from tests.support.one_component import StandIn, build_alone, child_types, children, stand_in_urn, waiting_for
from tests.support.program import children_of, component


def parts(plan, tenant):
    return {r.inputs["kind"]: r for r in children_of(plan, component(plan, "TenantWorkflows", f"{tenant}-workflows").urn)}


def test_configmap_carries_the_default_repository(dev_plan):
    cm = parts(dev_plan, "beta")["ConfigMap"]
    assert cm.inputs["metadata"]["name"] == "artifact-repositories"
    repo = yaml.safe_load(cm.inputs["data"]["default-v1"])
    assert repo["s3"]["bucket"] == "calypr-dev-argo-artifacts"
    assert repo["s3"]["keyFormat"] == "beta/{{workflow.name}}/{{pod.name}}"


def test_workflow_template_is_registered_as_a_full_manifest(dev_plan):
    wt = parts(dev_plan, "alpha")["WorkflowTemplate"]
    assert wt.type == "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate"
    assert wt.inputs["apiVersion"] == "argoproj.io/v1alpha1"
    assert wt.inputs["metadata"]["name"] == "nextflow-repo-runner"
    assert wt.inputs["spec"]["entrypoint"] == "run"


def test_custom_template_name(prod_plan):
    assert parts(prod_plan, "delta")["WorkflowTemplate"].inputs["metadata"]["name"] == "delta-runner"


# Built alone, its arguments written out.

CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "artifact-repositories"}, "data": {"default-v1": "s3: {}"}}
TEMPLATE = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "WorkflowTemplate",
    "metadata": {"name": "lab-runner"},
    "spec": {"entrypoint": "run", "templates": [{"name": "run", "container": {"image": "busybox"}}]},
}


@pytest.fixture(scope="module")
def alone():
    def program():
        namespace = StandIn("namespace", "wf-lab-repo")
        workflows = TenantWorkflows(
            "lab-workflows",
            TenantWorkflowsArgs(artifact_repositories=CONFIGMAP, workflow_template=TEMPLATE, namespace=namespace.value),
        )
        pulumi.export("templateName", workflows.template_name)

    return build_alone(program)


def test_alone_the_configmap_and_the_template(alone):
    assert child_types(alone, "TenantWorkflows", "lab-workflows") == {
        "lab-workflows-artifact-repositories": "kubernetes:core/v1:ConfigMap",
        "lab-workflows-template": "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate",
    }


def test_alone_the_manifests_are_registered_as_given(alone):
    found = children(alone, "TenantWorkflows", "lab-workflows")
    assert found["lab-workflows-artifact-repositories"].inputs["data"] == CONFIGMAP["data"]
    assert found["lab-workflows-template"].inputs["spec"] == TEMPLATE["spec"]


def test_alone_both_wait_for_the_namespace(alone):
    found = children(alone, "TenantWorkflows", "lab-workflows")
    assert waiting_for(alone, stand_in_urn(alone, "namespace")) == set(found)
    assert {part.inputs["metadata"]["namespace"] for part in found.values()} == {"wf-lab-repo"}


def test_alone_the_template_name_is_an_output(alone):
    assert alone.outputs["templateName"] == "lab-runner"
