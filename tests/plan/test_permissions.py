"""The deploy identity's permissions cover every object the shipped stacks' plans register, on exactly
the stack's names: they are derived from the plan, and these tests read the plan back against them."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase

import boto3
import pytest
from moto import mock_aws

from tenancy.plan import permissions
from tenancy.plan.document import plan_document
from tests.support.cli_project import run_cli
from tests.support.program import PROJECT_DIR, run_program, stack_settings


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack(request):
    """(stack, its plan over the repository's tenants, its settings)."""
    tenants = PROJECT_DIR / "tenants"
    return request.param, plan_document(run_program(request.param, tenants)), stack_settings(request.param)


def _allowed(policy: dict, action: str, arn: str) -> bool:
    def matches(statement):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        return any(fnmatchcase(action, a) for a in actions) and any(fnmatchcase(arn, r) for r in statement["Resource"])

    statements = policy["Statement"]
    return any(s["Effect"] == "Allow" and matches(s) for s in statements) and not any(s["Effect"] == "Deny" and matches(s) for s in statements)


def test_every_type_the_shipped_plans_register_has_known_permissions(stack, token_plan):
    _, document, _ = stack
    assert permissions.unknown_types(document) == []
    assert permissions.unknown_types(plan_document(token_plan)) == []


def test_every_aws_object_of_the_plan_is_allowed_on_its_own_name(stack):
    _, document, settings = stack
    policy = permissions.iam_policy(document, settings)
    checked = 0
    for resource in document["resources"]:
        scope, actions = permissions.ACTIONS.get(resource["type"], ("", []))
        if scope == "bucket":
            arn = f"arn:aws:s3:::{resource['inputs']['bucket']}"
        elif scope == "user":
            user = resource["inputs"].get("user") or resource["inputs"]["name"]
            arn = f"arn:aws:iam::123456789012:user/argo-tenants/{user}"
        else:
            continue
        checked += 1
        assert [a for a in actions if not _allowed(policy, a, arn)] == [], (resource["urn"], arn)
    assert checked > 10


def test_the_platforms_buckets_and_other_names_are_refused(stack):
    _, document, settings = stack
    policy = permissions.iam_policy(document, settings)
    for bucket in settings.platform_buckets:
        assert not _allowed(policy, "s3:CreateBucket", f"arn:aws:s3:::{bucket}")
    assert not _allowed(policy, "iam:CreateUser", "arn:aws:iam::123456789012:user/admin")
    assert not _allowed(policy, "iam:CreateUser", "arn:aws:iam::123456789012:user/argo-tenants/argo-tenants-other-x")


def test_the_iam_policy_is_a_policy_aws_accepts(stack):
    _, document, settings = stack
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_policy(PolicyName="deploy", PolicyDocument=json.dumps(permissions.iam_policy(document, settings)))


def test_every_kubernetes_object_and_every_role_rule_of_the_plan_is_in_the_cluster_role(stack):
    _, document, _ = stack
    rules = permissions.cluster_role(document)["rules"]

    def covers(group: str, resource: str, verb: str, name: str | None = None) -> bool:
        return any(
            group in rule["apiGroups"] and resource in rule["resources"] and verb in rule["verbs"]
            and (name is None or "resourceNames" not in rule or name in rule["resourceNames"])
            for rule in rules
        )

    for resource in document["resources"]:
        found = permissions.kubernetes_resource(resource["type"])
        if found is None or not resource["custom"]:
            continue
        group, plural = found
        assert all(covers(group, plural, verb) for verb in ("create", "patch", "delete", "get")), resource["urn"]
        for rule in resource["inputs"].get("rules") or [] if resource["type"].endswith(":Role") else []:
            for g in rule.get("apiGroups") or [""]:
                for r in rule["resources"]:
                    for verb in rule["verbs"]:
                        for name in rule.get("resourceNames") or [None]:
                            assert covers(g, r, verb, name), (resource["urn"], rule)


def test_every_vault_object_of_the_plan_is_under_the_vault_policy(stack):
    _, document, settings = stack
    policy = permissions.vault_policy(document, settings)
    paths = {line.split('"')[1] for line in policy.splitlines() if line.startswith("path ")}

    def granted(path: str) -> bool:
        return any(fnmatchcase(path, pattern) for pattern in paths)

    for resource in document["resources"]:
        inputs = resource["inputs"]
        if resource["type"] == "vault:kv/secretV2:SecretV2":
            assert granted(f"{inputs['mount']}/data/{inputs['name']}"), resource["urn"]
        elif resource["type"] == "vault:index/policy:Policy":
            assert granted(f"sys/policies/acl/{inputs['name']}"), resource["urn"]
        elif resource["type"] == "vault:kubernetes/authBackendRole:AuthBackendRole":
            assert granted(f"auth/{inputs['backend']}/role/{inputs['roleName']}"), resource["urn"]
    assert not granted("sys/policies/acl/root") and not granted("kv/data/platform/argo-tenants/github")


def test_a_type_without_permissions_stops_the_command():
    document = {"resources": [{"type": "aws:ec2/instance:Instance", "custom": True}]}
    assert permissions.unknown_types(document) == ["aws:ec2/instance:Instance"]


def test_the_command_prints_all_three(capsys):
    code, out, _ = run_cli(capsys, "permissions", "--stack", "dev", "--project-dir", str(PROJECT_DIR), "--format", "json")
    found = json.loads(out)
    assert code == 0 and set(found) == {"iamPolicy", "clusterRole", "vaultPolicy", "other"}
    assert found["clusterRole"]["kind"] == "ClusterRole" and 'path "kv/data/argo/apps/*"' in found["vaultPolicy"]


# The API server's resource names of the kinds the program registers (`kubectl api-resources`).
PLURALS = {
    "Namespace": "namespaces", "ServiceAccount": "serviceaccounts", "Secret": "secrets", "ConfigMap": "configmaps",
    "Role": "roles", "RoleBinding": "rolebindings", "Ingress": "ingresses", "NetworkPolicy": "networkpolicies",
    "ResourceQuota": "resourcequotas", "LimitRange": "limitranges", "ExternalSecret": "externalsecrets",
    "SecretStore": "secretstores", "GithubAccessToken": "githubaccesstokens", "WorkflowTemplate": "workflowtemplates",
    "EventSource": "eventsources", "Sensor": "sensors", "Application": "applications", "AppProject": "appprojects",
    "ValidatingAdmissionPolicy": "validatingadmissionpolicies",
    "ValidatingAdmissionPolicyBinding": "validatingadmissionpolicybindings",
}


def test_every_kind_the_plans_register_gets_the_api_servers_resource_name(stack, token_plan):
    _, document, _ = stack
    kinds = {
        r["type"].rsplit(":", 1)[-1]
        for r in [*document["resources"], *plan_document(token_plan)["resources"]]
        if permissions.kubernetes_resource(r["type"]) and r["custom"]
    }
    assert kinds <= set(PLURALS), f"add the resource name of {sorted(kinds - set(PLURALS))} to PLURALS"
    assert {kind: permissions.plural(kind) for kind in kinds} == {kind: PLURALS[kind] for kind in kinds}
