"""Which registrations a comparison must build: those whose tenant file differs between the two
revisions. The others are taken as untouched, because they are.

The verdict (`plan --base B --head H --program current`) plans both revisions with the running
program. When Pulumi.yaml and Pulumi.<stack>.yaml are the same bytes at both revisions, and so is
everything in the tenants directory besides tenant files (the record of retired buckets), a
tenant file with the same bytes at both is the same registration under the same settings, run
through the same program: it registers the same resources on both sides, which cancel out of the
diff. So only the registrations whose file was added, removed or edited (a rename is both) are
built, on both sides. Every file is still read and validated, alone and across files, and what is
derived from every registration (the GitHub providers, the webhook store's policy, event routing,
the exports of what is skipped or retired) is still built from all of them: the program
(__main__.py) leaves out nothing but the untouched registrations' own resources.

That a registration's resources depend on nothing but its file, the settings and those shared
objects' names is what tests/plan/test_incremental.py proves on every registration of a project:
built alone or among all, each registers the same resources.

Anything else is planned in full: each side with its own program (`--program each`), a side
that is the working tree, a stack new or removed, a settings or retired-buckets change, a revision
that cannot be read (the full plan says why), or `--full-plan`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tenancy.plan import git_snapshot
from tenancy.project.stacks import PROJECT_FILE, read_stacks, stack_file_name
from tenancy.project.tenant_names import registration_named, registrations_in


def registrations_to_plan(
    project_dir: Path, stack: str, base: str | None, head: str | None, tenants_dir: Path | None, scratch: Path
) -> frozenset[str] | None:
    """The registrations whose files differ between the revisions `base` and `head` (added, removed
    or edited) when both are planned with the running program and the rest are provably untouched;
    None when everything must be planned.

    `tenants_dir` is --tenants-dir (None: the stack's tenantsDir, the same at both revisions here).
    """
    if base is None or head is None:
        return None
    try:
        commits = [git_snapshot.resolve(project_dir, ref) for ref in (base, head)]
        settings = [git_snapshot.blob_ids(project_dir, commit, project_dir, recursive=False) for commit in commits]
        names = (PROJECT_FILE, stack_file_name(stack))
        if any(name not in side for side in settings for name in names):
            return None
        if any(settings[0][name] != settings[1][name] for name in names):
            return None
        if tenants_dir is None:
            snapshot = git_snapshot.stack_files(project_dir, head, scratch)
            tenants_dir = read_stacks(snapshot.directory, tenants_base=project_dir)[stack].tenants_dir
        before, after = (git_snapshot.blob_ids(project_dir, commit, tenants_dir.resolve()) for commit in commits)
    except Exception:  # whatever cannot be read here, the full plan reads again and reports
        return None
    changed: set[str] = set()
    for path in set(before) | set(after):
        if before.get(path) == after.get(path):
            continue
        name = registration_named(path)
        if name is None:
            return None  # the retired buckets, or anything not a tenant file: it may concern every file
        changed.add(name)
    return frozenset(changed)


def with_untouched(document: dict[str, Any], tenants_dir: Path) -> dict[str, Any]:
    """A plan built for some registrations (`registrations_to_plan`), listing every registration the
    stack deploys, as the full plan would: the untouched ones count as untouched in the diff.

    The program ran without error, so every file is a valid registration named by its file, and
    it exports those the stack does not deploy (`skipped`)."""
    skipped = set((document.get("outputs") or {}).get("skipped") or {})
    deployed = (registrations_in(tenants_dir) - skipped) | set(document["tenants"])
    return {**document, "tenants": sorted(deployed)}
