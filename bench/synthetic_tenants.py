"""Writes N valid, distinct tenant files for benchmarks: the mix a grown platform has.

Every third registration has a data bucket, every third uses the environment's fallback bucket
(no artifactBucket), the rest an artifact bucket only; repositories spread over several GitHub
owners (one provider each); some list admin and read users, some neither (fewer RBAC objects).
"""

from __future__ import annotations

from pathlib import Path

from tenancy.loading.loader import TENANT_SUFFIX

GITHUB_OWNERS = ("calypr", "ohsu-comp-bio", "research-lab", "genomics-core", "imaging-group", "bench-org", "data-team")


def synthetic_name(index: int) -> str:
    return f"bench-{index:05d}-pipeline"


def synthetic_registration(index: int) -> str:
    """The YAML text of registration number `index`; the same index always gives the same text."""
    name = synthetic_name(index)
    owner = GITHUB_OWNERS[index % len(GITHUB_OWNERS)]
    lines = [
        "apiVersion: platform.calypr.io/v1alpha1",
        "kind: RepoRegistration",
        "metadata:",
        f"  name: {name}",
        "spec:",
        f"  repoUrl: https://github.com/{owner}/{name}.git",
        f"  tenant: team-{index % 37:02d}",
    ]
    kind = index % 3
    if kind != 2:
        lines += [
            "  artifactBucket:",
            f"    bucket: {name}-artifacts",
            "    region: us-west-2",
            "    keyPrefix: workflows/",
        ]
    if kind == 0:
        lines += [
            "  dataBucket:",
            f"    bucket: {name}-data",
            "    region: us-west-2",
        ]
    if index % 4 != 3:
        lines += ["  adminUsers:", f"    - admin-{index}@example.org"]
    if index % 2 == 0:
        lines += ["  readUsers:", f"    - viewer-{index}@example.org", f"    - analyst-{index}@example.org"]
    return "\n".join(lines) + "\n"


def write_synthetic_tenants(directory: str | Path, count: int) -> list[Path]:
    """Write `count` tenant files into `directory` (created if missing) and return their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = directory / f"{synthetic_name(index)}{TENANT_SUFFIX}"
        path.write_text(synthetic_registration(index), encoding="utf-8")
        paths.append(path)
    return paths
