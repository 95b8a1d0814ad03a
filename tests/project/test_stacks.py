"""Every stack of the project read once: settings or the problem that stops them, tenants directory, lines."""

import re

import pytest

from tenancy.project.stacks import ProjectError, project_stacks, read_stacks
from tenancy.project.shard_layout import entries, problems
from tests.support.cli_project import add_shard_stack, make_project, shard_of_line
from tests.support.program import PROJECT_DIR


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_stack_is_read_with_its_settings():
    stacks = read_stacks(PROJECT_DIR)
    assert stacks.checked == ("dev", "prod")
    assert {name: settings.environment for name, settings in stacks.settings.items()} == {"dev": "dev", "prod": "prod"}
    assert stacks["prod"].config["argo-tenants:bucketNames"] == {"suffix": ""}


def test_a_stack_with_bad_settings_has_the_problem_instead(project):
    make_project(project, {"dev": {"argo-tenants:webhookBaseUrl": "not a url"}, "prod": {}})
    stacks = read_stacks(project)
    assert stacks["dev"].settings is None and list(stacks.settings) == ["prod"]
    assert stacks["dev"].problem.field == "argo-tenants:webhookBaseUrl"


def test_the_tenants_directory_is_resolved_against_the_project(project):
    make_project(project, {"dev": {"argo-tenants:tenantsDir": "registrations"}, "prod": {}})
    stacks = read_stacks(project)
    assert (stacks["dev"].tenants_dir, stacks["prod"].tenants_dir) == (project / "registrations", project / "tenants")


def test_the_tenants_directory_may_be_resolved_against_another_tree(project, tmp_path_factory):
    make_project(project, {"dev": {"argo-tenants:tenantsDir": "registrations"}})
    working_tree = tmp_path_factory.mktemp("working-tree")
    assert read_stacks(project, tenants_base=working_tree)["dev"].tenants_dir == working_tree / "registrations"


def test_the_tenants_directory_is_known_even_where_other_settings_are_invalid(project):
    make_project(project, {"dev": {"argo-tenants:tenantsDir": "registrations", "aws:region": None}})
    stack = read_stacks(project)["dev"]
    assert stack.settings is None and stack.tenants_dir == project / "registrations"


def test_new_files_go_to_the_first_valid_stacks_tenants_directory(project):
    make_project(project, {"dev": {"aws:region": None, "argo-tenants:tenantsDir": "dev-only"}, "prod": {"argo-tenants:tenantsDir": "registrations"}})
    assert read_stacks(project).default_tenants_dir == project / "registrations"


def test_without_a_valid_stack_new_files_go_to_tenants(project):
    make_project(project, {"dev": {"aws:region": None}})
    assert read_stacks(project).default_tenants_dir == project / "tenants"


def test_a_command_limited_to_one_stack_checks_only_it(project):
    make_project(project)
    stacks = project_stacks(project, "prod")
    assert stacks.checked == ("prod",) and list(stacks.settings) == ["prod"]
    assert set(stacks.by_name) == {"dev", "prod"}


@pytest.mark.parametrize("stacks, stack, message", [
    (None, None, "no Pulumi.yaml in "),
    ({}, None, "no stack settings (Pulumi.<stack>.yaml) in "),
    ({"dev": {}}, "staging", "no stack 'staging' (Pulumi.staging.yaml); known stacks: dev"),
])
def test_where_a_command_cannot_run(project, stacks, stack, message):
    if stacks is not None:
        make_project(project, stacks)
    with pytest.raises(ProjectError, match=re.escape(message)):
        project_stacks(project, stack)


def test_a_settings_problem_finds_its_line_in_the_kept_stack_file(project):
    make_project(project, {"prod": {}})
    of_line = shard_of_line(add_shard_stack(project, "dev", "a", ["a", "b"]))
    stacks = read_stacks(project)
    # Gone from disk: the line can only come from the document kept when the stack was read.
    (project / "Pulumi.dev-a.yaml").unlink()
    [problem] = problems(entries(stacks.settings))
    located = stacks["dev-a"].locate(problem)
    assert (located.file, located.line, located.field) == ("Pulumi.dev-a.yaml", of_line, "argo-tenants:shard.of")


def test_a_stack_file_with_yaml_anchors_is_read_without_lines(project):
    make_project(project, {"prod": {}})
    text = (project / "Pulumi.prod.yaml").read_text()
    text = text.replace("argo-tenants:runnerImage: nextflow/nextflow:25.04.6", "argo-tenants:runnerImage: &image nextflow/nextflow:25.04.6\n  argo-tenants:secretRefreshInterval: *image")
    (project / "Pulumi.prod.yaml").write_text(text)
    stack = read_stacks(project)["prod"]
    assert stack.settings.secret_refresh_interval == "nextflow/nextflow:25.04.6"
    assert stack.document is None
