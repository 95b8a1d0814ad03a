"""`validate`'s checks across stacks: every tenant file is read once, whatever the number of stacks."""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from tenancy.loading import loader
from tenancy.loading.yaml_source import read_source
from tenancy.project.stacks import project_stacks
from tenancy.project.validation import check_new_file, check_paths, validate_paths
from tests.support.cli_project import add_shard_stack, make_project, shard_of_line, write_tenant_file
from tests.support.program import registration


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path)


@pytest.fixture
def reads(monkeypatch):
    """How often each file was read as text, by absolute path."""
    counted: Counter = Counter()
    read_text = Path.read_text

    def counting(path, *args, **kwargs):
        counted[Path(path).resolve()] += 1
        return read_text(path, *args, **kwargs)

    def counting_source(path):
        counted[Path(path).resolve()] += 1
        return read_source(path)

    monkeypatch.setattr(Path, "read_text", counting)
    # Tenant files are read by the loader's own bounded reader.
    monkeypatch.setattr(loader, "read_source", counting_source)
    return counted


def write(project, document):
    write_tenant_file(project, document)


def test_a_problem_across_environments_has_its_line_though_each_file_was_read_once(project, reads):
    # alpha's dev bucket is x-artifacts-dev; beta's prod bucket is the same name.
    write(project, registration("alpha", artifactBucket={"bucket": "x-artifacts"}))
    write(project, registration("beta", artifactBucket={"bucket": "x-artifacts-dev"}))
    report = check_paths(project_stacks(project), [])
    [finding] = report.findings
    assert (finding.problem.file, finding.problem.line, finding.stacks) == ("tenants/beta.yaml", 10, ("dev", "prod"))
    assert (reads[project / "tenants" / "alpha.yaml"], reads[project / "tenants" / "beta.yaml"]) == (1, 1)


def test_a_new_file_clashing_with_an_existing_one_reads_each_once(project, reads):
    write(project, registration("beta"))
    text = yaml.safe_dump(registration("alpha", repoUrl="https://github.com/acme/beta.git"), sort_keys=False)
    report = check_new_file(project_stacks(project), project / "tenants" / "alpha.yaml", text)
    [finding] = report.findings
    # The new file sorts first, yet it is the one blamed (it is what this change adds), naming the other.
    assert (finding.problem.file, finding.problem.line, finding.problem.field) == ("tenants/alpha.yaml", 6, "spec.repoUrl")
    assert "already registered by tenants/beta.yaml (beta)" in finding.problem.message
    assert reads[project / "tenants" / "beta.yaml"] == 1


def test_each_stack_file_is_read_once_and_a_layout_problem_finds_its_line(tmp_path, monkeypatch, reads):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, {"prod": {}})
    of_line = shard_of_line(add_shard_stack(tmp_path, "dev", "a", ["a", "b"]))
    report = validate_paths(tmp_path, [])
    [finding] = report.findings
    assert (finding.problem.file, finding.problem.line, finding.problem.field) == ("Pulumi.dev-a.yaml", of_line, "argo-tenants:shard.of")
    assert [reads[tmp_path / name] for name in ("Pulumi.yaml", "Pulumi.dev-a.yaml", "Pulumi.prod.yaml")] == [1, 1, 1]
