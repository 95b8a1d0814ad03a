"""The tenant namespace's guardrails: Pod Security labels, ResourceQuota, LimitRange and NetworkPolicy."""

import pytest

from tenancy.manifests import guardrails, rbac
from tenancy.model.problems import SettingsError
from tests.support.program import make_settings, registration, tenant_of

TENANT = tenant_of(registration("alpha"))
MINIO = "http://minio.minio.svc.cluster.local:9000"


def test_every_guardrail_is_in_the_tenant_namespace():
    kinds = [(m["kind"], m["metadata"]["name"], m["metadata"]["namespace"]) for m in guardrails.namespace_guardrails(TENANT)]
    assert kinds == [
        ("ResourceQuota", "tenant-quota", "wf-acme-alpha"),
        ("LimitRange", "tenant-limits", "wf-acme-alpha"),
        ("NetworkPolicy", "tenant-default", "wf-acme-alpha"),
    ]


def test_pod_security_is_the_stack_level_or_restricted_when_the_registration_asks():
    assert TENANT.pod_security == "baseline"
    asked = tenant_of(registration("alpha", guardrails={"podSecurity": "restricted"}))
    assert rbac.namespace(asked)["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    strict = make_settings(guardrails={"podSecurity": "restricted", "containerLimits": {"max": {"cpu": "4", "memory": "16Gi"}}})
    assert tenant_of(registration("alpha", guardrails={"podSecurity": "baseline"}), strict).pod_security == "restricted"


def test_the_quota_caps_requests_limits_and_pods():
    assert guardrails.resource_quota(TENANT)["spec"] == {
        "hard": {"requests.cpu": "16", "limits.cpu": "16", "requests.memory": "64Gi", "limits.memory": "64Gi", "pods": "50"}
    }


def test_a_registration_lowers_its_quota():
    tenant = tenant_of(registration("alpha", guardrails={"quota": {"cpu": "4", "pods": 10}}))
    hard = guardrails.resource_quota(tenant)["spec"]["hard"]
    assert (hard["limits.cpu"], hard["limits.memory"], hard["pods"]) == ("4", "64Gi", "10")


def test_every_container_gets_defaults_and_a_ceiling():
    assert guardrails.limit_range(TENANT)["spec"] == {
        "limits": [
            {
                "type": "Container",
                "default": {"cpu": "500m", "memory": "1Gi"},
                "defaultRequest": {"cpu": "500m", "memory": "1Gi"},
                "max": {"cpu": "4", "memory": "16Gi"},
            }
        ]
    }


def test_no_ingress_and_egress_to_dns_and_https_only():
    spec = guardrails.network_policy(TENANT)["spec"]
    assert spec["podSelector"] == {} and spec["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in spec
    dns, rest = spec["egress"]
    assert dns == {"ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
    assert rest["ports"] == [{"protocol": "TCP", "port": 443}]
    assert rest["to"] == [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"namespaceSelector": {}}]


def test_the_s3_endpoints_port_is_open():
    tenant = tenant_of(registration("alpha", artifactBucket=None), make_settings(s3Endpoint=MINIO, storage="minio"))
    assert guardrails.egress_ports(tenant) == [443, 9000]


def test_the_stack_chooses_ports_and_ranges():
    settings = make_settings(guardrails={"network": {"egressPorts": [443, 6443], "egressCidrs": ["10.0.0.0/8"]}})
    rest = guardrails.network_policy(tenant_of(registration("alpha"), settings))["spec"]["egress"][1]
    assert [p["port"] for p in rest["ports"]] == [443, 6443]
    assert rest["to"][0] == {"ipBlock": {"cidr": "10.0.0.0/8"}}


@pytest.mark.parametrize(
    "guardrail_settings, message",
    [
        ({"network": {"egressCidrs": ["10.0.0.1/8"]}}, "no host bits"),
        ({"network": {"egressCidrs": []}}, "lists no range"),
        ({"network": {"egressPorts": [70000]}}, "65535"),
        ({"podSecurity": "privileged"}, "'baseline' or 'restricted'"),
        ({"quota": {"cpu": "2", "memory": "64Gi", "pods": 5}}, "containerLimits.max cpu exceed the quota"),
        ({"containerLimits": {"default": {"cpu": "8", "memory": "1Gi"}, "max": {"cpu": "4", "memory": "16Gi"}}}, "default cpu exceed"),
        ({"quota": {"cpu": "many", "memory": "64Gi", "pods": 5}}, "not a CPU quantity"),
    ],
)
def test_guardrail_settings_that_cannot_work_are_refused(guardrail_settings, message):
    with pytest.raises(SettingsError, match=message):
        make_settings(guardrails=guardrail_settings)


def test_a_runner_larger_than_a_container_may_be_is_refused():
    with pytest.raises(SettingsError, match="runner.maxResources memory exceed guardrails.containerLimits.max"):
        make_settings(runner={"maxResources": {"cpu": "4", "memory": "32Gi"}})
