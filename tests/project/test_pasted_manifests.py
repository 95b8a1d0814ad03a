"""The platform documents' own registration examples, pasted unchanged into a scratch tenants directory,
validate with warnings only and plan; what they write that this project derives is named in a warning
and never used.

The examples are copied verbatim in tests/fixtures/seeds/registrations (so this runs on a fresh clone),
the MinIO one in examples/minio/tenants (below its comment lines); where the seed documents are
reachable (../shared/seeds), the copies are checked against them.
The MinIO example ("Full Configuration with MinIO", an http:// MinIO endpoint) plans on a MinIO stack
(examples/minio): an AWS stack creates its buckets in AWS S3 and refuses an endpoint it cannot honour.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.support.cli_project import run_cli
from tests.support.program import FIXTURES, PROJECT_DIR
from tests.support.shared_files import SEEDS_ENV, missing_reason, shared_dir

SEEDS = shared_dir("seeds", SEEDS_ENV)
COPIES = FIXTURES / "seeds" / "registrations"
MINIO_PROJECT = PROJECT_DIR / "examples" / "minio"
# Which project each example plans in: the MinIO one needs a MinIO stack, the rest are AWS examples.
PROJECT_OF = {
    "my-nextflow-repo": PROJECT_DIR,
    "simple-repo": PROJECT_DIR,
    "production-pipeline": PROJECT_DIR,
    "genomics-pipeline": PROJECT_DIR,
    "dev-pipeline": MINIO_PROJECT,
}
# Values the examples write that are derived here, each named in a warning and absent from every plan.
WRITTEN = ("my-repo-github-creds", "simple-repo-github", "prod-pipeline-github", "dev-pipeline-github", "argo/apps/my-repo/")


def copy_of(name: str) -> str:
    """The verbatim copy of an example: the fixture's text, or examples/minio's without its comment lines."""
    if PROJECT_OF[name] == MINIO_PROJECT:
        text = (MINIO_PROJECT / "tenants" / f"{name}.yaml").read_text()
        return "".join(line for line in text.splitlines(True) if not line.startswith("#"))
    return (COPIES / f"{name}.yaml").read_text()


def seed_examples() -> dict[str, str]:
    """Name -> text of every RepoRegistration example and `repoRegistrations:` block of the seed documents."""
    found = {}
    for path in sorted(SEEDS.glob("*.txt")):
        for block in re.findall(r"```yaml\n(.*?)```", path.read_text(), re.DOTALL):
            if "kind: RepoRegistration" in block or block.lstrip().startswith("repoRegistrations:"):
                document = yaml.safe_load(block)
                name = document["metadata"]["name"] if "metadata" in document else document["repoRegistrations"][0]["name"]
                found[name] = block
    return found


@pytest.mark.skipif(not SEEDS.is_dir(), reason=missing_reason("the platform documents", "seeds", SEEDS_ENV, "the seed *.txt files"))
def test_the_copies_are_the_seed_examples_verbatim():
    examples = seed_examples()
    assert set(examples) == set(PROJECT_OF), "a new example in the seeds: copy it and say which project it plans in"
    for name, text in examples.items():
        assert copy_of(name) == text, name


def _scratch(tmp_path, project) -> object:
    directory = tmp_path / "tenants"
    directory.mkdir()
    for name, owner in PROJECT_OF.items():
        if owner == project:
            (directory / f"{name}.yaml").write_text(copy_of(name))
    return directory


@pytest.mark.parametrize("project", [PROJECT_DIR, MINIO_PROJECT], ids=["aws", "minio"])
def test_the_examples_validate_with_warnings_only(tmp_path, capsys, project):
    scratch = _scratch(tmp_path, project)
    code, out, _ = run_cli(capsys, "validate", "--project-dir", str(project), "--format", "json", str(scratch))
    report = json.loads(out)
    assert (code, report["problems"]) == (0, [])
    fields = {(warning["file"].rsplit("/", 1)[-1], warning["field"]) for warning in report["warnings"]}
    if project == PROJECT_DIR:
        assert ("my-nextflow-repo.yaml", "spec.githubSecretName") in fields
        assert ("my-nextflow-repo.yaml", "spec.artifactBucket.externalSecretPath") in fields
        assert ("simple-repo.yaml", "metadata.namespace") in fields
        assert ("genomics-pipeline.yaml", "") in fields  # written as Helm values
        # production-pipeline's paths are its own (kv/argo/apps/production-pipeline/...): nothing to say.
        assert not any(file == "production-pipeline.yaml" and "externalSecretPath" in field for file, field in fields)
    else:
        assert fields == {("dev-pipeline.yaml", "metadata.namespace"), ("dev-pipeline.yaml", "spec.githubSecretName")}


@pytest.mark.parametrize(
    "project, stack", [(PROJECT_DIR, "dev"), (PROJECT_DIR, "prod"), (MINIO_PROJECT, "local")], ids=["dev", "prod", "minio"]
)
def test_the_examples_plan_with_the_warnings_at_the_top_and_the_written_values_unused(tmp_path, capsys, project, stack):
    scratch = _scratch(tmp_path, project)
    args = ("plan", "--project-dir", str(project), "--stack", stack, "--tenants-dir", str(scratch))
    code, out, _ = run_cli(capsys, *args, "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert sorted(document["tenants"]) == sorted(name for name, owner in PROJECT_OF.items() if owner == project)
    assert document["warnings"] and all(" is ignored: " in w or "Helm values" in w for w in document["warnings"])
    inputs = json.dumps([resource["inputs"] for resource in document["resources"]])
    assert not [value for value in WRITTEN if value in inputs]
    code, text, _ = run_cli(capsys, *args)
    head = text.split("\n\n", 1)[0]
    assert code == 0 and "warning: " in head and "githubSecretName" in head
