"""The registration summary: one class the program exports and the plan reads back, under the keys
plan documents already hold (an older revision's plan is read by `plan --base`)."""

from tenancy.model.summary import RegistrationSummary

SUMMARY = RegistrationSummary(
    repository="acme/lab",
    namespace="wf-acme-lab",
    workflow_template="nextflow-repo-runner",
    artifacts="s3://lab-artifacts/workflows/",
    data=None,
    buckets={"artifacts": "lab-artifacts"},
    iam_user="argo-tenants-dev-lab",
    vault_paths=["kv/argo/apps/lab/s3/artifacts", "kv/argo/apps/lab/github"],
    webhook_url="https://events.example.org/github/lab",
    paused=False,
    admin_users=["lead@acme.org"],
    read_users=[],
    public=True,
    definitions={"repository": "https://github.com/acme/lab.git", "ref": "main", "path": "argo"},
    deployers=["jdoe"],
    refs={"branch": "main", "tags": False},
    runner={"executor": "local", "cpu": "1", "memory": "2Gi", "workDir": "/argo-tenants/work", "paramsFile": None, "profile": None},
    guardrails={"podSecurity": "baseline", "quota": {"cpu": "16", "memory": "64Gi", "pods": 50}, "containerMax": {"cpu": "4", "memory": "16Gi"}, "egressPorts": [443]},
)


def test_exported_under_the_keys_plan_documents_hold():
    assert list(SUMMARY.exported()) == [
        "repository", "namespace", "workflowTemplate", "artifacts", "data", "buckets", "iamUser",
        "vaultPaths", "webhookUrl", "paused", "adminUsers", "readUsers", "public", "definitions", "deployers",
        "refs", "runner", "guardrails",
    ]
    assert SUMMARY.exported()["iamUser"] == "argo-tenants-dev-lab"


def test_read_back_as_exported():
    assert RegistrationSummary.read(SUMMARY.exported()) == SUMMARY


def test_a_key_an_older_program_did_not_export_reads_as_none():
    older = {key: value for key, value in SUMMARY.exported().items() if key not in ("public", "adminUsers")}
    read = RegistrationSummary.read({**older, "retired": "a key this program does not know"})
    assert (read.public, read.admin_users, read.namespace) == (None, None, "wf-acme-lab")
