"""A GitHub delivery through the plan's EventSource and Sensor, the way Argo Events processes it.

EventSource (pkg/eventsources/sources/github/start.go): the entry whose webhook endpoint the request
path hits checks the body's HMAC (go-github ValidatePayload: X-Hub-Signature-256 over the raw body
with the entry's webhook secret), copies the X-GitHub-Event and X-GitHub-Delivery headers into the
body, and emits `{"headers": <request headers>, "body": <body>}` (GithubEventData) as event data.

Sensor (pkg/sensors/dependencies/filter.go, pkg/sensors/triggers/params.go): a dependency matches an
event of its EventSource entry when every data filter holds (gjson path; `string` values are Go
regular expressions matched anywhere in the value, any of them may match, `bool` values compare with
the parsed bool, a missing path fails the filter); a trigger whose `conditions` names that dependency
submits its Workflow with each parameter's value written at `dest` (sjson path): a `dataTemplate`
(Go text/template with sprig's functions over `{"Input": <event data>}`; an empty result falls back to
`dataKey`) or a `dataKey` (gjson). Of Go templates this evaluates what the plan uses: `.Input.<path>`
piped through sprig's `trimPrefix "<literal>"`; anything else is NotImplementedError.

The paths are resolved with gjson-py (PyPI `gjson`), a Python implementation of the GJSON syntax.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gjson

from tests.integration.plan import Plan

PAYLOADS = Path(__file__).resolve().parent / "payloads"


@dataclass(frozen=True)
class Delivery:
    """One HTTP request GitHub makes: headers and the exact body bytes it signs."""

    url: str
    headers: dict[str, str]
    body: bytes


def load_payload(name: str) -> tuple[dict[str, str], dict]:
    recorded = json.loads((PAYLOADS / f"{name}.json").read_text())
    return recorded["headers"], recorded["body"]


def for_repository(body: dict, owner: str, repo: str, recorded: str = "acme/alpha-pipeline") -> dict:
    """The same delivery, as the repository `owner/repo` would send it."""
    text = json.dumps(body).replace(recorded, f"{owner}/{repo}")
    moved = json.loads(text)
    moved["repository"]["name"] = repo
    moved["repository"]["owner"]["login"] = moved["repository"]["owner"]["name"] = owner
    return moved


def sign(secret: str, headers: dict[str, str], body: dict, url: str) -> Delivery:
    raw = json.dumps(body, indent=2).encode()
    signed = dict(headers)
    signed["X-Hub-Signature"] = "sha1=" + hmac.new(secret.encode(), raw, hashlib.sha1).hexdigest()
    signed["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return Delivery(url, signed, raw)


@dataclass(frozen=True)
class Event:
    source: str
    name: str
    data: dict


class Rejected(Exception):
    """The EventSource answers with an error and emits nothing."""


def receive(plan: Plan, delivery: Delivery, secret_of: Any) -> Event:
    """The EventSource entry serving the delivery's path; `secret_of(namespace, name, key)` is what
    its webhook Secret holds."""
    path = urlsplit(delivery.url).path
    for source in plan.manifests("EventSource"):
        namespace = source["metadata"]["namespace"]
        for entry, github in source["spec"].get("github", {}).items():
            if github["webhook"]["endpoint"] != path:
                continue
            ref = github.get("webhookSecret")
            if ref is not None:
                secret = secret_of(namespace, ref["name"], ref["key"]).encode()
                given = delivery.headers.get("X-Hub-Signature-256", "")
                expected = "sha256=" + hmac.new(secret, delivery.body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(given, expected):
                    raise Rejected(f"{entry}: payload signature check failed")
            body = json.loads(delivery.body)
            for header in ("X-GitHub-Event", "X-GitHub-Delivery"):
                body[header] = delivery.headers.get(header, "")
            headers = {key: [value] for key, value in delivery.headers.items()}
            return Event(source["metadata"]["name"], entry, {"headers": headers, "body": body})
    raise Rejected(f"no EventSource endpoint serves {path}")


_MISSING = object()


def _gjson(data: dict, path: str) -> Any:
    try:
        return gjson.get(data, path)
    except gjson.GJSONError:
        return _MISSING


def _filter_holds(data: dict, data_filter: dict) -> bool:
    value = _gjson(data, data_filter["path"])
    if value is _MISSING:
        return False
    kind = data_filter["type"]
    if kind == "bool":
        return any((value is True) == (v.lower() in ("1", "t", "true")) for v in data_filter["value"])
    if kind == "string":
        text = value if isinstance(value, str) else json.dumps(value)
        matched = any(re.search(pattern, text) for pattern in data_filter["value"])
        return matched if data_filter.get("comparator", "=") in ("=", "") else not matched
    if kind == "number":
        return any(float(value) == float(v) for v in data_filter["value"])
    raise NotImplementedError(f"data filter type {kind}")


def matching_dependencies(plan: Plan, event: Event) -> list[tuple[dict, dict]]:
    """(Sensor, dependency) pairs the event satisfies."""
    found = []
    for sensor in plan.manifests("Sensor"):
        for dependency in sensor["spec"]["dependencies"]:
            if (dependency["eventSourceName"], dependency["eventName"]) != (event.source, event.name):
                continue
            filters = dependency.get("filters", {})
            if set(filters) - {"data"}:
                raise NotImplementedError(f"filters {sorted(set(filters) - {'data'})}")
            if filters.get("dataLogicalOperator", "and") != "and":
                raise NotImplementedError("dataLogicalOperator")
            if all(_filter_holds(event.data, f) for f in filters.get("data", [])):
                found.append((sensor, dependency))
    return found


def _sjson_set(document: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = document
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


_TEMPLATE = re.compile(r"\{\{\s*\.Input\.(?P<path>[\w.]+)(?P<pipes>(?:\s*\|\s*trimPrefix\s+\"[^\"]*\")*)\s*\}\}")
_PIPE = re.compile(r'\|\s*trimPrefix\s+"(?P<prefix>[^"]*)"')


def _template_value(data: dict, template: str) -> str | None:
    """A Go template of the form `{{ .Input.a.b | trimPrefix "x" | ... }}`; None where Argo Events falls back."""
    match = _TEMPLATE.fullmatch(template.strip())
    if match is None:
        raise NotImplementedError(f"dataTemplate {template!r}")
    node: Any = data
    for part in match["path"].split("."):
        if not isinstance(node, dict) or part not in node:
            return None  # Go renders "<no value>", which Argo Events treats as a failed template.
        node = node[part]
    text = node if isinstance(node, str) else json.dumps(node)
    for pipe in _PIPE.finditer(match["pipes"]):
        text = text.removeprefix(pipe["prefix"])
    return text or None


def _parameter_value(data: dict, src: dict) -> str:
    if "dataTemplate" in src:
        value = _template_value(data, src["dataTemplate"])
        if value is not None:
            return value
        if "dataKey" not in src:
            raise LookupError(f"template {src['dataTemplate']} gave no value")
    return _resolved(data, src["dataKey"])


def _resolved(data: dict, key: str) -> str:
    value = _gjson(data, key)
    if value is _MISSING:
        raise LookupError(f"key {key} does not exist in the event payload")
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def submitted(plan: Plan, event: Event) -> list[dict]:
    """The Workflows the Sensor submits for one event."""
    workflows = []
    for sensor, dependency in matching_dependencies(plan, event):
        for trigger in sensor["spec"]["triggers"]:
            template = trigger["template"]
            # Without `conditions` a trigger waits for every dependency of its Sensor.
            names = [d["name"] for d in sensor["spec"]["dependencies"]]
            if template.get("conditions", " && ".join(names)) != dependency["name"]:
                continue
            if "argoWorkflow" not in template:
                continue
            workflow = copy.deepcopy(template["argoWorkflow"]["source"]["resource"])
            for parameter in template["argoWorkflow"].get("parameters", []):
                src = parameter["src"]
                if src["dependencyName"] != dependency["name"]:
                    continue
                _sjson_set(workflow, parameter["dest"], _parameter_value(event.data, src))
            workflows.append(workflow)
    return workflows


def arguments(workflow: dict) -> dict[str, str]:
    return {p["name"]: p.get("value") for p in workflow["spec"]["arguments"]["parameters"]}


# The recorded deliveries (payloads/README.md lists what each is).
RECORDED = (
    "push-branch",
    "push-new-branch",
    "push-force",
    "push-tag-lightweight",
    "push-tag-annotated",
    "delete-branch",
    "delete-tag",
    "ping",
)


def runs(body: dict, refs: dict) -> bool:
    """What docs/registration.md says a delivery does: a push (not a deletion) of the ref the environment
    tracks (`refs`: {"branch": name or None, "tags": bool}), with a commit, starts one Workflow; anything
    else starts nothing."""
    ref = body.get("ref", "")
    tracked = (refs.get("branch") is not None and ref == f"refs/heads/{refs['branch']}") or (
        bool(refs.get("tags")) and ref.startswith("refs/tags/")
    )
    return tracked and not body.get("deleted", True) and bool((body.get("head_commit") or {}).get("id"))


def expected_arguments(body: dict) -> dict[str, str]:
    """The commit (for an annotated tag, the tagged commit), the ref, and the branch or tag name."""
    ref = body["ref"]
    name = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else ref.removeprefix("refs/tags/")
    return {"git_revision": body["head_commit"]["id"], "git_ref": ref, "git_ref_name": name}


def routing_problems(plan: Plan, github_secret: Any, secret_of: Any, tracked: Any, recorded=RECORDED) -> list[str]:
    """Every recorded delivery, from every registration's repository to its webhook URL, signed with
    the secret GitHub holds for it (`github_secret(tenant)`), through the EventSource and the Sensor;
    `tracked(tenant)` is what the registration tracks in the plan's environment ({"branch", "tags"})."""
    problems = []
    for tenant in plan.tenants:
        summary = plan.tenant_summary(tenant)
        owner, repo = summary["repository"].split("/")
        for name in recorded:
            headers, body = load_payload(name)
            body = for_repository(body, owner, repo)
            should_run = runs(body, tracked(tenant))
            where = f"{tenant} {name}"
            try:
                event = receive(plan, sign(github_secret(tenant), headers, body, summary["webhookUrl"]), secret_of)
                workflows = submitted(plan, event)
            except (Rejected, LookupError) as err:
                problems.append(f"{where}: {err}")
                continue
            if not should_run:
                if workflows:
                    problems.append(f"{where}: submitted {[arguments(w) for w in workflows]}; it must submit nothing")
                continue
            if len(workflows) != 1:
                problems.append(f"{where}: submitted {len(workflows)} Workflows, not 1")
                continue
            workflow = workflows[0]
            got = (workflow["metadata"].get("namespace"), workflow["spec"]["workflowTemplateRef"]["name"], arguments(workflow))
            want = (summary["namespace"], summary["workflowTemplate"], expected_arguments(body))
            if got != want:
                problems.append(f"{where}: submitted {got}, expected {want}")
    return problems
