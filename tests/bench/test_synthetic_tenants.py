"""The benchmark's synthetic tenants are valid, distinct and mixed the way a grown platform is."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.synthetic_tenants import GITHUB_OWNERS, synthetic_registration, write_synthetic_tenants
from tenancy.project.validation import validate_paths
from tests.support.program import PROJECT_DIR



def test_synthetic_tenants_pass_validate_against_every_stack(tmp_path):
    write_synthetic_tenants(tmp_path, 30)
    report = validate_paths(PROJECT_DIR, [tmp_path])
    assert report.ok, report.findings
    assert len(report.files) == 30


def test_the_same_index_always_gives_the_same_file():
    assert synthetic_registration(7) == synthetic_registration(7)
    assert synthetic_registration(7) != synthetic_registration(8)


def test_the_mix_has_data_buckets_fallback_buckets_users_and_several_owners():
    specs = [yaml.safe_load(synthetic_registration(index))["spec"] for index in range(30)]
    assert any("dataBucket" in spec for spec in specs)
    assert any("artifactBucket" not in spec for spec in specs)
    assert any("artifactBucket" in spec and "dataBucket" not in spec for spec in specs)
    assert any("adminUsers" not in spec and "readUsers" not in spec for spec in specs)
    owners = {spec["repoUrl"].split("/")[3] for spec in specs}
    assert owners == set(GITHUB_OWNERS)
