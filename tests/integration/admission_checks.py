"""A ValidatingAdmissionPolicy and its binding, evaluated the way the API server does for one request.

After kubernetes staging/src/k8s.io/apiserver/pkg/admission/plugin/policy/validating: a request is
validated when a binding of the policy selects its namespace (`matchResources.namespaceSelector`),
the policy's `matchConstraints.resourceRules` list its group, resource and operation, and every
`matchConditions` expression is true; then the `variables` are evaluated in order (each may use the
ones before, as `variables.<name>`), and every `validations` expression must be true, else the
request is denied with that validation's message. `object` is the object written (null on DELETE),
`oldObject` the stored one (null on CREATE), `request` the admission request. Objects are
evaluated as the dynamic values the API server hands CEL for schemaless custom resources.

The expressions run in cel-python (PyPI `cel-python`, module `celpy`), an implementation of Google's
Common Expression Language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import celpy
from celpy import celtypes, json_to_cel


@dataclass(frozen=True)
class Request:
    operation: str
    resource: str
    namespace: str
    username: str
    object: dict | None
    old_object: dict | None = None
    group: str = "argoproj.io"


def _truthy(value: Any) -> bool:
    return isinstance(value, celtypes.BoolType) and bool(value)


class Admission:
    def __init__(self, policy: dict, binding: dict):
        self.policy, self.binding = policy, binding
        self.env = celpy.Environment()

    def _run(self, expression: str, activation: dict) -> Any:
        return self.env.program(self.env.compile(expression)).evaluate(activation)

    def _selected(self, request: Request, namespace_labels: dict[str, str]) -> bool:
        selector = self.binding["spec"].get("matchResources", {}).get("namespaceSelector", {}).get("matchLabels", {})
        if not selector.items() <= namespace_labels.items():
            return False
        for rule in self.policy["spec"]["matchConstraints"]["resourceRules"]:
            if request.group in rule["apiGroups"] and request.resource in rule["resources"] and request.operation in rule["operations"]:
                return True
        return False

    def denials(self, request: Request, namespace_labels: dict[str, str]) -> list[str]:
        """The messages the request is denied with; [] when admitted (or not subject to the policy)."""
        if not self._selected(request, namespace_labels):
            return []
        activation: dict[str, Any] = {
            "object": json_to_cel(request.object) if request.object is not None else None,
            "oldObject": json_to_cel(request.old_object) if request.old_object is not None else None,
            "request": json_to_cel(
                {"operation": request.operation, "namespace": request.namespace, "userInfo": {"username": request.username}}
            ),
        }
        for condition in self.policy["spec"].get("matchConditions", []):
            if not _truthy(self._run(condition["expression"], activation)):
                return []
        variables: dict[Any, Any] = {}
        for variable in self.policy["spec"].get("variables", []):
            activation["variables"] = celtypes.MapType(variables)
            variables[celtypes.StringType(variable["name"])] = self._run(variable["expression"], activation)
        activation["variables"] = celtypes.MapType(variables)
        return [
            validation["message"]
            for validation in self.policy["spec"]["validations"]
            if not _truthy(self._run(validation["expression"], activation))
        ]
