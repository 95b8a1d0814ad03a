"""The verdict builds only the registrations a change touches (tenancy.plan.incremental), and says
exactly what building all of them says.

One git repository: `base` has dev split into shards a and b; alpha, beta (shard b),
gamma and delta (another owner, a data bucket). Every change of the corpus is a commit on its own
branch from `base`, compared as CI's verdict compares it (`--all-stacks --head --program current`),
once with the shortcut and once with --full-plan: the same exit code, diff (JSON), notices and
pull-request comment, stack by stack.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
import yaml

from tenancy.plan import comment
from tenancy.plan.approvals import Approvals
from tenancy.plan.document import plan_document
from tenancy.plan.engine import simulate
from tenancy.plan.revisions import CURRENT, EACH, Request, _registrations_to_plan, compare, stacks_to_plan
from tests.support.cli_project import add_shard_stack
from tests.support.git_repo import git, program_repo, write
from tenancy.project.stacks import stack_config
from tenancy.project.tenant_names import registrations_in
from tests.support.program import PROJECT_DIR, registration

RETIRED = "tenants/_retired-buckets.yaml"


def alpha(**spec):
    return registration("alpha", **{"shard": "a", "readUsers": ["a@example.org"], **spec})


def delta(**spec):
    body = {"repoUrl": "https://github.com/other-org/delta.git", "dataBucket": {"bucket": "delta-data", "region": "us-west-2"}}
    return registration("delta", shard="b", **{**body, **spec})


def onboard(root: Path) -> None:
    write(root, registration("epsilon", shard="a"))


def onboard_new_owner(root: Path) -> None:
    # A new owner: a new GitHub provider, shared by that owner's registrations.
    write(root, registration("zeta", shard="b", repoUrl="https://github.com/third-org/zeta.git"))


def offboard(root: Path) -> None:
    (root / "tenants" / "gamma.yaml").unlink()


def offboard_recorded(root: Path) -> None:
    offboard(root)
    retired = [{"bucket": "gamma-artifacts-dev", "registration": "gamma", "environment": "dev"}]
    (root / RETIRED).write_text(yaml.safe_dump({"retiredBuckets": retired}))


def edit(root: Path) -> None:
    write(root, alpha(readUsers=["b@example.org"]))


def edit_shared(root: Path) -> None:
    # delta changes owner: its webhook, the event routing and the GitHub providers all change.
    write(root, delta(repoUrl="https://github.com/acme/delta.git"))


def rename(root: Path) -> None:
    (root / "tenants" / "beta.yaml").unlink()
    write(root, registration("beta2", shard="b", artifactBucket={"bucket": "beta-artifacts"}))


def shard_move(root: Path) -> None:
    write(root, alpha(shard="b"))


def settings_change(root: Path) -> None:
    path = root / "Pulumi.dev-a.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["argo-tenants:runnerImage"] = "nextflow/nextflow:25.04.7"
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def program_change(root: Path) -> None:
    # --program current never reads the head's program: a change to it changes no plan.
    main = root / "__main__.py"
    main.write_text(main.read_text() + '\npulumi.export("extra", "from the pull request")\n')


def whitespace(root: Path) -> None:
    # Another byte, the same registration: it is built on both sides, and nothing changes.
    path = root / "tenants" / "beta.yaml"
    path.write_text(path.read_text() + "\n")


def nothing(root: Path) -> None:
    (root / "README.md").write_text("a change outside the project's files\n")


def invalid(root: Path) -> None:
    write(root, registration("eta", repoUrl="not-a-url"))


# Each change, and what the shortcut builds (None: everything, the full plan).
CORPUS: dict[str, tuple[Callable[[Path], None], frozenset[str] | None]] = {
    "onboard": (onboard, frozenset({"epsilon"})),
    "onboard-new-owner": (onboard_new_owner, frozenset({"zeta"})),
    "offboard": (offboard, frozenset({"gamma"})),
    "retired-buckets": (offboard_recorded, None),
    "edit": (edit, frozenset({"alpha"})),
    "shared-objects": (edit_shared, frozenset({"delta"})),
    "rename": (rename, frozenset({"beta", "beta2"})),
    "shard-move": (shard_move, frozenset({"alpha"})),
    "settings": (settings_change, None),
    "program": (program_change, frozenset()),
    "whitespace": (whitespace, frozenset({"beta"})),
    "nothing": (nothing, frozenset()),
    "invalid": (invalid, frozenset({"eta"})),
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = program_repo(tmp_path_factory.mktemp("incremental"))
    for shard in ("a", "b"):
        add_shard_stack(root, "dev", shard, ["a", "b"])
    write(root, alpha())
    write(root, registration("beta", shard="b"))
    write(root, registration("gamma", shard="a"))
    write(root, delta())
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "tag", "base")
    for name, (change, _) in CORPUS.items():
        git(root, "checkout", "-q", "-b", name, "base")
        change(root)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", name)
    git(root, "checkout", "-q", "base")  # main's working tree, as in CI: the head is read as data only
    return root


def verdict(repo: Path, head: str, *, full_plan: bool, allow: bool = False, program: str = CURRENT) -> list:
    request = Request(
        project_dir=repo, all_stacks=True, base="base", head=head, program=program,
        approvals=Approvals(local_offboarding=allow), full_plan=full_plan,
    )
    return compare(request, stacks_to_plan(request))


def outcome(reports: list) -> tuple:
    """Everything the verdict hands on: per stack its code, diff, problem and notice; the comment."""
    return [(r.stack, r.code, r.diff, r.problem, r.notice) for r in reports], comment.render(reports, 60_000)


@pytest.mark.parametrize("change", sorted(CORPUS))
def test_the_shortcut_builds_only_the_changed_registrations(repo, change):
    # dev-a: the stack whose settings the settings change changes.
    request = Request(repo, base="base", head=change, program=CURRENT)
    assert _registrations_to_plan(request, "dev-a", repo.parent / f"scratch-{change}") == CORPUS[change][1]


@pytest.mark.parametrize("change", sorted(CORPUS))
def test_the_verdict_is_the_full_plans(repo, change):
    shortcut, full = outcome(verdict(repo, change, full_plan=False)), outcome(verdict(repo, change, full_plan=True))
    assert shortcut == full


def test_an_accepted_offboarding_is_the_full_plans_too(repo):
    shortcut = outcome(verdict(repo, "offboard", full_plan=False, allow=True))
    assert shortcut == outcome(verdict(repo, "offboard", full_plan=True, allow=True))


def test_untouched_registrations_are_counted_as_the_full_plan_counts_them(repo):
    [dev_a, _] = verdict(repo, "onboard", full_plan=False)
    assert dev_a.diff["summary"]["tenants"] == {"onboarded": 1, "offboarded": 0, "changed": 0, "untouched": 2}


def test_each_side_with_its_own_program_is_planned_in_full(repo):
    request = Request(repo, base="base", head="edit", program=EACH)
    assert _registrations_to_plan(request, "dev-a", repo.parent / "scratch-each") is None


def test_a_side_that_is_the_working_tree_is_planned_in_full(repo):
    request = Request(repo, base="base", program=CURRENT)
    assert _registrations_to_plan(request, "dev-a", repo.parent / "scratch-worktree") is None


def test_full_plan_builds_everything(repo):
    request = Request(repo, base="base", head="edit", program=CURRENT, full_plan=True)
    assert _registrations_to_plan(request, "dev-a", repo.parent / "scratch-full") is None


def test_a_stack_new_at_head_is_planned_in_full(repo):
    request = Request(repo, base="base", head="edit", program=CURRENT)
    assert _registrations_to_plan(request, "dev-c", repo.parent / "scratch-new") is None


# The proof the shortcut rests on: a registration registers the same resources whether the program
# builds it alone or among all the others, so an untouched one cancels out of any diff.


def _by_tenant(plan) -> dict[str | None, list]:
    document = plan_document(plan)
    found: dict[str, list] = {}
    for resource in document["resources"]:
        found.setdefault(resource["tenant"], []).append(resource)
    return found


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_registration_registers_the_same_resources_alone_as_among_all(stack):
    tenants = PROJECT_DIR / "tests" / "fixtures" / "tenants"
    overrides = {"argo-tenants:tenantsDir": str(tenants)}
    everything = _by_tenant(simulate(PROJECT_DIR, stack, overrides))
    names = sorted(name for name in everything if name is not None)
    assert len(names) >= 3
    for name in names:
        alone = _by_tenant(simulate(PROJECT_DIR, stack, overrides, only_registrations=frozenset({name})))
        assert set(alone) == {name, None}
        assert alone[name] == everything[name], name
        # What belongs to no registration (providers, event routing, the webhook store) is built from all of them.
        assert alone[None] == everything[None], name


def test_pulumi_up_builds_every_registration_whatever_its_environment_says(tmp_path):
    # Only the offline plan's globals can name the registrations to build: the language host of
    # `pulumi up` runs the program with fresh globals (bench/language_host.py does as it does), and
    # no variable of its environment reaches them.
    tenants = PROJECT_DIR / "tests" / "fixtures" / "tenants"
    config = {**stack_config(PROJECT_DIR, "dev"), "argo-tenants:tenantsDir": str(tenants)}
    (tmp_path / "config.json").write_text(json.dumps(config))
    command = [
        sys.executable, str(PROJECT_DIR / "bench" / "language_host.py"), "--project", "argo-tenants", "--stack", "dev",
        "--root_directory", str(PROJECT_DIR), "--pwd", str(PROJECT_DIR), "--config", str(tmp_path / "config.json"), ".",
    ]
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_DIR), "PLAN_ONLY_REGISTRATIONS": "alpha"}
    hosted = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    offline = simulate(PROJECT_DIR, "dev", {"argo-tenants:tenantsDir": str(tenants)})
    assert json.loads(hosted.stdout.splitlines()[-1])["resources"] == len(offline.resources)
    assert len(_by_tenant(offline)) - 1 == len(registrations_in(tenants)) - len(offline.outputs["skipped"])
