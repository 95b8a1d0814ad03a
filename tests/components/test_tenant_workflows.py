import yaml

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
