"""A registration's Argo Events objects: its own GitHub EventSource, its own Sensor whose trigger submits its
WorkflowTemplate, and the Ingress that routes its webhook URL to its EventSource's Service.

One of each per registration, never one for the stack. The controller runs one pod per EventSource and
per Sensor, mounting every Secret an EventSource names and handing the pod its whole object in one
environment variable (tenancy.model.limits): a shared EventSource is restarted by every onboarding, stops
every webhook when one Secret never syncs (its pod cannot start), and grows with every tenant towards
the 128 KiB a process's environment string may hold (about 100 tenants) and etcd's 1.5 MiB; a shared
Sensor is one object for every tenant's filters, where one bad filter fails its validation for all.
Apart, a broken Secret or filter stops its own registration's webhooks and nobody else's, and nothing
grows with the number of tenants (tests/manifests/test_argo_events.py measures 1,000).
"""

from __future__ import annotations

from tenancy.model import labels, naming
from tenancy.manifests import sync_wait
from tenancy.manifests.argo_workflows import PARAM_GIT_REF, PARAM_GIT_REF_NAME, PARAM_GIT_REVISION
from tenancy.model.tenant import Tenant

API_VERSION = "argoproj.io/v1alpha1"
WEBHOOK_EVENTS = ("push",)

# Push payload -> Workflow parameter: (kind, source, parameter), where kind is `dataKey` (a gjson path) or
# `dataTemplate` (a Go template over the event data as `.Input`, with sprig's functions).
# The commit is `head_commit.id`, not `after`: for an annotated tag `after` is the tag object, and
# a commit status can only be set on a commit.
PUSH_PARAMETERS = (
    ("dataKey", "body.head_commit.id", PARAM_GIT_REVISION),
    ("dataKey", "body.ref", PARAM_GIT_REF),
    ("dataTemplate", '{{ .Input.body.ref | trimPrefix "refs/heads/" | trimPrefix "refs/tags/" }}', PARAM_GIT_REF_NAME),
)
TAGS_PATTERN = "^refs/tags/"
COMMIT_PATTERN = "^[0-9a-f]{40}$"
# Go's regexp.QuoteMeta: the characters RE2 reads as operators.
_GO_REGEX_SPECIAL = set("\\.+*?()|[]{}^$")


def go_regex_literal(text: str) -> str:
    """`text` as a Go (RE2) regular expression that matches exactly it, as regexp.QuoteMeta writes it."""
    return "".join(f"\\{ch}" if ch in _GO_REGEX_SPECIAL else ch for ch in text)


def ref_patterns(tenant: Tenant) -> list[str]:
    """Which pushed refs start a run in this environment (`Tenant.tracked_refs`): its branch exactly,
    every tag, or both (string filter values are regular expressions, any of which may match). With
    definitions of its own, its branch only: Argo CD syncs that branch, and a tag's commit need never be
    what it synced (the loader refuses definitions in an environment that tracks no branch)."""
    refs = tenant.tracked_refs
    patterns = [f"^refs/heads/{go_regex_literal(refs.branch)}$"] if refs.branch is not None else []
    if tenant.definitions is not None:
        return patterns
    return patterns + ([TAGS_PATTERN] if refs.tags else [])


def sender_patterns(tenant: Tenant) -> list[str]:
    """The listed GitHub logins, exactly and ignoring case (as GitHub does)."""
    return [f"(?i)^{go_regex_literal(login)}$" for login in tenant.deployers]


def event_source(tenant: Tenant) -> dict:
    """The registration's own EventSource, serving its webhook path on EVENT_SOURCE_PORT behind its own Service.

    No `apiToken`: Pulumi owns the repository's webhook. With a token the EventSource would create a
    second hook of its own, and GitHub would deliver every push twice."""
    settings = tenant.settings
    entry = {
        "repositories": [{"owner": tenant.owner, "names": [tenant.repo]}],
        "webhook": {
            "endpoint": tenant.webhook_endpoint,
            "port": str(naming.EVENT_SOURCE_PORT),
            "method": "POST",
            "url": settings.webhook_base_url,
        },
        "events": list(WEBHOOK_EVENTS),
        "webhookSecret": {"name": tenant.github_secret_name, "key": naming.WEBHOOK_SECRET_KEY},
        "contentType": "json",
        "insecure": False,
        "active": True,
    }
    return {
        "apiVersion": API_VERSION,
        "kind": "EventSource",
        "metadata": _metadata(tenant),
        "spec": {
            "service": {"ports": [{"port": naming.EVENT_SOURCE_PORT, "targetPort": naming.EVENT_SOURCE_PORT}]},
            "github": {tenant.name: entry},
        },
    }


def _metadata(tenant: Tenant) -> dict:
    return {
        "name": naming.event_route_name(tenant.name),
        "namespace": tenant.settings.namespaces.argo_events,
        "labels": labels.tenant_labels(tenant),
    }


def webhook_ingress(tenant: Tenant) -> dict:
    """Routes exactly the registration's webhook path on the host of webhookBaseUrl to its EventSource's
    Service (`<EventSource>-eventsource-svc`, which Argo Events creates), passing the path through unchanged:
    the EventSource matches the full path. TLS and the ingress class come from the stack setting webhookIngress."""
    ingress = tenant.settings.webhook_ingress
    rule: dict = {
        "http": {
            "paths": [
                {
                    "path": tenant.webhook_endpoint,
                    "pathType": "Exact",
                    "backend": {
                        "service": {
                            "name": naming.event_source_service_name(tenant.name),
                            "port": {"number": naming.EVENT_SOURCE_PORT},
                        }
                    },
                }
            ]
        }
    }
    host = tenant.settings.webhook_host
    if host is not None:
        rule = {"host": host, **rule}
    spec: dict = {"rules": [rule]}
    if ingress.class_name is not None:
        spec = {"ingressClassName": ingress.class_name, **spec}
    if ingress.tls_secret is not None:
        spec["tls"] = [{"hosts": [host] if host else [], "secretName": ingress.tls_secret}]
    metadata = _metadata(tenant)
    if ingress.annotations:
        metadata["annotations"] = dict(ingress.annotations)
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": spec}


def _dependency(tenant: Tenant) -> dict:
    return {
        "name": tenant.sensor_dependency,
        "eventSourceName": naming.event_route_name(tenant.name),
        "eventName": tenant.name,
        "filters": {
            "data": [
                # GitHub also sends `ping` (on hook creation) and could send other events; only pushes run workflows.
                {"path": "body.X-GitHub-Event", "type": "string", "value": ["push"]},
                # Deleting a branch or tag is a push with nothing to run.
                {"path": "body.deleted", "type": "bool", "value": ["false"]},
                # The refs this environment tracks (a branch, tags, or both); any other ref runs nothing.
                {"path": "body.ref", "type": "string", "value": ref_patterns(tenant)},
                # A commit to run and to report on (a tag of a tree or blob has none).
                {"path": "body.head_commit.id", "type": "string", "value": [COMMIT_PATTERN]},
                # Who may deploy here: the account GitHub authenticated for the push (`sender`), not a
                # commit's author or committer, which anyone can write.
                *([{"path": "body.sender.login", "type": "string", "value": sender_patterns(tenant)}] if tenant.deployers else []),
            ]
        },
    }


def submitted_workflow(tenant: Tenant) -> dict:
    """The Workflow a push creates; the trigger's parameters fill in the argument values. With definitions
    of its own, a run that first waits for Argo CD to sync the pushed commit (tenancy/manifests/sync_wait.py)."""
    if tenant.definitions is not None:
        branch = tenant.tracked_ref
        fixed = {PARAM_GIT_REF: f"refs/heads/{branch}", PARAM_GIT_REF_NAME: branch}
        parameters = [(name, fixed.get(name)) for _, _, name in PUSH_PARAMETERS]
        spec = sync_wait.synced_run_spec(tenant, PARAM_GIT_REVISION, parameters)
    else:
        spec = {
            "workflowTemplateRef": {"name": tenant.workflow_template},
            "arguments": {"parameters": [{"name": name} for _, _, name in PUSH_PARAMETERS]},
        }
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {
            "generateName": naming.workflow_generate_name(tenant.name),
            "namespace": tenant.namespace,
            "labels": labels.tenant_labels(tenant),
        },
        "spec": spec,
    }


def _trigger(tenant: Tenant) -> dict:
    return {
        "template": {
            "name": tenant.name,
            # The Sensor's one dependency, named: the trigger fires on it and on nothing else, should
            # the Sensor ever hold more than one.
            "conditions": tenant.sensor_dependency,
            "argoWorkflow": {
                "operation": "submit",
                "source": {"resource": submitted_workflow(tenant)},
                "parameters": [
                    {
                        "src": {"dependencyName": tenant.sensor_dependency, kind: source},
                        "dest": f"spec.arguments.parameters.{index}.value",
                    }
                    for index, (kind, source, _) in enumerate(PUSH_PARAMETERS)
                ],
            },
        }
    }


def sensor(tenant: Tenant) -> dict:
    """The registration's own Sensor: one dependency on its EventSource, one trigger that submits its template."""
    return {
        "apiVersion": API_VERSION,
        "kind": "Sensor",
        "metadata": _metadata(tenant),
        "spec": {
            "template": {"serviceAccountName": naming.sensor_service_account_name(tenant.settings.shard_name)},
            "dependencies": [_dependency(tenant)],
            "triggers": [_trigger(tenant)],
        },
    }


def event_route(tenant: Tenant) -> tuple[dict, dict, dict]:
    """Everything that carries the registration's pushes from its webhook URL to a Workflow: EventSource, Sensor, Ingress."""
    return event_source(tenant), sensor(tenant), webhook_ingress(tenant)
