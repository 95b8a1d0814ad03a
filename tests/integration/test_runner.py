"""The runner and the guardrails as the plan registers them, for every registration of tests/integration/tenants.

Every tenant namespace gets the four guardrails; the runner fits in them; its work dir, params file and
profile are what the tenant file asks; with the k8s executor the runner may start pods in its own
namespace only and the task pods' account has no rights.
"""

from __future__ import annotations

import pytest
import yaml

from tenancy.model.quantity import cpu_millicores, memory_bytes
from tests.integration.plan import TENANTS_DIR
from tests.support.policy_checks import rbac_allows

pytestmark = pytest.mark.integration

GUARDRAILS = {"ResourceQuota": "tenant-quota", "LimitRange": "tenant-limits", "NetworkPolicy": "tenant-default"}


def tenant_spec(tenant: str) -> dict:
    return yaml.safe_load((TENANTS_DIR / f"{tenant}.yaml").read_text())["spec"]


def run_step(plan, namespace: str) -> dict:
    [template] = plan.manifests("WorkflowTemplate", namespace)
    [step] = [t for t in template["spec"]["templates"] if t["name"] == template["spec"]["entrypoint"]]
    return step


def option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def guardrail_problems(plan) -> list[str]:
    """Each tenant namespace: Pod Security enforced at baseline or stricter, one of each guardrail, and a
    runner whose requests and limits fit in the quota and under the per-container maximum."""
    problems = []
    for namespace in plan.manifests("Namespace"):
        name = namespace["metadata"]["name"]
        level = namespace["metadata"]["labels"].get("pod-security.kubernetes.io/enforce")
        if level not in ("baseline", "restricted"):
            problems.append(f"{name}: Pod Security enforce {level!r}")
        found = {kind: [m["metadata"]["name"] for m in plan.manifests(kind, name)] for kind in GUARDRAILS}
        for kind, expected in GUARDRAILS.items():
            if found[kind] != [expected]:
                problems.append(f"{name}: {kind} {found[kind]}")
        if any(found[kind] != [expected] for kind, expected in GUARDRAILS.items()):
            continue
        policy = plan.manifest("NetworkPolicy", name, "tenant-default")["spec"]
        if policy["podSelector"] != {} or "Ingress" not in policy["policyTypes"] or policy.get("ingress"):
            problems.append(f"{name}: the NetworkPolicy lets something in")
        hard = plan.manifest("ResourceQuota", name, "tenant-quota")["spec"]["hard"]
        [limits] = plan.manifest("LimitRange", name, "tenant-limits")["spec"]["limits"]
        resources = run_step(plan, name)["container"]["resources"]
        if resources["requests"] != resources["limits"]:
            problems.append(f"{name}: runner requests differ from limits")
        for resource, measure in (("cpu", cpu_millicores), ("memory", memory_bytes)):
            asked = measure(resources["limits"][resource])
            if asked > measure(hard[f"limits.{resource}"]) or asked > measure(limits["max"][resource]):
                problems.append(f"{name}: the runner's {resource} does not fit")
    return problems


def test_every_tenant_namespace_has_the_four_guardrails_and_the_runner_fits(plan):
    assert len(list(plan.manifests("Namespace"))) == len(plan.tenants)
    assert guardrail_problems(plan) == []


def test_a_namespace_without_a_guardrail_or_a_runner_too_large_is_caught(broken):
    broken.document["resources"] = [
        r for r in broken.resources
        if not (r["inputs"].get("kind") == "NetworkPolicy" and r["inputs"]["metadata"]["namespace"] == "wf-acme-beta")
    ]
    broken.object("Namespace", None, "wf-gammalab-gamma")["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "privileged"
    run_step(broken, "wf-acme-alpha-pipeline")["container"]["resources"]["limits"]["memory"] = "17Gi"
    assert sorted(guardrail_problems(broken)) == [
        "wf-acme-alpha-pipeline: runner requests differ from limits",
        "wf-acme-alpha-pipeline: the runner's memory does not fit",
        "wf-acme-beta: NetworkPolicy []",
        "wf-gammalab-gamma: Pod Security enforce 'privileged'",
    ]


def test_the_runner_is_what_each_tenant_file_asks(plan):
    for tenant in plan.tenants:
        summary = plan.tenant_summary(tenant)
        nextflow = tenant_spec(tenant).get("nextflow", {})
        step = run_step(plan, summary["namespace"])
        args = step["container"]["args"]
        owner, repo = summary["repository"].split("/")
        params = nextflow.get("paramsFile")
        assert option(args, "-params-file") == (f"/argo-tenants/assets/{owner}/{repo}/{params}" if params else None), tenant
        assert option(args, "-profile") == nextflow.get("profile"), tenant
        if nextflow.get("executor") == "k8s":
            assert option(args, "-w") == f"{summary['artifacts']}work/{{{{workflow.name}}}}", tenant
        else:
            assert option(args, "-w") == "/argo-tenants/work", tenant
        if "resources" in nextflow:
            assert step["container"]["resources"]["limits"] == nextflow["resources"], tenant


def test_with_the_k8s_executor_the_runner_starts_pods_in_its_namespace_only(plan):
    pairs = [
        (role, plan.manifest("RoleBinding", role["metadata"]["namespace"], role["metadata"]["name"]))
        for role in plan.manifests("Role")
        if role["metadata"]["namespace"].startswith("wf-")
    ]
    executors = {summary["namespace"] for t in plan.tenants if tenant_spec(t).get("nextflow", {}).get("executor") == "k8s" for summary in [plan.tenant_summary(t)]}
    assert executors == {"wf-other-org-beta-two"}
    for tenant in plan.tenants:
        namespace = plan.tenant_summary(tenant)["namespace"]
        runner = {"kind": "ServiceAccount", "name": "wf-runner", "namespace": namespace}
        task = {"kind": "ServiceAccount", "name": "nextflow-task", "namespace": namespace}
        for other in plan.tenants:
            elsewhere = plan.tenant_summary(other)["namespace"]
            may = namespace == elsewhere and namespace in executors
            assert rbac_allows(pairs, runner, "create", "", "pods", elsewhere) is may, (namespace, elsewhere)
            assert not rbac_allows(pairs, task, "get", "", "pods", elsewhere), (namespace, elsewhere)


# Pod Security Standards, baseline (kubernetes.io/docs/concepts/security/pod-security-standards): the
# fields of a pod spec this program writes that baseline restricts.
BASELINE_CAPABILITIES = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}


def baseline_problems(plan) -> list[str]:
    """Every pod a WorkflowTemplate starts (its templates' containers, scripts and volumes), against the
    baseline level every tenant namespace enforces: no host namespaces, no hostPath, not privileged, no
    capability beyond baseline's list."""
    problems = []
    for template in plan.manifests("WorkflowTemplate"):
        namespace = template["metadata"]["namespace"]
        spec = template["spec"]
        # A podSpecPatch could set anything below; this program writes none.
        for field in ("hostNetwork", "hostPID", "hostIPC", "podSpecPatch"):
            if spec.get(field):
                problems.append(f"{namespace}: {field}")
        for step in spec["templates"]:
            for volume in step.get("volumes", []):
                if "hostPath" in volume:
                    problems.append(f"{namespace} {step['name']}: hostPath volume {volume['name']}")
            for kind in ("container", "script"):
                context = (step.get(kind) or {}).get("securityContext") or {}
                if context.get("privileged"):
                    problems.append(f"{namespace} {step['name']}: privileged")
                added = set((context.get("capabilities") or {}).get("add", [])) - BASELINE_CAPABILITIES
                if added:
                    problems.append(f"{namespace} {step['name']}: adds {sorted(added)}")
    return problems


def test_every_workflow_pod_is_admitted_at_baseline(plan):
    assert baseline_problems(plan) == []


def test_a_privileged_or_host_path_runner_is_caught(broken):
    [template] = broken.manifests("WorkflowTemplate", "wf-acme-beta")
    step = template["spec"]["templates"][0]
    step["container"]["securityContext"] = {"privileged": True, "capabilities": {"add": ["SYS_ADMIN"]}}
    step["volumes"].append({"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}})
    assert baseline_problems(broken) == [
        "wf-acme-beta run: hostPath volume docker",
        "wf-acme-beta run: privileged",
        "wf-acme-beta run: adds ['SYS_ADMIN']",
    ]
