"""An upgrade that narrows what a registration can reach or renames what its users call is named by
`plan --base` and blocks: one test per kind on hand-made plan documents, and the real upgrade from the
previous release of this repository."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile

import pytest

from tenancy.cli.exit_codes import ExitCode
from tenancy.plan.diff import diff_plans
from tenancy.plan.narrowing import narrowing_line, narrowings
from tests.support.git_repo import git
from tests.support.program import PROJECT_DIR

# main before an artifact bucket without keyPrefix was limited to workflows/ (ffa8371) and before the push
# parameters were renamed to git_revision, git_ref, git_ref_name (66d729d): the previous release.
PREVIOUS_RELEASE = "41147100f820617639be20107597fa6e48274861"


def _document(*resources: dict) -> dict:
    return {"version": 1, "project": "p", "stack": "dev", "tenants": ["a"], "resources": list(resources), "outputs": {}}


def _resource(kind: str, name: str, inputs: dict) -> dict:
    return {
        "urn": f"urn:{name}", "type": kind, "name": name, "custom": True, "parent": None, "tenant": "a", "inputs": inputs,
        "protect": False, "retainOnDelete": False, "deleteBeforeReplace": False, "replacementTrigger": None,
        "dependsOn": [], "provider": None,
    }


def _iam(*statements: dict) -> dict:
    policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return _resource("aws:iam/userPolicy:UserPolicy", "a-s3", {"name": "a-s3", "policy": policy})


OBJECTS = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}
LIST = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}


def test_a_key_prefix_that_narrows_the_objects_is_named():
    narrowed = {**OBJECTS, "Resource": "arn:aws:s3:::b/workflows/*"}
    [entry] = narrowings(_document(_iam(OBJECTS)), _document(_iam(narrowed)))
    assert (entry["kind"], entry["lost"]) == ("storage", ["s3:GetObject on arn:aws:s3:::b/*", "s3:PutObject on arn:aws:s3:::b/*"])


def test_a_condition_added_at_head_narrows_and_a_wider_grant_does_not():
    conditioned = {**LIST, "Condition": {"StringLike": {"s3:prefix": ["workflows/*"]}}}
    assert narrowings(_document(_iam(LIST)), _document(_iam(conditioned)))[0]["lost"] == ["s3:ListBucket on arn:aws:s3:::b"]
    wider = {**OBJECTS, "Action": "s3:*"}
    assert narrowings(_document(_iam(OBJECTS)), _document(_iam(wider))) == []
    assert narrowings(_document(_iam(conditioned)), _document(_iam(LIST))) == []


def test_a_vault_path_taken_away_is_named():
    def vault(paths: str) -> dict:
        return _resource("vault:index/policy:Policy", "a-vault", {"name": "a", "policy": paths})

    before = vault('path "kv/data/argo/apps/a/*" {\n  capabilities = ["read"]\n}\n')
    after = vault('path "kv/data/argo/apps/a/s3/*" {\n  capabilities = ["read"]\n}\n')
    [entry] = narrowings(_document(before), _document(after))
    assert entry["lost"] == ["read on kv/data/argo/apps/a/*"]
    assert narrowings(_document(after), _document(before)) == []


def test_a_role_that_loses_a_verb_is_named_and_a_moved_namespace_is_not():
    def role(namespace: str, verbs: list[str]) -> dict:
        rules = [{"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": verbs}]
        return _resource("kubernetes:rbac.authorization.k8s.io/v1:Role", f"{namespace}-reader", {"metadata": {"name": "tenant-reader", "namespace": namespace}, "rules": rules})

    [entry] = narrowings(_document(role("wf-a", ["get", "list"])), _document(role("wf-a", ["get"])))
    assert (entry["object"], entry["lost"]) == ("wf-a/tenant-reader", ["list argoproj.io/workflows"])
    assert narrowings(_document(role("wf-a", ["get"])), _document(role("wf-b", ["get"]))) == []


def test_renamed_template_parameters_are_named_with_the_new_ones():
    def template(*names: str) -> dict:
        spec = {"arguments": {"parameters": [{"name": name} for name in names]}}
        return _resource("kubernetes:argoproj.io/v1alpha1:WorkflowTemplate", "a-template", {"metadata": {"name": "runner", "namespace": "wf-a"}, "spec": spec})

    [entry] = narrowings(_document(template("revision", "ref")), _document(template("git_revision", "git_ref")))
    assert (entry["kind"], entry["lost"], entry["now"]) == ("parameters", ["revision", "ref"], ["git_revision", "git_ref"])
    assert "whoever submits it by name must rename them" in narrowing_line(entry)


def test_a_narrowing_blocks_the_diff():
    narrowed = {**OBJECTS, "Resource": "arn:aws:s3:::b/workflows/*"}
    diff = diff_plans(_document(_iam(OBJECTS)), _document(_iam(narrowed)))
    assert diff["offboarding"]["blocking"] and diff["offboarding"]["narrowing"][0]["tenant"] == "a"


def _has_release() -> bool:
    found = subprocess.run(["git", "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"], cwd=PROJECT_DIR, capture_output=True)
    return found.returncode == 0


LEGACY = """# yaml-language-server: $schema=../docs/tenant.schema.json
apiVersion: platform.calypr.io/v1alpha1
kind: RepoRegistration
metadata:
  name: legacy
spec:
  repoUrl: https://github.com/myorg/legacy.git
  tenant: myteam
  artifactBucket:
    bucket: legacy-artifacts
"""


@pytest.mark.skipif(not _has_release(), reason=f"{PREVIOUS_RELEASE[:12]} is not in this clone's history (a shallow clone): fetch it")
def test_the_upgrade_from_the_previous_release_is_flagged(tmp_path):
    # The previous release with a registration that never wrote keyPrefix, committed; then this program over
    # the same tenant files: what `plan --base <release> --program each` shows an operator upgrading.
    archive = subprocess.run(["git", "archive", PREVIOUS_RELEASE], cwd=PROJECT_DIR, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp_path, filter="data")
    (tmp_path / "tenants" / "legacy.yaml").write_text(LEGACY)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "release")
    for part in ("__main__.py", "Pulumi.yaml", "Pulumi.dev.yaml"):
        (tmp_path / part).write_bytes((PROJECT_DIR / part).read_bytes())
    for package in ("components", "tenancy"):
        shutil.rmtree(tmp_path / package)
        shutil.copytree(PROJECT_DIR / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    # What this release's validate writes itself (CODEOWNERS from the tenant files' owners), as an upgrade would.
    subprocess.run([sys.executable, "-m", "tenancy", "validate", "--fix"], cwd=tmp_path, capture_output=True, check=False)
    command = [sys.executable, "-m", "tenancy", "plan", "--stack", "dev", "--base", "main", "--program", "each", "--format", "json"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == ExitCode.OFFBOARDING, result.stderr
    narrowed = json.loads(result.stdout)["offboarding"]["narrowing"]
    storage = [entry for entry in narrowed if entry["kind"] == "storage"]
    assert [entry["tenant"] for entry in storage] == ["legacy"]
    assert "s3:GetObject on arn:aws:s3:::legacy-artifacts-dev/*" in storage[0]["lost"]
    parameters = {entry["tenant"]: entry for entry in narrowed if entry["kind"] == "parameters"}
    assert "legacy" in parameters and "revision" in parameters["legacy"]["lost"] and "git_revision" in parameters["legacy"]["now"]
