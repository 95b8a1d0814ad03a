"""The exit handler that reports a run's outcome on the pushed commit: GitHub's commit status API, with a
token minted for that repository alone (`statuses: write`), linking to the run in the Argo UI.

POST {api}/repos/{owner}/{repo}/statuses/{sha} with `state` (error, failure, pending or success),
`target_url`, `description` (at most 140 characters) and `context`, and the headers GitHub asks for:
Accept `application/vnd.github+json`, `Authorization: Bearer <token>`, `X-GitHub-Api-Version`.

Every value reaches the script through the environment, never through its text: Argo substitutes
`{{...}}` in a script's source, and a tag name pushed by anyone with push access is no code to run.
The token is read from a file (the mounted Secret) and is never printed.
"""

from __future__ import annotations

from tenancy.model import naming
from tenancy.model.tenant import Tenant

TEMPLATE_NAME = "report-status"
GITHUB_API_URL = "https://api.github.com"
GITHUB_API_VERSION = "2022-11-28"
TOKEN_DIRECTORY = "/var/run/github-status"
STATUS_VOLUME = "github-status-token"
# Argo's workflow.status at exit -> GitHub's commit state; anything else is reported as an error.
STATES = {"Succeeded": "success", "Failed": "failure", "Error": "error"}
MAX_DESCRIPTION = 140

SCRIPT = '''\
import json, os, re, sys, time, urllib.error, urllib.request

STATES = %(states)r


def main():
    env = os.environ
    sha = env["GIT_REVISION"]
    if not re.fullmatch("[0-9a-f]{40}", sha):
        print("no commit status: %%r is not a commit SHA (a run submitted by hand)" %% sha)
        return 0
    status = env["WORKFLOW_STATUS"]
    body = {
        "state": STATES.get(status, "error"),
        "description": ("Argo Workflows: " + env["WORKFLOW_NAME"] + " " + status.lower())[:%(max_description)d],
        "context": env["STATUS_CONTEXT"],
    }
    if env.get("WORKFLOW_URL"):
        body["target_url"] = env["WORKFLOW_URL"]
    with open(env["GITHUB_TOKEN_FILE"]) as handle:
        token = handle.read().strip()
    url = env["GITHUB_API_URL"] + "/repos/" + env["GITHUB_REPOSITORY"] + "/statuses/" + sha
    headers = {
        "Accept": "application/vnd.github+json",
        "Authorization": "Bearer " + token,
        "X-GitHub-Api-Version": env["GITHUB_API_VERSION"],
        "Content-Type": "application/json",
        "User-Agent": "argo-tenants-status",
    }
    reason = "no attempt"
    for attempt in range(3):
        request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                print("commit %%s: %%s (HTTP %%d)" %% (sha, body["state"], response.status))
                return 0
        except urllib.error.HTTPError as err:
            reason = "HTTP %%d" %% err.code
            if err.code < 500 and err.code != 429:
                break
        except (urllib.error.URLError, OSError) as err:
            reason = type(err).__name__
        time.sleep(float(env.get("RETRY_DELAY_SECONDS", "5")) * 2 ** attempt)
    # The run's outcome is the pipeline's: GitHub being unreachable does not fail it.
    print("commit status not set: " + reason, file=sys.stderr)
    return 0


sys.exit(main())
''' % {"states": STATES, "max_description": MAX_DESCRIPTION}


def context(tenant: Tenant) -> str:
    """One status per environment: dev and prod both run a push and must not overwrite each other."""
    return f"argo-workflows/{tenant.environment}"


def workflow_url(tenant: Tenant) -> str | None:
    base = tenant.settings.argo_workflows_url
    return None if base is None else f"{base}/workflows/{tenant.namespace}/{{{{workflow.name}}}}"


def exit_handler(tenant: Tenant, revision_parameter: str) -> dict:
    """The `onExit` template: runs whatever the outcome, with the status token mounted read-only."""
    env = {
        "GIT_REVISION": f"{{{{workflow.parameters.{revision_parameter}}}}}",
        "WORKFLOW_STATUS": "{{workflow.status}}",
        "WORKFLOW_NAME": "{{workflow.name}}",
        "STATUS_CONTEXT": context(tenant),
        "GITHUB_REPOSITORY": f"{tenant.owner}/{tenant.repo}",
        "GITHUB_API_URL": GITHUB_API_URL,
        "GITHUB_API_VERSION": GITHUB_API_VERSION,
        "GITHUB_TOKEN_FILE": f"{TOKEN_DIRECTORY}/token",
    }
    url = workflow_url(tenant)
    if url is not None:
        env["WORKFLOW_URL"] = url
    return {
        "name": TEMPLATE_NAME,
        "volumes": [{"name": STATUS_VOLUME, "secret": {"secretName": naming.GITHUB_STATUS_SECRET}}],
        "script": {
            "image": tenant.settings.status_image,
            "command": ["python3"],
            "source": SCRIPT,
            "env": [{"name": key, "value": value} for key, value in env.items()],
            "volumeMounts": [{"name": STATUS_VOLUME, "mountPath": TOKEN_DIRECTORY, "readOnly": True}],
        },
    }
