"""Shard stacks from the command line: `shards` lists them for CI, `validate` checks them all together."""

import json

import pytest
import yaml

from tests.support.cli_project import add_shard_stack, make_project, run_cli, shard_of_line, write_tenant_file
from tests.support.program import registration


@pytest.fixture
def sharded(tmp_path, monkeypatch):
    """dev split into shards a and b (Pulumi.dev-a.yaml, Pulumi.dev-b.yaml); prod unsharded."""
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, {"prod": {}})
    for shard in ("a", "b"):
        add_shard_stack(tmp_path, "dev", shard, ["a", "b"])
    return tmp_path


def write(project, document):
    (project / "tenants" / f"{document['metadata']['name']}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


def test_shards_lists_every_stack_with_its_environment_and_shard_for_ci(sharded, capsys):
    code, out, _ = run_cli(capsys, "shards", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "version": 1,
        "stacks": [
            {"stack": "dev-a", "environment": "dev", "shard": "a", "of": ["a", "b"]},
            {"stack": "dev-b", "environment": "dev", "shard": "b", "of": ["a", "b"]},
            {"stack": "prod", "environment": "prod", "shard": None, "of": None},
        ],
        "environments": {"dev": ["dev-a", "dev-b"], "prod": ["prod"]},
    }


def test_shards_text_says_how_each_environment_is_deployed(sharded, capsys):
    _, out, _ = run_cli(capsys, "shards")
    assert out.splitlines() == [
        "dev: 2 shards",
        "  shard a            stack dev-a",
        "  shard b            stack dev-b",
        "prod: stack prod (unsharded)",
    ]


def test_shards_refuses_to_list_stacks_that_leave_a_shard_undeployed(sharded, capsys):
    (sharded / "Pulumi.dev-b.yaml").unlink()
    code, out, err = run_cli(capsys, "shards", "--format", "json")
    assert (code, out) == (1, "")
    line = shard_of_line(sharded / "Pulumi.dev-a.yaml")
    assert f"Pulumi.dev-a.yaml:{line}: argo-tenants:shard.of: lists shard 'b', which has no stack" in err


def test_validate_reports_a_shard_without_a_stack_at_its_setting(sharded, capsys):
    (sharded / "Pulumi.dev-b.yaml").unlink()
    code, out, _ = run_cli(capsys, "validate")
    assert code == 1
    [line] = [line for line in out.splitlines() if "has no stack" in line]
    # The line of `of:` under argo-tenants:shard in the file add_shard_stack wrote.
    assert line.startswith(f"Pulumi.dev-a.yaml:{shard_of_line(sharded / 'Pulumi.dev-a.yaml')}: argo-tenants:shard.of: lists shard 'b'")
    assert "add Pulumi.dev-b.yaml" in line


def test_validate_reports_an_unsharded_stack_beside_shard_stacks(sharded, capsys):
    make_project(sharded, {"dev": {}})
    code, out, _ = run_cli(capsys, "validate")
    assert code == 1
    # The line of `config:`, where the setting is missing.
    assert "Pulumi.dev.yaml:1: argo-tenants:shard: is not set, but stacks dev-a, dev-b split environment dev" in out


def test_validate_reports_a_missing_shard_once_for_all_shard_stacks(sharded, capsys):
    write(sharded, registration("alpha"))
    _, out, _ = run_cli(capsys, "validate")
    assert [line for line in out.splitlines() if "spec.shard" in line] == [
        "tenants/alpha.yaml:5: spec.shard: is required because environment dev is split into shards a, b "
        "(stack setting shard); add shard: <one of them> [stack dev-a, dev-b]"
    ]


def test_validate_compares_buckets_across_environments_for_every_shard(sharded, capsys):
    # beta (shard b) gets the prod bucket name that is alpha's (shard a) bucket in dev.
    write(sharded, registration("alpha", shard="a", artifactBucket={"bucket": "x-artifacts"}))
    write(sharded, registration("beta", shard="b", artifactBucket={"bucket": "x-artifacts-dev"}))
    code, out, _ = run_cli(capsys, "validate")
    assert code == 1
    assert "tenants/beta.yaml:9: spec.artifactBucket.bucket: becomes bucket 'x-artifacts-dev' in environment 'prod'" in out


def test_new_writes_the_shard_it_is_given(sharded, capsys):
    code, _, err = run_cli(capsys, "new", "rna-seq", "--repo", "https://github.com/acme/rna-seq.git", "--shard", "b")
    assert code == 0, err
    assert yaml.safe_load((sharded / "tenants" / "rna-seq.yaml").read_text())["spec"]["shard"] == "b"
    assert run_cli(capsys, "validate")[0] == 0


def test_the_shard_stack_example_of_the_guide_is_valid(sharded, capsys):
    import re

    from tests.support.program import PROJECT_DIR

    guide = (PROJECT_DIR / "docs" / "sharding.md").read_text()
    [example] = [block for block in re.findall(r"```yaml\n(.*?)```", guide, re.DOTALL) if "argo-tenants:shard:" in block]
    for shard in ("a", "b", "c"):
        text = example.replace("name: a", f"name: {shard}").replace("example.org/a", f"example.org/{shard}")
        (sharded / f"Pulumi.dev-{shard}.yaml").write_text(text)
    code, out, err = run_cli(capsys, "shards")
    assert code == 0, err
    assert out.splitlines()[0] == "dev: 3 shards"


def test_the_deploy_gate_refuses_a_prod_registration_claiming_devs_bucket(tmp_path, capsys, monkeypatch):
    # validate refuses it (bucket names are global); the deploy gate must too, by the same rule.
    monkeypatch.chdir(tmp_path)
    project = make_project(tmp_path, {"dev": {}, "prod": {}})
    write_tenant_file(project, registration("alpha"))
    write_tenant_file(project, registration("intruder", environments=["prod"], artifactBucket={"bucket": "alpha-artifacts-dev"}))
    validated, _, _ = run_cli(capsys, "validate")
    code, out, err = run_cli(capsys, "shards", "--format", "json")
    assert validated == 1
    assert (code, out) == (1, "")
    assert "alpha-artifacts-dev" in err and "intruder.yaml" in err
