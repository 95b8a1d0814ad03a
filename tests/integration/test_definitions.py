"""Tenant-owned workflow definitions (spec.definitions) in the plan of tests/integration/definitions: Argo CD's
objects against its CRDs, the confinement as Argo CD evaluates its AppProject, the waiter's access, the
guardrails' admission policy, and the ordering of a push's run after the sync."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml

from tenancy.manifests import argo_cd, sync_wait
from tenancy.model import naming
from tests.integration.argo_cd_checks import (
    Project,
    application_problems,
    credential_template,
    filepath_match,
    glob_match,
    synced_object_problem,
)
from tests.integration.events import load_payload, receive, sign, submitted
from tests.integration.graph_checks import cross_reference_problems
from tests.integration.plan import Plan, build_plan
from tests.integration.schema_checks import metadata_problems, schema_problems

pytestmark = pytest.mark.integration

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
ARGO_CD = "argocd"
NAMESPACE = "wf-acme-epsilon-workflows"
NAME = "tenant-dev-epsilon"
REPO = "https://github.com/acme/epsilon-workflows.git"


@pytest.fixture(scope="module")
def doc() -> dict:
    return build_plan(DEFINITIONS_DIR)


@pytest.fixture
def plan(doc) -> Plan:
    return Plan(copy.deepcopy(doc))


@pytest.fixture
def project(plan) -> Project:
    return Project(plan.manifest("AppProject", ARGO_CD, NAME)["spec"])


@pytest.fixture
def application(plan) -> dict:
    return plan.manifest("Application", ARGO_CD, NAME)


def workflow_template(name: str, namespace: str | None = None) -> dict:
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": metadata, "spec": {}}


# --- Argo CD's own schemas ----------------------------------------------------------------------


def test_the_application_and_app_project_validate_against_argo_cds_crds(plan, schemas):
    kinds = {m["kind"] for m in plan.manifests()}
    assert {"Application", "AppProject", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"} <= kinds
    assert schema_problems(plan, schemas) == []
    assert metadata_problems(plan) == []


def test_every_reference_of_the_definitions_plan_resolves(plan):
    assert cross_reference_problems(plan) == []


def test_a_waiter_that_may_not_follow_its_run_is_caught(plan):
    role = plan.manifest("Role", NAMESPACE, naming.SYNC_WAITER_SERVICE_ACCOUNT)
    role["rules"] = [rule for rule in role["rules"] if rule["resources"] != ["workflows"]]
    assert cross_reference_problems(plan) == [
        f"Sensor argo-events/github-epsilon trigger epsilon: its pods' service account {naming.SYNC_WAITER_SERVICE_ACCOUNT} "
        "may not create workflows, get workflows, list workflows, watch workflows"
    ]


def test_an_unknown_field_of_the_application_or_project_is_caught(plan, schemas):
    plan.manifest("Application", ARGO_CD, NAME)["spec"]["syncPolicy"]["automated"]["pruneAll"] = True
    plan.manifest("AppProject", ARGO_CD, NAME)["spec"]["destinations"][0]["cluster"] = "in-cluster"
    assert sorted(schema_problems(plan, schemas)) == [
        f"AppProject {ARGO_CD}/{NAME}: spec.destinations.0: Additional properties are not allowed ('cluster' was unexpected)",
        f"Application {ARGO_CD}/{NAME}: spec.syncPolicy.automated: Additional properties are not allowed ('pruneAll' was unexpected)",
    ]


# --- confinement, as Argo CD evaluates the AppProject --------------------------------------------


def test_the_application_is_permitted_by_its_own_project(project, application):
    assert application_problems(project, application) == []
    assert application["spec"]["source"] == {"repoURL": REPO, "targetRevision": "develop", "path": "argo/dev", "directory": {"recurse": True}}


@pytest.mark.parametrize(
    "repository",
    [
        "https://github.com/acme/beta.git",
        "https://github.com/other-org/epsilon-workflows.git",
        "https://github.com/acme/epsilon-workflows-evil.git",
        "https://github.com/acme/epsilon-workflows/extra.git",
        "https://gitlab.com/acme/epsilon-workflows.git",
    ],
)
def test_another_repository_is_refused(project, application, repository):
    application["spec"]["source"]["repoURL"] = repository
    assert application_problems(project, application) == [f"source {repository} is not permitted"]


def test_the_repository_in_another_spelling_is_the_same_source(project, application):
    application["spec"]["source"]["repoURL"] = "https://github.com/ACME/Epsilon-Workflows"
    assert application_problems(project, application) == []


@pytest.mark.parametrize("namespace", ["wf-acme-beta", ARGO_CD, "argo-events", "kube-system", "default"])
def test_another_namespace_is_refused(project, application, namespace):
    assert synced_object_problem(project, application, workflow_template("x", namespace)) == (
        f"namespace {namespace} is not permitted in project"
    )
    application["spec"]["destination"]["namespace"] = namespace
    assert application_problems(project, application) != []


def test_another_cluster_is_refused(project, application):
    application["spec"]["destination"]["server"] = "https://prod.example.org:6443"
    assert application_problems(project, application) != []


@pytest.mark.parametrize(
    "api_version, kind",
    [
        ("argoproj.io/v1alpha1", "ClusterWorkflowTemplate"),
        ("v1", "Namespace"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
        ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"),
    ],
)
def test_a_cluster_scoped_kind_is_refused(project, application, api_version, kind):
    manifest = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    assert synced_object_problem(project, application, manifest) == f"{api_version.rpartition('/')[0] or 'core'}/{kind} is not permitted in project"


@pytest.mark.parametrize(
    "api_version, kind",
    [
        ("argoproj.io/v1alpha1", "Application"),
        ("argoproj.io/v1alpha1", "AppProject"),
        ("argoproj.io/v1alpha1", "Workflow"),  # namespaced Argo, but not in this registration's kinds
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("v1", "Secret"),
        ("v1", "ConfigMap"),
        ("v1", "Pod"),
    ],
)
def test_a_kind_the_registration_does_not_allow_is_refused(project, application, api_version, kind):
    manifest = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    assert synced_object_problem(project, application, manifest) is not None


@pytest.mark.parametrize("kind", ["WorkflowTemplate", "CronWorkflow"])
def test_the_allowed_kinds_sync_into_the_namespace(project, application, kind):
    for namespace in (None, NAMESPACE):
        manifest = {**workflow_template("x", namespace), "kind": kind}
        assert synced_object_problem(project, application, manifest) is None


def test_an_empty_namespaced_whitelist_would_allow_every_kind(project, application):
    """Why kinds may never be empty: Argo CD reads an unset namespaced whitelist as 'everything'."""
    del project.spec["namespaceResourceWhitelist"]
    assert synced_object_problem(project, application, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}) is None


def test_the_evaluator_follows_argo_cds_glob_rules():
    # sourceRepos match with '/' as the separator: '*' stays within a path segment, '**' crosses them.
    assert glob_match("https://github.com/acme/*", "https://github.com/acme/x", separators="/")
    assert not glob_match("https://github.com/acme/*", "https://github.com/acme/x/y", separators="/")
    assert glob_match("https://github.com/acme/**", "https://github.com/acme/x/y", separators="/")
    assert glob_match("!https://github.com/acme/x", "https://github.com/acme/y", separators="/")
    assert glob_match("wf-{a,b}", "wf-b") and not glob_match("wf-[!b]", "wf-b")
    # Kinds and groups match with Go's filepath.Match.
    assert filepath_match("*", "Secret") and filepath_match("Workflow*", "WorkflowTemplate") and not filepath_match("Workflow", "WorkflowTemplate")


# --- removing it, and its access ----------------------------------------------------------------


def test_deleting_the_application_leaves_what_it_synced(application):
    assert argo_cd.RESOURCES_FINALIZER not in application["metadata"].get("finalizers", [])
    assert application["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True, "allowEmpty": False}


def test_the_waiter_may_get_its_own_application_only(plan):
    role = plan.manifest("Role", ARGO_CD, f"{NAME}-sync")
    assert role["rules"] == [{"apiGroups": ["argoproj.io"], "resources": ["applications"], "resourceNames": [NAME], "verbs": ["get"]}]
    binding = plan.manifest("RoleBinding", ARGO_CD, f"{NAME}-sync")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": naming.SYNC_WAITER_SERVICE_ACCOUNT, "namespace": NAMESPACE}]
    assert plan.manifest("ServiceAccount", NAMESPACE, naming.SYNC_WAITER_SERVICE_ACCOUNT) is not None
    # Nothing else in Argo CD's namespace is bound to a tenant's account.
    tenant_subjects = [
        manifest["metadata"]["name"]
        for manifest in plan.manifests("RoleBinding", ARGO_CD)
        if any(s.get("namespace", "").startswith("wf-") for s in manifest["subjects"])
    ]
    assert tenant_subjects == [f"{NAME}-sync"]


def test_the_github_app_key_is_only_in_argo_cds_namespace(plan):
    creds = [m for m in plan.manifests("Secret") if m["metadata"].get("labels", {}).get(argo_cd.SECRET_TYPE_LABEL) == argo_cd.REPO_CREDS]
    # One per owner with definitions, in Argo CD's namespace; its values are secret in the
    # plan as a whole (the key is among them): tests/manifests/test_argo_cd.py checks what they are.
    assert [(m["metadata"]["namespace"], m["metadata"]["name"]) for m in creds] == [(ARGO_CD, "argo-tenants-repo-creds-acme")]
    assert creds[0]["stringData"] == "[secret]"
    assert not [m for m in plan.manifests("Secret") if m["metadata"]["namespace"].startswith("wf-") and "stringData" in m]


def test_an_owners_credential_template_serves_its_repositories_only():
    templates = [naming.repo_creds_url("acme"), naming.repo_creds_url("acme-labs"), "https://github.com"]
    assert credential_template(templates, REPO) == "https://github.com/acme/"
    assert credential_template(templates, "https://github.com/ACME-Labs/x.git") == "https://github.com/acme-labs/"
    assert credential_template(templates, "https://github.com/acmeevil/x.git") == "https://github.com"
    assert credential_template(["https://github.com/acme"], "https://github.com/acmeevil/x.git") == "https://github.com/acme"


def test_the_admission_policy_applies_to_what_argo_cd_syncs_in_definitions_namespaces(plan):
    [policy] = plan.manifests("ValidatingAdmissionPolicy")
    [binding] = plan.manifests("ValidatingAdmissionPolicyBinding")
    assert policy["spec"]["matchConditions"] == [
        {"name": "synced-by-argo-cd", "expression": 'request.userInfo.username == "system:serviceaccount:argocd:argocd-application-controller"'}
    ]
    assert binding["spec"]["policyName"] == policy["metadata"]["name"] and binding["spec"]["validationActions"] == ["Deny"]
    selector = binding["spec"]["matchResources"]["namespaceSelector"]["matchLabels"]
    labelled = {ns["metadata"]["name"] for ns in plan.manifests("Namespace") if selector.items() <= ns["metadata"]["labels"].items()}
    assert labelled == {NAMESPACE}
    expressions = " ".join(v["expression"] for v in policy["spec"]["validations"])
    for guardrail in ('== "wf-runner"', '== "artifact-repositories"', "size() <= 63", "size() <= 52", "podSpecPatch", '"argo-tenants"'):
        assert guardrail in expressions


# --- runs after the sync ------------------------------------------------------------------------


def _delivery(plan: Plan, name: str, sender: str | None = None):
    headers, body = load_payload(name)
    text = json.dumps(body).replace("acme/alpha-pipeline", "acme/epsilon-workflows")
    body = json.loads(text)
    body["repository"]["name"] = "epsilon-workflows"
    if sender is not None:
        body["sender"]["login"] = sender
    summary = plan.tenant_summary("epsilon")
    secrets = {}

    def secret_of(namespace, secret, key):
        return secrets.setdefault((namespace, secret, key), "s3cr3t")

    return body, receive(plan, sign("s3cr3t", headers, body, summary["webhookUrl"]), secret_of)


def test_a_push_runs_the_repository_template_only_after_the_wait(plan):
    body, event = _delivery(plan, "push-branch")
    [workflow] = submitted(plan, event)
    spec = workflow["spec"]
    assert "workflowTemplateRef" not in spec  # nothing of the repository is read before the wait
    [main] = [t for t in spec["templates"] if t["name"] == spec["entrypoint"]]
    assert main["steps"] == [[{"name": "wait-for-sync", "template": "wait-for-sync"}], [{"name": "run", "template": "run"}]]
    run = next(t for t in spec["templates"] if t["name"] == "run")
    created = yaml.safe_load(run["resource"]["manifest"])
    assert created["spec"]["workflowTemplateRef"] == {"name": "epsilon-main"}
    values = {p["name"]: p["value"] for p in created["spec"]["arguments"]["parameters"]}
    assert values == {"git_revision": "{{workflow.parameters.git_revision}}", "git_ref": "refs/heads/develop", "git_ref_name": "develop"}
    assert {p["name"]: p["value"] for p in spec["arguments"]["parameters"]}["git_revision"] == body["head_commit"]["id"]


def test_a_tag_push_does_not_run_definitions_that_follow_a_branch(plan):
    _, event = _delivery(plan, "push-tag-lightweight")
    assert submitted(plan, event) == []


def test_only_a_listed_sender_deploys_whatever_the_commit_says(plan):
    body, event = _delivery(plan, "push-branch", sender="mallory")
    # The commit's author, committer and pusher still claim jdoe: only the authenticated sender counts.
    assert body["head_commit"]["author"]["username"] == "jdoe" and body["pusher"]["name"] == "jdoe"
    assert submitted(plan, event) == []
    _, event = _delivery(plan, "push-branch", sender="JDoe")
    assert len(submitted(plan, event)) == 1


class _FakeApplications(BaseHTTPRequestHandler):
    """The Kubernetes API's view of one Application: its sync status moves through `states`, one per GET."""

    states: list[dict] = []
    paths: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).paths.append(self.path)
        state = type(self).states.pop(0) if len(type(self).states) > 1 else type(self).states[0]
        body = json.dumps({"status": {"sync": state}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _wait(plan: Plan, tmp_path: Path, states: list[dict], sha: str, timeout: str) -> subprocess.CompletedProcess:
    _, event = _delivery(plan, "push-branch")
    [workflow] = submitted(plan, event)
    waiter = next(t for t in workflow["spec"]["templates"] if t["name"] == "wait-for-sync")["script"]
    _FakeApplications.states, _FakeApplications.paths = list(states), []
    server = HTTPServer(("127.0.0.1", 0), _FakeApplications)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    token = tmp_path / "token"
    token.write_text("t")
    env = {e["name"]: e["value"] for e in waiter["env"]}
    env.update(
        GIT_REVISION=sha, TIMEOUT_SECONDS=timeout, POLL_SECONDS="0.05", TOKEN_FILE=str(token), CA_FILE=str(tmp_path / "none"),
        KUBERNETES_API=f"http://127.0.0.1:{server.server_port}", PATH=os.environ.get("PATH", ""),
    )
    try:
        return subprocess.run([sys.executable, "-c", waiter["source"]], env=env, capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()


def test_the_wait_ends_when_the_pushed_commit_is_synced(plan, tmp_path):
    sha = "a" * 40
    states = [{"status": "Synced", "revision": "b" * 40}, {"status": "OutOfSync", "revision": sha}, {"status": "Synced", "revision": sha}]
    done = _wait(plan, tmp_path, states, sha, "30")
    assert done.returncode == 0, done.stderr
    assert _FakeApplications.paths[-1] == f"/apis/argoproj.io/v1alpha1/namespaces/{ARGO_CD}/applications/{NAME}"
    assert len(_FakeApplications.paths) == 3


def test_the_wait_fails_clearly_when_the_commit_is_never_synced(plan, tmp_path):
    sha = "a" * 40
    done = _wait(plan, tmp_path, [{"status": "Synced", "revision": "b" * 40}], sha, "0.3")
    assert done.returncode == 1
    assert f"Argo CD did not sync {sha} within 0.3 seconds" in done.stderr and f"Synced at {'b' * 40}" in done.stderr


def test_the_wait_is_the_run_s_first_step_in_every_definitions_trigger(plan):
    for sensor in plan.manifests("Sensor"):
        for trigger in sensor["spec"]["triggers"]:
            workflow = trigger["template"]["argoWorkflow"]["source"]["resource"]
            if workflow["metadata"]["namespace"] == NAMESPACE:
                assert workflow["spec"]["serviceAccountName"] == naming.SYNC_WAITER_SERVICE_ACCOUNT
                assert workflow["spec"]["templates"][0]["steps"][0][0]["template"] == sync_wait.WAIT_TEMPLATE


# --- the guardrails, as the API server evaluates the admission policy -----------------------------

CONTROLLER = "system:serviceaccount:argocd:argocd-application-controller"
RUNNER_SPEC = {"serviceAccountName": "wf-runner", "entrypoint": "main", "templates": [{"name": "main", "container": {"image": "busybox"}}]}


@pytest.fixture
def admission(plan):
    admission_checks = pytest.importorskip(
        "tests.integration.admission_checks", reason="needs cel-python (requirements-dev.lock): make setup-test"
    )
    [policy] = plan.manifests("ValidatingAdmissionPolicy")
    [binding] = plan.manifests("ValidatingAdmissionPolicyBinding")
    labels = {ns["metadata"]["name"]: ns["metadata"]["labels"] for ns in plan.manifests("Namespace")}

    def denials(manifest, operation="CREATE", old=None, username=CONTROLLER, namespace=NAMESPACE):
        resource = f"{manifest['kind'].lower()}s"
        request = admission_checks.Request(operation, resource, namespace, username, manifest, old)
        return admission_checks.Admission(policy, binding).denials(request, labels.get(namespace, {}))

    return denials


def synced(kind="WorkflowTemplate", name="main", **spec):
    body = copy.deepcopy(RUNNER_SPEC)
    body.update(spec)
    body = {key: value for key, value in body.items() if value is not None}
    if kind == "CronWorkflow":
        body = {"schedule": "0 * * * *", "workflowSpec": body}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": kind, "metadata": {"name": name, "namespace": NAMESPACE}, "spec": body}


@pytest.mark.parametrize("kind", ["WorkflowTemplate", "CronWorkflow", "Workflow"])
def test_a_definition_within_the_guardrails_is_admitted(admission, kind):
    assert admission(synced(kind, artifactRepositoryRef={"configMap": "artifact-repositories", "key": "default-v1"})) == []


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"serviceAccountName": "default"}, "set serviceAccountName: wf-runner (the tenant's runner)"),
        ({"serviceAccountName": None}, "set serviceAccountName: wf-runner (the tenant's runner)"),
        ({"templates": [{"name": "main", "serviceAccountName": "wf-sync-waiter", "container": {"image": "x"}}]}, "templates run as wf-runner: remove their serviceAccountName"),
        ({"podSpecPatch": '{"serviceAccountName": "default"}'}, "podSpecPatch is not allowed"),
        ({"executor": {"serviceAccountName": "default"}}, "executor is not allowed: the executor runs as the workflow's service account"),
        ({"hostNetwork": True}, "hostNetwork is not allowed"),
        ({"artifactRepositoryRef": {"configMap": "someone-elses"}}, "artifactRepositoryRef must name the ConfigMap artifact-repositories (or be left out)"),
        ({"templates": [{"name": "main", "archiveLocation": {"s3": {"bucket": "elsewhere"}}, "container": {"image": "x"}}]}, "archiveLocation may only set archiveLogs: logs go to the namespace's artifact repository"),
    ],
)
def test_a_definition_outside_the_guardrails_is_refused(admission, spec, message):
    for kind in ("WorkflowTemplate", "CronWorkflow"):
        assert admission(synced(kind, **spec)) == [message]


def test_names_are_refused_past_argos_limits(admission):
    assert admission(synced(name="x" * 63)) == []
    assert admission(synced(name="x" * 64)) == ["names are at most 63 characters (a label value of each run)"]
    assert admission(synced("CronWorkflow", name="x" * 52)) == []
    assert admission(synced("CronWorkflow", name="x" * 53)) == ["CronWorkflow names are at most 52 characters"]


def test_the_platforms_objects_are_neither_taken_over_nor_imitated(admission, plan):
    generated = plan.manifest("WorkflowTemplate", NAMESPACE, "nextflow-repo-runner")
    takeover = synced(name="nextflow-repo-runner")
    message = "objects managed by argo-tenants are the platform's: choose another name, and no managed-by label"
    assert admission(takeover, "UPDATE", old=generated) == [message]
    imitation = synced()
    imitation["metadata"]["labels"] = {"app.kubernetes.io/managed-by": "argo-tenants"}
    assert admission(imitation) == [message]


def test_only_what_argo_cd_syncs_in_a_definitions_namespace_is_held(admission):
    outside = synced(serviceAccountName="default")
    assert admission(outside, username="system:serviceaccount:argo-events:argo-tenants-sensor") == []
    assert admission(outside, namespace="wf-acme-beta") == []
    assert admission(outside) != []
