"""The exit handler's script, run as Argo runs it (its template's environment, Argo's values substituted),
against a stand-in for GitHub's API on 127.0.0.1: the request is GitHub's commit status API, and the
token never reaches the output."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tenancy.manifests import argo_workflows, commit_status
from tests.support.program import GITHUB_APP, make_settings, registration, tenant_of

SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
TOKEN = "ghs_plantedTokenThatMustNeverBePrinted"
TENANT = tenant_of(registration("alpha"), make_settings(githubApp=GITHUB_APP, argoWorkflowsUrl="https://argo.example.org"))
# GitHub's documented values (POST /repos/{owner}/{repo}/statuses/{sha}).
STATES = {"error", "failure", "pending", "success"}


class GitHub:
    """Answers each POST with the next status in `answers` (then 201), recording method, path, headers and body."""

    def __init__(self, answers=()):
        self.requests: list[dict] = []
        self.answers = list(answers)
        github = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                github.requests.append(
                    {"method": "POST", "path": self.path, "headers": dict(self.headers), "body": json.loads(self.rfile.read(length))}
                )
                code = github.answers.pop(0) if github.answers else 201
                payload = json.dumps({"message": "Validation Failed"} if code >= 400 else {"state": "ok"}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def github():
    servers = []

    def start(answers=()):
        servers.append(GitHub(answers))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def run_handler(tmp_path, api_url: str, status: str = "Succeeded", revision: str = SHA, workflow: str = "alpha-x7k2p"):
    """The exit handler's script with its template's environment, Argo's tags replaced by this run's values."""
    handler = argo_workflows.workflow_template(TENANT)["spec"]["templates"][1]
    assert handler["name"] == commit_status.TEMPLATE_NAME
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    values = {
        "{{workflow.parameters.git_revision}}": revision,
        "{{workflow.status}}": status,
        "{{workflow.name}}": workflow,
    }
    env = {}
    for entry in handler["script"]["env"]:
        value = entry["value"]
        for tag, replacement in values.items():
            value = value.replace(tag, replacement)
        env[entry["name"]] = value
    assert env["GITHUB_TOKEN_FILE"] == "/var/run/github-status/token"
    env.update({"GITHUB_TOKEN_FILE": str(token_file), "GITHUB_API_URL": api_url, "RETRY_DELAY_SECONDS": "0"})
    return subprocess.run(
        [sys.executable, "-c", handler["script"]["source"]], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_finished_run_sets_the_commit_status_githubs_way(tmp_path, github):
    api = github()
    done = run_handler(tmp_path, api.url)
    assert done.returncode == 0, done.stderr
    [request] = api.requests
    assert request["method"] == "POST" and request["path"] == f"/repos/acme/alpha/statuses/{SHA}"
    headers = {key.lower(): value for key, value in request["headers"].items()}
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["x-github-api-version"] == "2022-11-28"
    body = request["body"]
    assert set(body) == {"state", "target_url", "description", "context"}
    assert body["state"] == "success" and body["state"] in STATES
    assert body["target_url"] == "https://argo.example.org/workflows/wf-acme-alpha/alpha-x7k2p"
    assert body["context"] == "argo-workflows/dev"
    assert len(body["description"]) <= 140 and "alpha-x7k2p" in body["description"]
    assert TOKEN not in done.stdout + done.stderr


@pytest.mark.parametrize(("status", "state"), [("Failed", "failure"), ("Error", "error"), ("Omitted", "error")])
def test_every_outcome_maps_to_a_state_github_knows(tmp_path, github, status, state):
    api = github()
    assert run_handler(tmp_path, api.url, status=status).returncode == 0
    assert api.requests[0]["body"]["state"] == state


def test_a_long_workflow_name_keeps_the_description_within_140_characters(tmp_path, github):
    api = github()
    run_handler(tmp_path, api.url, workflow="w" * 200)
    assert len(api.requests[0]["body"]["description"]) == 140


def test_a_run_submitted_by_hand_at_a_branch_reports_nothing(tmp_path, github):
    api = github()
    done = run_handler(tmp_path, api.url, revision="main")
    assert done.returncode == 0 and api.requests == []
    assert "not a commit SHA" in done.stdout


def test_a_refusal_is_not_retried_and_does_not_fail_the_run(tmp_path, github):
    api = github(answers=[422])
    done = run_handler(tmp_path, api.url)
    assert done.returncode == 0 and len(api.requests) == 1
    assert "commit status not set: HTTP 422" in done.stderr and TOKEN not in done.stderr


def test_a_server_error_is_retried(tmp_path, github):
    api = github(answers=[502, 503])
    done = run_handler(tmp_path, api.url)
    assert done.returncode == 0 and len(api.requests) == 3
    assert "success" in done.stdout


def test_a_tag_name_pushed_by_anyone_never_becomes_code(tmp_path, github):
    # git allows $(...) and quotes in ref names; the handler gets only the commit, and through its environment.
    handler = argo_workflows.workflow_template(TENANT)["spec"]["templates"][1]
    assert all("git_ref" not in entry["value"] for entry in handler["script"]["env"])
    assert "{{" not in handler["script"]["source"]
