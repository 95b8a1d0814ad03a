"""`python -m tenancy import`: existing registrations to tenant files that validate and plan to what they said."""

import io
import re
from pathlib import Path

import pytest
import yaml

from tests.support.cli_project import add_shard_stack, make_project, run_cli
from tests.support.program import FIXTURES, PROJECT_DIR, run_program, stack_settings
from tests.support.registration_plan import mismatches
from tests.support.shared_files import SEEDS_ENV, missing_reason, shared_dir

IMPORTS = FIXTURES / "import"
SEEDS = shared_dir("seeds", SEEDS_ENV)
MINIO = "http://minio.minio-system.svc.cluster.local:9000"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path)


def imported_documents(directory: Path) -> list[dict]:
    return [yaml.safe_load(path.read_text()) for path in sorted(directory.glob("*.yaml"))]


def test_kubectl_list_imports_one_file_per_registration(project, capsys):
    code, out, _ = run_cli(capsys, "import", str(IMPORTS / "kubectl-list.yaml"))
    assert code == 0, out
    assert sorted(p.name for p in (project / "tenants").iterdir()) == [
        "my-nextflow-repo.yaml", "production-pipeline.yaml", "simple-repo.yaml",
    ]
    assert out.splitlines()[-1] == "valid: 3 tenant files checked for stacks dev, prod"


def test_kubectl_list_import_plans_what_the_registrations_said(project, capsys):
    run_cli(capsys, "import", str(IMPORTS / "kubectl-list.yaml"))
    plan = run_program("dev", tenants=project / "tenants")
    assert plan.error is None, plan.error
    for document in imported_documents(project / "tenants"):
        assert mismatches(plan, document, stack_settings("dev")) == []


def test_helm_values_import_validates(project, capsys):
    code, out, _ = run_cli(capsys, "import", str(IMPORTS / "helm-values.yaml"))
    assert code == 0, out
    assert out.splitlines()[-1] == "valid: 3 tenant files checked for stacks dev, prod"


def test_helm_values_import_plans_what_the_entries_said(project, capsys):
    run_cli(capsys, "import", str(IMPORTS / "helm-values.yaml"))
    for stack in ("dev", "prod"):
        plan = run_program(stack, tenants=project / "tenants")
        assert plan.error is None, plan.error
        for document in imported_documents(project / "tenants"):
            assert mismatches(plan, document, stack_settings(stack)) == []


def test_the_guides_applications_values_import_validate_and_plan_what_they_said(project, capsys):
    code, out, _ = run_cli(capsys, "import", str(IMPORTS / "helm-applications.yaml"))
    assert code == 0, out
    assert "dropped artifacts.credentialsSecret" in out and "changed tenant: set to the repository's owner 'bwalsh'" in out
    for stack in ("dev", "prod"):
        plan = run_program(stack, tenants=project / "tenants")
        assert plan.error is None, plan.error
        [document] = imported_documents(project / "tenants")
        assert mismatches(plan, document, stack_settings(stack)) == []


def test_import_reports_each_dropped_field_with_its_registration(project, capsys):
    _, out, _ = run_cli(capsys, "import", str(IMPORTS / "helm-values.yaml"))
    section = out.split("tenants/nextflow-hello-project.yaml: from repoRegistrations[1]", 1)[1].split("tenants/", 1)[0]
    dropped = re.findall(r"^  dropped (\S+):", section, re.MULTILINE)
    assert dropped == [
        "githubSecretName", "artifactBucket.externalSecretPath", "namespace", "githubSecretPath", "eventName", "events",
    ]


def test_the_minio_seed_is_refused_on_aws_stacks_and_kept_for_fixing(project, capsys):
    code, out, _ = run_cli(capsys, "import", str(IMPORTS / "minio-manifest.yaml"))
    assert code == 1
    assert "tenants/dev-pipeline.yaml:13: spec.artifactBucket.hostname: 'http://minio.minio-system.svc.cluster.local:9000' is not an AWS S3 endpoint" in out
    assert (project / "tenants" / "dev-pipeline.yaml").is_file()


def test_the_minio_seed_validates_on_a_stack_whose_endpoint_is_that_minio(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, {"dev": {"argo-tenants:s3Endpoint": MINIO}})
    code, out, _ = run_cli(capsys, "import", str(IMPORTS / "minio-manifest.yaml"))
    assert code == 0, out


def test_the_minio_seed_plans_to_that_minio(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, {"dev": {"argo-tenants:s3Endpoint": MINIO}})
    run_cli(capsys, "import", str(IMPORTS / "minio-manifest.yaml"))
    plan = run_program("dev", tenants=tmp_path / "tenants", s3Endpoint=MINIO)
    assert plan.error is None, plan.error
    settings = stack_settings("dev").model_copy(update={"s3_endpoint": MINIO})
    [document] = imported_documents(tmp_path / "tenants")
    assert mismatches(plan, document, settings) == []


def test_an_existing_file_is_never_overwritten(project, capsys):
    existing = project / "tenants" / "simple-repo.yaml"
    existing.write_text("# mine\n")
    code, out, _ = run_cli(capsys, "import", str(IMPORTS / "kubectl-list.yaml"))
    assert code == 1
    assert "tenants/simple-repo.yaml: already exists; items[1] (argo/simple-repo) not imported (not overwritten)" in out
    assert existing.read_text() == "# mine\n"


def test_the_same_name_in_two_namespaces_imports_once(project, capsys):
    item = yaml.safe_load((IMPORTS / "minio-manifest.yaml").read_text())
    other = {**item, "metadata": {"name": "dev-pipeline", "namespace": "team-b"}}
    listing = project / "list.yaml"
    listing.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [item, other]}))
    code, out, _ = run_cli(capsys, "import", str(listing), "--out", "drafts")
    assert code == 1
    assert "items[1] (team-b/dev-pipeline) not imported" in out


def test_out_writes_elsewhere_with_the_schema_line_for_that_place(project, capsys):
    run_cli(capsys, "import", str(IMPORTS / "helm-values.yaml"), "--out", "drafts/helm")
    first = (project / "drafts" / "helm" / "genomics-pipeline.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../docs/tenant.schema.json"


def test_standard_input_is_read_with_a_dash(project, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO((IMPORTS / "helm-values.yaml").read_text()))
    code, _, _ = run_cli(capsys, "import", "-")
    assert code == 0
    assert "from standard input" in (project / "tenants" / "genomics-pipeline.yaml").read_text()


def test_a_file_without_registrations_exits_1(project, capsys):
    empty = project / "values.yaml"
    empty.write_text("repoRegistrations: []\n")
    code, _, err = run_cli(capsys, "import", str(empty))
    assert code == 1
    assert "holds no RepoRegistration" in err


def _seed_blocks() -> list[str]:
    """Every RepoRegistration example and `repoRegistrations:` or `applications:` values block of the platform documents."""
    blocks = []
    for path in sorted(SEEDS.glob("*.txt")):
        for block in re.findall(r"```yaml\n(.*?)```", path.read_text(), re.DOTALL):
            if "kind: RepoRegistration" in block or block.lstrip().startswith(("repoRegistrations:", "applications:")):
                blocks.append(block)
    return blocks


@pytest.mark.skipif(not SEEDS.is_dir(), reason=missing_reason("the platform documents", "seeds", SEEDS_ENV, "the seed *.txt files"))
def test_every_seed_example_imports_and_only_minio_needs_a_minio_stack(project, capsys):
    source = project / "seeds.yaml"
    source.write_text("---\n".join(_seed_blocks()))
    code, out, _ = run_cli(capsys, "import", str(source))
    problems = [line for line in out.splitlines() if re.match(r"^tenants/\S+:\d+: ", line)]
    assert len(list((project / "tenants").glob("*.yaml"))) == 6
    assert problems and all(line.startswith("tenants/dev-pipeline.yaml:") and "hostname" in line for line in problems)
    assert code == 1


def test_the_plan_comparison_notices_a_difference(project, capsys):
    # Guards the round trips above against passing vacuously.
    run_cli(capsys, "import", str(IMPORTS / "helm-values.yaml"))
    plan = run_program("dev", tenants=project / "tenants")
    document = yaml.safe_load((project / "tenants" / "genomics-pipeline.yaml").read_text())
    document["spec"]["tenant"] = "someone-else"
    document["spec"]["artifactBucket"]["keyPrefix"] = "elsewhere/"
    found = mismatches(plan, document, stack_settings("dev"))
    assert [line.split(" is ")[0] for line in found] == [
        "genomics-pipeline: tenant label", "genomics-pipeline: artifact key format",
    ]


def test_shard_is_set_on_imported_registrations_for_a_split_environment(project, capsys):
    (project / "Pulumi.dev.yaml").unlink()
    for shard in ("a", "b"):
        add_shard_stack(project, "dev", shard, ["a", "b"])
    code, out, _ = run_cli(capsys, "import", str(IMPORTS / "kubectl-list.yaml"), "--shard", "b")
    assert code == 0, out
    documents = imported_documents(project / "tenants")
    assert documents and {document["spec"]["shard"] for document in documents} == {"b"}
    assert "changed spec.shard: set to b (--shard)" in out


def test_without_shard_a_split_environment_refuses_the_imported_files(project, capsys):
    (project / "Pulumi.dev.yaml").unlink()
    for shard in ("a", "b"):
        add_shard_stack(project, "dev", shard, ["a", "b"])
    code, out, _ = run_cli(capsys, "import", str(IMPORTS / "kubectl-list.yaml"))
    assert code == 1
    assert "spec.shard: is required" in out


def test_the_charts_argo_cd_application_imports_as_definitions_that_name_their_branch(project, capsys):
    """The chart synced `path` at defaultBranch in every environment; here an environment that runs pushed
    tags only (prod) must name the branch its definitions follow, and `import` says so, keeping the file."""
    code, out, _ = run_cli(capsys, "import", str(IMPORTS / "helm-values-argo-cd.yaml"))
    [document] = imported_documents(project / "tenants")
    assert document["spec"]["definitions"] == {"path": "workflows/argo"}
    assert "project" not in document["spec"] and "syncPolicy" not in document["spec"]
    assert code == 1
    assert "spec.definitions: environment 'prod' runs pushed tags only" in out
    assert "set spec.refs.prod.branch (e.g. develop)" in out
