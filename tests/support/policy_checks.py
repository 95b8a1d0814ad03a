"""Small evaluators of the policy languages, so tests can ask "is this allowed?" instead of comparing text.

They cover what our policies use (Allow statements, `*` wildcards, StringLike conditions; exact Vault
paths with `*` and `+`); anything else makes them fail loudly rather than answer wrongly.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase


def iam_allows(policy: dict, action: str, resource: str, context: dict[str, str] | None = None) -> bool:
    context = context or {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow", "evaluator knows Allow statements only"
        if not any(fnmatchcase(action, pattern) for pattern in statement["Action"]):
            continue
        if not any(fnmatchcase(resource, pattern) for pattern in statement["Resource"]):
            continue
        if _conditions_hold(statement.get("Condition", {}), context):
            return True
    return False


def _conditions_hold(conditions: dict, context: dict[str, str]) -> bool:
    for operator, values in conditions.items():
        assert operator == "StringLike", f"evaluator does not know {operator}"
        for key, patterns in values.items():
            value = context.get(key)
            if value is None or not any(fnmatchcase(value, pattern) for pattern in patterns):
                return False
    return True


_VAULT_STANZA = re.compile(r'path "(?P<path>[^"]+)" \{\s*capabilities = \[(?P<caps>[^\]]*)\]\s*\}')


def vault_rules(hcl: str) -> dict[str, set[str]]:
    rules = {m["path"]: {c.strip().strip('"') for c in m["caps"].split(",") if c.strip()} for m in _VAULT_STANZA.finditer(hcl)}
    assert hcl.count("path ") == len(rules), "every path stanza must parse"
    return rules


def vault_allows(hcl: str, path: str, capability: str) -> bool:
    for pattern, capabilities in vault_rules(hcl).items():
        regex = "^" + re.escape(pattern).replace(r"\+", "[^/]+").replace(r"\*", ".*") + "$"
        if re.match(regex, path) and capability in capabilities:
            return True
    return False


def rbac_allows(pairs, subject: dict, verb: str, group: str, resource: str, namespace: str, name: str | None = None) -> bool:
    """Whether any (Role, RoleBinding) of `pairs` lets `subject` ({kind, name, namespace}) do `verb` on
    `resource` (named `name`) of `group` in `namespace`. Roles only (no ClusterRoles): that is all this program grants."""
    for role, binding in pairs:
        assert role["kind"] == "Role" and binding["roleRef"]["kind"] == "Role", "evaluator knows Roles only"
        if binding["metadata"]["namespace"] != namespace or role["metadata"]["namespace"] != namespace:
            continue
        if binding["roleRef"]["name"] != role["metadata"]["name"]:
            continue
        if not any(_same_subject(s, subject, namespace) for s in binding["subjects"]):
            continue
        for rule in role["rules"]:
            if not _matches(rule["apiGroups"], group) or not _matches(rule["resources"], resource) or not _matches(rule["verbs"], verb):
                continue
            names = rule.get("resourceNames")
            if names and name not in names:
                continue
            return True
    return False


def _matches(allowed: list[str], value: str) -> bool:
    return value in allowed or "*" in allowed


def _same_subject(granted: dict, subject: dict, namespace: str) -> bool:
    if granted["kind"] != subject["kind"] or granted["name"] != subject["name"]:
        return False
    return granted["kind"] != "ServiceAccount" or granted.get("namespace", namespace) == subject["namespace"]
