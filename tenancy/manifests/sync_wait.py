"""The run a push starts for a registration with its own definitions: wait until Argo CD has synced the pushed
commit, then submit the entrypoint WorkflowTemplate as a Workflow of its own.

Why two steps: Argo Workflows reads a `workflowTemplateRef` when the Workflow is first operated on (and
keeps that copy), so a Workflow submitted straight from the push could read the template of the commit
before. The outer Workflow is the platform's (in the Sensor's trigger); its first step polls the
registration's Application until `status.sync.status` is Synced at `status.sync.revision` == the pushed
SHA, failing with the reason after SYNC_TIMEOUT_SECONDS; only then does its second step create the run
Workflow (a resource template), which the controller resolves against the definitions of that commit.

Every value reaches the script through the environment, never through its text (Argo substitutes `{{...}}`
in a script's source). The script reads the Kubernetes API as the pod's service account, which may `get`
that one Application and nothing else in Argo CD's namespace.
"""

from __future__ import annotations

import json

from tenancy.model import labels, naming
from tenancy.model.tenant import Tenant

ENTRYPOINT = "synced-run"
WAIT_TEMPLATE = "wait-for-sync"
RUN_TEMPLATE = "run"
# Argo CD polls repositories every 3 minutes (timeout.reconciliation, plus up to 1 minute of jitter)
# unless GitHub's webhook reaches it; a sync then takes seconds. 10 minutes leaves room for both.
SYNC_TIMEOUT_SECONDS = 600
POLL_SECONDS = 5

SCRIPT = '''\
import json, os, ssl, sys, time, urllib.error, urllib.request

ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


def main():
    env = os.environ
    sha = env["GIT_REVISION"]
    url = "%s/apis/argoproj.io/v1alpha1/namespaces/%s/applications/%s" % (
        env.get("KUBERNETES_API", "https://kubernetes.default.svc"), env["ARGO_CD_NAMESPACE"], env["APPLICATION"])
    token_file = env.get("TOKEN_FILE", ACCOUNT + "/token")
    ca_file = env.get("CA_FILE", ACCOUNT + "/ca.crt")
    context = ssl.create_default_context(cafile=ca_file) if os.path.exists(ca_file) else None
    deadline = time.monotonic() + float(env["TIMEOUT_SECONDS"])
    seen = "nothing yet"
    while True:
        with open(token_file) as handle:
            token = handle.read().strip()
        request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30, context=context) as response:
                sync = (json.load(response).get("status") or {}).get("sync") or {}
            seen = "%s at %s" % (sync.get("status", "Unknown"), sync.get("revision", "no revision"))
            if sync.get("status") == "Synced" and sync.get("revision") == sha:
                print("definitions of %s synced: %s" % (sha, env["APPLICATION"]))
                return 0
        except urllib.error.HTTPError as err:
            seen = "HTTP %d from the Kubernetes API" % err.code
        except (urllib.error.URLError, OSError, ValueError) as err:
            seen = type(err).__name__
        if time.monotonic() >= deadline:
            print("Argo CD did not sync %s within %s seconds (Application %s/%s: %s); the definitions of that commit "
                  "are not in place, so nothing runs. A newer push, a refused object or an unreachable repository "
                  "are the usual reasons: see the Application in Argo CD."
                  % (sha, env["TIMEOUT_SECONDS"], env["ARGO_CD_NAMESPACE"], env["APPLICATION"], seen), file=sys.stderr)
            return 1
        time.sleep(float(env["POLL_SECONDS"]))


sys.exit(main())
'''


def wait_template(tenant: Tenant, revision_parameter: str) -> dict:
    env = {
        "GIT_REVISION": f"{{{{workflow.parameters.{revision_parameter}}}}}",
        "ARGO_CD_NAMESPACE": tenant.settings.namespaces.argo_cd,
        "APPLICATION": tenant.argo_cd_name,
        "TIMEOUT_SECONDS": str(SYNC_TIMEOUT_SECONDS),
        "POLL_SECONDS": str(POLL_SECONDS),
    }
    return {
        "name": WAIT_TEMPLATE,
        "script": {
            "image": tenant.settings.status_image,
            "command": ["python3"],
            "source": SCRIPT,
            "env": [{"name": key, "value": value} for key, value in env.items()],
            # Nothing of root's powers, as the runner (Pod Security restricted, but for runAsNonRoot: the image's
            # user is root). It reaches the Kubernetes API: port 443, or the stack's egressPorts where the API
            # server listens elsewhere (docs/definitions.md).
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "seccompProfile": {"type": "RuntimeDefault"},
            },
        },
    }


def run_manifest(tenant: Tenant, parameters: list[tuple[str, str]]) -> str:
    """The run Workflow, created once the definitions are synced: the entrypoint template with the push's
    values. JSON (which YAML reads) so that no value can change the document's structure."""
    workflow = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": naming.workflow_generate_name(tenant.name), "labels": labels.tenant_labels(tenant)},
        "spec": {
            "workflowTemplateRef": {"name": tenant.entrypoint},
            "arguments": {"parameters": [{"name": name, "value": value} for name, value in parameters]},
        },
    }
    return json.dumps(workflow, indent=2, sort_keys=False) + "\n"


def run_template(tenant: Tenant, parameters: list[tuple[str, str]]) -> dict:
    return {
        "name": RUN_TEMPLATE,
        "resource": {
            "action": "create",
            # Deleting the outer run deletes the run it started.
            "setOwnerReference": True,
            "successCondition": "status.phase == Succeeded",
            "failureCondition": "status.phase in (Failed, Error)",
            "manifest": run_manifest(tenant, parameters),
        },
    }


def synced_run_spec(tenant: Tenant, revision_parameter: str, parameters: list[tuple[str, str | None]]) -> dict:
    """The outer Workflow's spec: wait, then run. `parameters` are (name, fixed value): a value known
    before the push (the tracked ref, its name) is written into the run as it is, the others (None: the
    commit, which the Sensor admits only as 40 hex digits) are the outer run's, by reference."""
    forwarded = [(name, value if value is not None else f"{{{{workflow.parameters.{name}}}}}") for name, value in parameters]
    parameter_names = [name for name, _ in parameters]
    return {
        "serviceAccountName": naming.SYNC_WAITER_SERVICE_ACCOUNT,
        "entrypoint": ENTRYPOINT,
        "arguments": {"parameters": [{"name": name} for name in parameter_names]},
        "templates": [
            {
                "name": ENTRYPOINT,
                "steps": [
                    [{"name": WAIT_TEMPLATE, "template": WAIT_TEMPLATE}],
                    [{"name": RUN_TEMPLATE, "template": RUN_TEMPLATE}],
                ],
            },
            wait_template(tenant, revision_parameter),
            run_template(tenant, forwarded),
        ],
    }


# What the outer run's service account does in the tenant namespace: report its steps' results (the
# executor's WorkflowTaskResults) and create the run Workflow, then follow it until it ends (the resource
# template's executor runs `kubectl get <workflow> -w`: workflow/executor/resource.go, checkResourceState).
WAITER_RULES = [
    {"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]},
    {"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["create", "get", "list", "watch"]},
]
