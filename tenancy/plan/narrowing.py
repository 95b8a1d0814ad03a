"""What a change takes away from a registration that stays: grants its storage policy (IAM or MinIO), its
Vault policy or its Roles gave at the base and no longer give, and WorkflowTemplate parameters its users
call that are gone.

An upgrade of this program can do that to every registration at once without a line of a tenant file
changing: keyPrefix defaulting to `workflows/` took the bucket root (earlier runs' logs and artifacts)
from every artifact bucket without one, and the push parameters were renamed (`revision` became
`git_revision`). `plan --base` compares both sides here; a narrowing blocks like an offboarding
(exit 3 unless accepted), and docs/operations.md says how to migrate.

A grant is lost when no grant at head covers it (Allow statements only; `*` and `?` as IAM, Vault and
RBAC read them, approximated by shell-style matching; a condition at head that the base did not have
narrows too). Both sides are plan documents (tenancy.plan.document), compared per tenant.
"""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from typing import Any, Iterable

STORAGE_POLICIES = frozenset(
    {"aws:iam/userPolicy:UserPolicy", "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "minio:index/iamPolicy:IamPolicy"}
)
VAULT_POLICY = "vault:index/policy:Policy"
ROLES = frozenset({"kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"})
WORKFLOW_TEMPLATE = "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate"

_VAULT_PATH = re.compile(r'path\s+"([^"]+)"\s*\{([^}]*)\}', re.ASCII)
_CAPABILITIES = re.compile(r"capabilities\s*=\s*\[([^\]]*)\]", re.ASCII)


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value] if isinstance(value, list) else []


def _policy(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def storage_grants(policy: Any) -> set[tuple[str, str, str]]:
    """(action, resource, conditions as JSON) of every Allow statement of an IAM (or MinIO) policy document."""
    document = _policy(policy)
    if document is None:
        return set()
    statements = document.get("Statement")
    statements = [statements] if isinstance(statements, dict) else statements if isinstance(statements, list) else []
    grants = set()
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        condition = json.dumps(statement.get("Condition") or {}, sort_keys=True)
        for action in _listed(statement.get("Action")):
            for resource in _listed(statement.get("Resource")):
                grants.add((action, resource, condition))
    return grants


def _condition_covers(wide: str, narrow: str) -> bool:
    """A condition at head covers the base's when it asks nothing the base did not: every key it
    tests, the base tested too, with values that its own values all match."""
    head, base = json.loads(wide), json.loads(narrow)
    for operator, tests in head.items():
        for key, values in (tests or {}).items():
            base_values = ((base.get(operator) or {}).get(key)) if isinstance(base.get(operator), dict) else None
            if base_values is None:
                return False
            if not all(any(fnmatchcase(b, h) for h in _listed(values)) for b in _listed(base_values)):
                return False
    return True


def _storage_covered(grant: tuple[str, str, str], head: set[tuple[str, str, str]]) -> bool:
    action, resource, condition = grant
    return any(
        fnmatchcase(action.lower(), a.lower()) and fnmatchcase(resource, r) and _condition_covers(c, condition)
        for a, r, c in head
    )


def vault_grants(policy: Any) -> set[tuple[str, str]]:
    """(path, capability) of every path block of a Vault policy (HCL)."""
    if not isinstance(policy, str):
        return set()
    grants = set()
    for path, body in _VAULT_PATH.findall(policy):
        listed = _CAPABILITIES.search(body)
        capabilities = re.findall(r'"([^"]+)"', listed.group(1)) if listed else []
        grants.update((path, capability) for capability in capabilities if capability != "deny")
    return grants


def _vault_glob(path: str) -> str:
    # Vault: a trailing `*` is a prefix, `+` one path segment; shell matching is close enough to compare.
    return path.replace("+", "*")


def _vault_covered(grant: tuple[str, str], head: set[tuple[str, str]]) -> bool:
    path, capability = grant
    return any(capability == c and fnmatchcase(path, _vault_glob(p)) for p, c in head)


def rbac_grants(rules: Any) -> set[tuple[str, str, str, str]]:
    """(apiGroup, resource, resourceName or '*', verb) of every rule of a Role."""
    grants = set()
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, dict):
            continue
        names = _listed(rule.get("resourceNames")) or ["*"]
        for group in _listed(rule.get("apiGroups")) or [""]:
            for resource in _listed(rule.get("resources")):
                for name in names:
                    grants.update((group, resource, name, verb) for verb in _listed(rule.get("verbs")))
    return grants


def _rbac_covered(grant: tuple[str, str, str, str], head: set[tuple[str, str, str, str]]) -> bool:
    return any(all(h == "*" or h == g for g, h in zip(grant, candidate)) for candidate in head)


def template_parameters(resource: dict[str, Any]) -> list[str]:
    spec = resource["inputs"].get("spec")
    arguments = spec.get("arguments") if isinstance(spec, dict) else None
    parameters = arguments.get("parameters") if isinstance(arguments, dict) else None
    return [str(p["name"]) for p in parameters or [] if isinstance(p, dict) and "name" in p]


def _object_name(resource: dict[str, Any]) -> str:
    metadata = resource["inputs"].get("metadata")
    if isinstance(metadata, dict) and metadata.get("name"):
        return f"{metadata['namespace']}/{metadata['name']}" if metadata.get("namespace") else str(metadata["name"])
    return resource["name"]


def _own_name(resource: dict[str, Any]) -> str:
    """A tenant's Role or template by its name alone: a namespace renamed moves them, and takes nothing."""
    metadata = resource["inputs"].get("metadata")
    return str(metadata["name"]) if isinstance(metadata, dict) and metadata.get("name") else resource["name"]


def _of_tenants(document: dict[str, Any], types: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    wanted = frozenset(types)
    found: dict[str, list[dict[str, Any]]] = {}
    for resource in document["resources"]:
        if resource["type"] in wanted and resource.get("tenant") is not None:
            found.setdefault(resource["tenant"], []).append(resource)
    return found


def _lost(before: set, after: set, covered) -> list:
    return sorted(grant for grant in before if not covered(grant, after))


def narrowings(base: dict[str, Any], head: dict[str, Any]) -> list[dict[str, Any]]:
    """Every narrowing of a registration planned on both sides: `{"tenant", "kind", "object", "lost", "now"}`,
    `kind` one of storage, vault, rbac, parameters; `lost` what the base gave (or called) that head does not,
    `now` (parameters) what head's template takes instead."""
    staying = sorted(set(base["tenants"]) & set(head["tenants"]))
    found: list[dict[str, Any]] = []
    kinds = (
        ("storage", STORAGE_POLICIES, lambda r: storage_grants(r["inputs"].get("policy")), _storage_covered, _storage_words),
        ("vault", {VAULT_POLICY}, lambda r: vault_grants(r["inputs"].get("policy")), _vault_covered, _vault_words),
    )
    for kind, types, grants_of, covered, words in kinds:
        before, after = _of_tenants(base, types), _of_tenants(head, types)
        for tenant in staying:
            old = set().union(*(grants_of(r) for r in before.get(tenant, [])))
            new = set().union(*(grants_of(r) for r in after.get(tenant, [])))
            lost = _lost(old, new, covered)
            if lost:
                objects = sorted({_object_name(r) for r in before.get(tenant, [])})
                found.append({"tenant": tenant, "kind": kind, "object": ", ".join(objects), "lost": [words(g) for g in lost]})
    roles_before, roles_after = _of_tenants(base, ROLES), _of_tenants(head, ROLES)
    templates_before, templates_after = _of_tenants(base, {WORKFLOW_TEMPLATE}), _of_tenants(head, {WORKFLOW_TEMPLATE})
    for tenant in staying:
        after = {_own_name(r): rbac_grants(r["inputs"].get("rules")) for r in roles_after.get(tenant, [])}
        for role in roles_before.get(tenant, []):
            lost = _lost(rbac_grants(role["inputs"].get("rules")), after.get(_own_name(role), set()), _rbac_covered)
            if lost:
                found.append({"tenant": tenant, "kind": "rbac", "object": _object_name(role), "lost": [_rbac_words(g) for g in lost]})
        now = {_own_name(r): template_parameters(r) for r in templates_after.get(tenant, [])}
        for template in templates_before.get(tenant, []):
            name = _own_name(template)
            if name not in now:
                continue  # deleted or renamed: the diff lists it, and the Sensor submits the new one
            gone = [p for p in template_parameters(template) if p not in now[name]]
            if gone:
                found.append({"tenant": tenant, "kind": "parameters", "object": _object_name(template), "lost": gone, "now": now[name]})
    return found


def _storage_words(grant: tuple[str, str, str]) -> str:
    action, resource, condition = grant
    return f"{action} on {resource}" + ("" if condition == "{}" else f" if {condition}")


def _vault_words(grant: tuple[str, str]) -> str:
    return f"{grant[1]} on {grant[0]}"


def _rbac_words(grant: tuple[str, str, str, str]) -> str:
    group, resource, name, verb = grant
    kind = f"{group}/{resource}" if group else resource
    return f"{verb} {kind}" + ("" if name == "*" else f" {name}")


KIND_WORDS = {
    "storage": "storage credentials no longer reach",
    "vault": "Vault policy no longer grants",
    "rbac": "Role no longer grants",
    "parameters": "WorkflowTemplate no longer takes the parameters",
}


def narrowing_line(entry: dict[str, Any], limit: int = 4) -> str:
    """`tenant alpha: storage credentials no longer reach s3:GetObject on arn:...; ...` in one line."""
    lost = entry["lost"]
    shown = "; ".join(lost[:limit]) + (f"; and {len(lost) - limit} more" if len(lost) > limit else "")
    line = f"tenant {entry['tenant']}: {entry['object']}: {KIND_WORDS[entry['kind']]} {shown}"
    if entry["kind"] == "parameters":
        line += f" (now: {', '.join(entry.get('now') or []) or 'none'}): whoever submits it by name must rename them"
    return line
