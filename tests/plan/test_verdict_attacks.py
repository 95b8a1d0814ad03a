"""The verdict against an attacker: each pull request below tries to change what `pulumi up` does, or who
gets in, without the plan saying so. Each must block with its reason in the comment's first lines,
and pass once the matching approval is given for its commit (and only then, and only by the right
people). Planned as CI plans: every stack, main's program, the branch's files as data.

The repository: `main` with alpha (owned by @alice) and beta, stacks dev and prod. Each other
branch is one pull request by @mallory.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from tenancy.cli.main import main
from tenancy.model import naming
from tenancy.plan.approvals import Approval, Approvals
from tenancy.plan.comment import render
from tenancy.plan.review import outcome, review

from tests.support.git_repo import git, program_repo, write
from tests.support.program import registration

AUTHOR = "mallory"
# A bucket of the platform's besides the fallback buckets, listed in platformBuckets at main.
PLATFORM_LOGS = "calypr-platform-logs"
PLATFORM = "platform-owner"
ALPHA = registration("alpha", owners=["@alice"], adminUsers=["alice@example.org"])


def edit_yaml(path: Path, change: Callable[[dict], None]) -> None:
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def project_key(key: str, value: Any) -> Callable[[Path], None]:
    return lambda repo: edit_yaml(repo / "Pulumi.yaml", lambda doc: doc.__setitem__(key, value))


def setting(key: str, value: Any, stack: str = "dev") -> Callable[[Path], None]:
    def change(repo: Path) -> None:
        def put(document: dict) -> None:
            config = document["config"]
            if "." in key:
                top, inner = key.split(".", 1)
                config[top] = {**config.get(top, {}), inner: value}
            else:
                config[key] = value

        edit_yaml(repo / f"Pulumi.{stack}.yaml", put)

    return change


def stack_file_key(key: str, value: Any) -> Callable[[Path], None]:
    return lambda repo: edit_yaml(repo / "Pulumi.dev.yaml", lambda doc: doc.__setitem__(key, value))


def alpha_spec(**spec: Any) -> Callable[[Path], None]:
    def change(repo: Path) -> None:
        document = yaml.safe_load((repo / "tenants" / "alpha.yaml").read_text())
        document["spec"].update(spec)
        write(repo, document)

    return change


def new_file(path: str, text: str = "print('hello')\n") -> Callable[[Path], None]:
    def change(repo: Path) -> None:
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    return change


# Pulumi.yaml: every key but `config:` decides what `pulumi up` runs and where its state goes.
PROGRAM_ATTACKS = {
    "entry-point": (project_key("main", "tenants/.hidden/"), "Pulumi.yaml#main"),
    "runtime": (project_key("runtime", "yaml"), "Pulumi.yaml#runtime"),
    "stackConfigDir": (project_key("stackConfigDir", "elsewhere"), "Pulumi.yaml#stackConfigDir"),
    "backend": (project_key("backend", {"url": "s3://attacker-state"}), "Pulumi.yaml#backend"),
    "plugins": (project_key("plugins", {"providers": [{"name": "aws", "path": "./bin"}]}), "Pulumi.yaml#plugins"),
    "options": (project_key("options", {"refresh": "always"}), "Pulumi.yaml#options"),
    "pulumi-json": (new_file("Pulumi.json", '{"name": "argo-tenants", "runtime": "yaml"}\n'), "program and tooling`: 1 file besides tenant files and stack settings (the program, its tooling, CI, docs: what `pulumi up` runs or how it is run, which this plan does not run): `Pulumi.json"),
    "nested-project": (new_file("deploy/Pulumi.yaml", "name: argo-tenants\nruntime: yaml\n"), "program and tooling`: 1 file besides tenant files and stack settings (the program, its tooling, CI, docs: what `pulumi up` runs or how it is run, which this plan does not run): `deploy/Pulumi.yaml"),
    "program-file": (new_file("components/backdoor.py"), "program and tooling`: 1 file besides tenant files and stack settings (the program, its tooling, CI, docs: what `pulumi up` runs or how it is run, which this plan does not run): `components/backdoor.py"),
    # Settings that redirect a deploy: provider config, ESC environments, the secrets provider...
    "vault-provider": (setting("vault:address", "https://vault.attacker.example"), "vault:address"),
    "kubernetes-provider": (setting("kubernetes:context", "attacker"), "kubernetes:context"),
    "aws-provider": (setting("aws:region", "eu-west-1"), "aws:region"),
    "esc-environment": (stack_file_key("environment", ["attacker/secrets"]), "Pulumi.dev.yaml#environment"),
    "secrets-provider": (stack_file_key("secretsprovider", "awskms://attacker"), "Pulumi.dev.yaml#secretsprovider"),
    # ...and the platform's own security-relevant settings.
    "vault-address": (setting("argo-tenants:vault.address", "https://vault.attacker.example:8200"), "argo-tenants:vault.address"),
    "vault-path": (setting("argo-tenants:vault.pathPrefix", "argo/other"), "argo-tenants:vault.pathPrefix"),
    "runner-image": (setting("argo-tenants:runnerImage", "attacker/nextflow:latest"), "argo-tenants:runnerImage"),
    "status-image": (setting("argo-tenants:statusImage", "attacker/status:latest"), "argo-tenants:statusImage"),
    "webhook-url": (setting("argo-tenants:webhookBaseUrl", "https://events.attacker.example"), "argo-tenants:webhookBaseUrl"),
    "events-namespace": (setting("argo-tenants:namespaces.argoEvents", "events-elsewhere"), "argo-tenants:namespaces.argoEvents"),
    "github-app": (setting("argo-tenants:githubApp", {"appId": 99, "installations": {"acme": 7}}), "argo-tenants:githubApp"),
    # A bucket of the platform's taken off the list that keeps registrations from claiming it.
    "platform-buckets": (
        lambda repo: edit_yaml(repo / "Pulumi.yaml", lambda doc: doc["config"]["platformBuckets"]["default"].remove(PLATFORM_LOGS)),
        "argo-tenants:platformBuckets",
    ),
    "platform-owners": (
        lambda repo: edit_yaml(repo / "Pulumi.yaml", lambda doc: doc["config"]["platformOwners"].__setitem__("default", ["@mallory"])),
        "argo-tenants:platformOwners",
    ),
}

def merged_in(repo: Path) -> None:
    """The runner image set through a YAML merge key (`<<:`) instead of its own line."""
    text = (repo / "Pulumi.dev.yaml").read_text().replace("  argo-tenants:runnerImage: nextflow/nextflow:25.04.6\n", "")
    (repo / "Pulumi.dev.yaml").write_text(text.replace("config:\n", 'config:\n  <<: {"argo-tenants:runnerImage": attacker/nextflow:latest}\n', 1))


def aliased(repo: Path) -> None:
    """The Argo Events namespace set through a YAML anchor and alias."""
    text = (repo / "Pulumi.dev.yaml").read_text()
    old = "    argoWorkflows: argo-workflows\n    argoEvents: argo-events\n"
    assert old in text
    (repo / "Pulumi.dev.yaml").write_text(text.replace(old, "    argoWorkflows: &ns argo-workflows\n    argoEvents: *ns\n"))


# Settings changed through YAML's own indirections are read as Pulumi reads them.
PROGRAM_ATTACKS["merge-key"] = (merged_in, "argo-tenants:runnerImage")
PROGRAM_ATTACKS["anchor"] = (aliased, "argo-tenants:namespaces.argoEvents")

# Changes to an existing registration's access.
ACCESS_ATTACKS = {
    "admin": (alpha_spec(adminUsers=["alice@example.org", "mallory@example.org"]), "alpha: spec.adminUsers"),
    "reader": (alpha_spec(readUsers=["mallory@example.org"]), "alpha: spec.readUsers"),
    "public": (alpha_spec(isPublic=True), "alpha: spec.isPublic"),
    # The same namespace (wf-acme-alpha), another repository: its code would run with alpha's buckets and keys.
    "repository": (alpha_spec(repoUrl="https://github.com/acme/alpha_.git"), "alpha: spec.repoUrl"),
    "installation": (alpha_spec(installationId=4242), "alpha: spec.installationId"),
    "owners": (alpha_spec(owners=["@mallory"]), "alpha: spec.owners"),
}

def text_edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    """An edit of the file as text: what YAML writers cannot produce (a repeated key)."""

    def change(repo: Path) -> None:
        text = (repo / path).read_text()
        assert old in text, old
        (repo / path).write_text(text.replace(old, new, 1))

    return change


# YAML readers disagree on a repeated key (PyYAML keeps the last value; Go's yaml.v3, Pulumi's, refuses the
# file): the attacker's value first, the old one last, and a last-wins reader sees no change at all.
REPEATED_IMAGE = "  argo-tenants:runnerImage: attacker/nextflow:latest\n  argo-tenants:runnerImage: nextflow/nextflow:25.04.6"
REPEATED_OWNERS = '    default:\n      - "@mallory"\n    default:\n      - "@calypr/platform"'

# What the program never needs, or validate refuses: no approval lets these through.
REFUSED_ATTACKS = {
    "repeated-stack-key": (
        text_edit("Pulumi.dev.yaml", "  argo-tenants:runnerImage: nextflow/nextflow:25.04.6", REPEATED_IMAGE),
        "config.argo-tenants:runnerImage: is written twice",
    ),
    "repeated-project-key": (
        text_edit("Pulumi.yaml", '    default:\n      - "@calypr/platform"', REPEATED_OWNERS),
        "default: is written twice",
    ),
    "hidden-folder": (new_file("tenants/.hidden/__main__.py"), "a hidden folder inside the tenants directory"),
    "unknown-file": (new_file("tenants/run.sh", "#!/bin/sh\n"), "not a tenant file"),
    # Its environment set, so that the name is all that is wrong with it.
    "stack-name": (new_file("Pulumi.::warning::x.yaml", "config:\n  argo-tenants:environment: dev\n"), "the stack name must be"),
    "tenant-events-namespace": (setting("argo-tenants:namespaces.argoEvents", "wf-acme-beta"), "could be a tenant namespace"),
    # A tenant file that is a link: to a file elsewhere in the pull request (or anywhere on the runner).
    "symlink-tenant": (
        lambda repo: (new_file("elsewhere/evil.yaml", yaml.safe_dump(registration("evil")))(repo), (repo / "tenants" / "evil.yaml").symlink_to("../elsewhere/evil.yaml")),
        "is a symbolic link",
    ),
    "cross-environment-bucket": (
        lambda repo: write(repo, registration("intruder", environments=["prod"], artifactBucket={"bucket": "alpha-artifacts-dev"})),
        "alpha-artifacts-dev",
    ),
}

def offboard_beta(repo: Path) -> None:
    (repo / "tenants" / "beta.yaml").unlink()
    records = [{"bucket": bucket, "registration": "beta", "environment": env} for bucket, env in (("beta-artifacts-dev", "dev"), ("beta-artifacts", "prod"))]
    (repo / "tenants" / "_retired-buckets.yaml").write_text(yaml.safe_dump({"retiredBuckets": records}))


# Pull requests that are no attack, for what the verdict says once approved.
CHANGES = {"offboard-beta": (offboard_beta, "")}
def rename_and_widen(repo: Path) -> None:
    (repo / "tenants" / "alpha.yaml").unlink()
    write(repo, registration("alpha-lab", repoUrl="https://github.com/acme/alpha.git", owners=["@alice"],
                             adminUsers=["alice@example.org", "mallory@example.org"]))


CHANGES["rename-and-widen"] = (rename_and_widen, "")
# beta has no owners at the base: whoever the pull request names cannot approve their own arrival.
CHANGES["beta-owned-by-author"] = (
    lambda repo: write(repo, registration("beta", owners=["@mallory", "@bob"])),
    "",
)

ALL = {**PROGRAM_ATTACKS, **ACCESS_ATTACKS, **REFUSED_ATTACKS, **CHANGES}


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = program_repo(tmp_path_factory.mktemp("attacks"), stacks=("dev", "prod"))
    text_edit("Pulumi.yaml", "      - calypr-argo-artifacts\n", f"      - calypr-argo-artifacts\n      - {PLATFORM_LOGS}\n")(root)
    write(root, ALPHA)
    write(root, registration("beta"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main")
    for name, (change, _) in ALL.items():
        git(root, "checkout", "-q", "-b", name, "main")
        change(root)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", name)
        git(root, "checkout", "-q", "main")
    return root


def sha(repo: Path, ref: str) -> str:
    return subprocess.run(["git", "rev-parse", ref], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


def verdict(repo: Path, branch: str, *approvals: str, form: str = "markdown") -> tuple[int, str, str]:
    """plan as plan-verdict.yml runs it, with approvals given as `KIND=LOGIN` for the branch's commit (or KIND=LOGIN@SHA)."""
    commit = sha(repo, branch)
    given = [f"--approved={a if '@' in a else f'{a}@{commit}'}" for a in approvals]
    argv = [
        "plan", "--project-dir", str(repo), "--all-stacks", "--base", "main", "--head", branch, "--program", "current",
        "--commit", commit, "--author", AUTHOR, "--format", form, *given,
    ]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def first_lines(text: str, count: int = 8) -> str:
    return "\n".join(text.splitlines()[:count])


def reviewed(repo: Path, branch: str, *approvals: str) -> tuple[int, str]:
    """The merge review alone (no stack planned: fast), rendered as the comment opens: its exit code and
    Markdown. `verdict` runs the whole command for one attack of each kind."""
    commit = sha(repo, branch)
    given = tuple(Approval.parse(a if "@" in a else f"{a}@{commit}") for a in approvals)
    result = review(repo, "main", branch, Approvals(given, commit, AUTHOR))
    return int(outcome(result)), render([], review=result)


@pytest.mark.parametrize("attack", sorted(PROGRAM_ATTACKS))
def test_a_program_or_platform_change_blocks_until_a_platform_owner_approves(repo, attack):
    subject = PROGRAM_ATTACKS[attack][1]
    code, out = reviewed(repo, attack)
    top = first_lines(out)
    assert code == 3, out
    assert top.startswith(f"**⛔ Blocked for `{sha(repo, attack)[:12]}`** until approved: a platform owner's approval")
    assert f"**platform change** `{subject}" in top
    code, out = reviewed(repo, attack, f"platform-change={PLATFORM}")
    assert code == 0, out
    assert out.startswith(f"**✅ Approved for `{sha(repo, attack)[:12]}`:**") and f"by @{PLATFORM} for {sha(repo, attack)[:12]}" in out.splitlines()[0]


@pytest.mark.parametrize("attack", sorted(ACCESS_ATTACKS))
def test_an_access_change_blocks_until_the_registrations_owner_approves(repo, attack):
    subject = ACCESS_ATTACKS[attack][1]
    code, out = reviewed(repo, attack)
    top = first_lines(out)
    assert code == 3, out
    assert "approval by the registration's owners or a platform owner (label `approve-access-change`)" in top.splitlines()[0]
    assert f"**access change** `{subject}`" in top and "owners at the base: `@alice`" in top
    code, out = reviewed(repo, attack, "owner=alice")
    assert code == 0, out
    assert out.startswith("**✅ Approved for") and "access change" in out.splitlines()[0] and "@alice" in out.splitlines()[0]


@pytest.mark.parametrize("attack", sorted(REFUSED_ATTACKS))
def test_what_the_program_never_needs_is_refused_whatever_the_approvals(repo, attack):
    reason = REFUSED_ATTACKS[attack][1]
    every = [f"{kind}={PLATFORM}" for kind in ("offboarding", "platform-change", "access-change")]
    code, out = reviewed(repo, attack, *every)
    assert code == 1, out
    assert out.startswith("**⛔ Refused for") and reason in first_lines(out, 12)


# The whole command, as plan-verdict.yml runs it, for one attack of each kind.

@pytest.mark.parametrize(
    ("attack", "approval"),
    [("runtime", "platform-change"), ("esc-environment", "platform-change"), ("webhook-url", "platform-change"), ("admin", "owner=alice")],
)
def test_the_command_blocks_each_kind_and_passes_after_its_approval(repo, attack, approval):
    code, out, _ = verdict(repo, attack)
    assert code == 3 and out.startswith("**⛔ Blocked for")
    approval = approval if "=" in approval else f"{approval}={PLATFORM}"
    code, out, _ = verdict(repo, attack, approval)
    assert code == 0 and out.startswith("**✅ Approved for"), out


@pytest.mark.parametrize("attack", ["cross-environment-bucket", "tenant-events-namespace", "stack-name", "repeated-stack-key"])
def test_the_command_refuses_what_validate_refuses(repo, attack):
    code, out, err = verdict(repo, attack, *(f"{kind}={PLATFORM}" for kind in ("offboarding", "platform-change", "access-change")))
    assert code == 1 and out.startswith("**⛔ Refused for") and REFUSED_ATTACKS[attack][1] in first_lines(out, 12)
    # Nothing a pull request names starts a line of the trusted job's log (a workflow command).
    assert not [line for line in err.splitlines() if line.lstrip().startswith("::")]


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize(
    ("attack", "file", "fix"),
    [
        ("repeated-stack-key", "Pulumi.dev.yaml:", "write each key once"),
        ("repeated-project-key", "Pulumi.yaml:", "write each key once"),
        ("stack-name", "Pulumi.::warning::x.yaml", "rename the file"),
    ],
)
def test_validate_and_the_deploy_gate_refuse_the_file_the_verdict_refuses(repo, tmp_path, attack, file, fix):
    """One check each (tenancy.project.stacks: repeated_keys, stack_name_problem) for all three: the
    pre-commit hook, `shards` before a deploy, and the verdict, each naming the file (and line) and the fix."""
    subprocess.run(f"git archive {attack} | tar -x -C {tmp_path}", shell=True, cwd=repo, check=True)
    reason = REFUSED_ATTACKS[attack][1]
    code, out = run("validate", "--project-dir", str(tmp_path))
    assert code == 1 and file in out and reason in out and fix in out, out
    code, out = run("shards", "--project-dir", str(tmp_path))
    assert code != 0 and reason in out, out
    code, out = reviewed(repo, attack)
    assert code == 1 and reason in first_lines(out, 12), out


def test_a_stack_file_without_repeated_keys_still_validates(repo, tmp_path):
    """What YAML would convert (`on`, a date) is the settings model's to judge, not refused as a repeat."""
    subprocess.run(f"git archive main | tar -x -C {tmp_path}", shell=True, cwd=repo, check=True)
    run("validate", "--fix", "--project-dir", str(tmp_path))  # the schema lines the fixture's files lack
    assert run("validate", "--project-dir", str(tmp_path))[0] == 0
    text = (tmp_path / "Pulumi.dev.yaml").read_text()
    (tmp_path / "Pulumi.dev.yaml").write_text(text + "  aws:skipMetadataApiCheck: on\n  other:since: 2024-01-01\n")
    code, out = run("validate", "--project-dir", str(tmp_path))
    assert code == 0, out


def test_the_author_cannot_approve_their_own_access_change(repo):
    code, out = reviewed(repo, "admin", f"access-change={AUTHOR}", f"owner={AUTHOR}")
    assert code == 3 and out.startswith("**⛔ Blocked")


def test_someone_who_does_not_own_the_registration_cannot_approve_its_access_change(repo):
    code, _ = reviewed(repo, "admin", "owner=bob")
    assert code == 3


def test_a_platform_owner_approves_any_access_change(repo):
    code, out = reviewed(repo, "repository", f"access-change={PLATFORM}")
    assert code == 0 and f"by @{PLATFORM}" in out.splitlines()[0]


def test_an_approval_for_another_commit_counts_for_nothing_and_says_so(repo):
    code, out = reviewed(repo, "runtime", f"platform-change={PLATFORM}@{sha(repo, 'main')}")
    assert code == 3
    assert "approvals given for another commit count for nothing here" in out


def test_an_approval_of_one_kind_does_not_cover_another(repo):
    code, _ = reviewed(repo, "admin", f"platform-change={PLATFORM}", f"offboarding={PLATFORM}")
    assert code == 3


def test_a_repository_handed_over_blocks_even_though_the_namespace_stays(repo):
    code, out = reviewed(repo, "repository")
    assert code == 3
    assert "`acme/alpha` → `acme/alpha_`" in first_lines(out)
    # The namespace it keeps: wf-acme-alpha either way.
    assert naming.tenant_namespace("acme", "alpha") == naming.tenant_namespace("acme", "alpha_")


def test_the_verdict_is_planned_once_whatever_blocks(repo, monkeypatch):
    # Approvals are a property of the result: CI runs plan once, never again to ask what a label would accept.
    import tenancy.cli.commands.plan as command

    calls = []
    original = command.compare
    monkeypatch.setattr(command, "compare", lambda *args: calls.append(args) or original(*args))
    verdict(repo, "runtime")
    assert len(calls) == 1


def test_the_json_diff_carries_the_review_and_follows_its_schema(repo):
    import jsonschema

    from tests.support.program import PROJECT_DIR

    schema = json.loads((PROJECT_DIR / "docs" / "plan-diff.schema.json").read_text())
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["plan", "--project-dir", str(repo), "--stack", "dev", "--base", "main", "--head", "admin",
                     "--program", "current", "--format", "json", f"--approved=owner=alice@{sha(repo, 'admin')}"])
    document = json.loads(out.getvalue())
    jsonschema.validate(document, schema)
    [requirement] = document["review"]["requirements"]
    assert code == 0 and requirement["approvedBy"] == {"kind": "owner", "login": "alice", "commit": sha(repo, "admin")}
    assert requirement["subject"] == "alpha: spec.adminUsers" and requirement["owners"] == ["@alice"]


@pytest.mark.parametrize("form", ["text", "markdown"])
def test_text_and_markdown_say_who_accepted_the_offboarding_for_which_commit(repo, form):
    code, out, _ = verdict(repo, "offboard-beta", f"offboarding={PLATFORM}", form=form)
    assert code == 0, out
    assert f"accepted by @{PLATFORM} for {sha(repo, 'offboard-beta')[:12]}" in out
    assert "--allow-offboarding)" not in out  # a label gave it, not a terminal


def test_the_json_says_who_accepted_the_offboarding_for_which_commit(repo):
    commit = sha(repo, "offboard-beta")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["plan", "--project-dir", str(repo), "--stack", "dev", "--base", "main", "--head", "offboard-beta",
                     "--program", "current", "--format", "json", f"--approved=offboarding={PLATFORM}@{commit}"])
    offboarding = json.loads(out.getvalue())["offboarding"]
    assert code == 0 and offboarding["acceptedBy"] == {"kind": "offboarding", "login": PLATFORM, "commit": commit}


def test_the_text_says_an_offboarding_accepted_at_a_terminal_was_accepted_locally(repo):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["plan", "--project-dir", str(repo), "--stack", "dev", "--base", "main", "--head", "offboard-beta",
                     "--program", "current", "--allow-offboarding"])
    assert code == 0 and "BLOCKING: accepted locally (--allow-offboarding)" in out.getvalue()


# A move to another shard hides nothing: access is compared by registration, wherever it is deployed.


@pytest.fixture(scope="module")
def sharded_repo(tmp_path_factory) -> Path:
    from tests.support.cli_project import add_shard_stack

    root = program_repo(tmp_path_factory.mktemp("sharded-attacks"))
    for shard in ("a", "b"):
        add_shard_stack(root, "dev", shard, ["a", "b"])
    write(root, registration("alpha", shard="a", owners=["@alice"], adminUsers=["alice@example.org"]))
    write(root, registration("beta", shard="b"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main")
    git(root, "checkout", "-q", "-b", "move-and-widen", "main")
    write(root, registration("alpha", shard="b", owners=["@alice"], adminUsers=["alice@example.org", "mallory@example.org"], isPublic=True))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "move alpha to b, and let mallory in")
    git(root, "checkout", "-q", "main")
    return root


def test_a_move_to_another_shard_that_widens_access_needs_the_owners_too(sharded_repo):
    commit = sha(sharded_repo, "move-and-widen")
    code, out, _ = verdict(sharded_repo, "move-and-widen", f"offboarding={PLATFORM}")
    top = first_lines(out)
    assert code == 3, out
    assert "for 2 access changes" in top.splitlines()[0]
    assert "**access change** `alpha: spec.adminUsers`" in top and "**access change** `alpha: spec.isPublic`" in top
    code, out, _ = verdict(sharded_repo, "move-and-widen", f"offboarding={PLATFORM}", f"owner=alice@{commit}")
    assert code == 0 and out.startswith("**✅ Approved for"), out


def test_owners_added_to_a_registration_without_any_need_the_platform_not_the_new_owners(repo):
    code, out = reviewed(repo, "beta-owned-by-author", "owner=bob", "owner=mallory")
    assert code == 3 and "**access change** `beta: spec.owners`" in first_lines(out) and "owners at the base: none named" in out
    code, _ = reviewed(repo, "beta-owned-by-author", f"access-change={PLATFORM}")
    assert code == 0


def test_a_rename_that_widens_access_is_a_rename_and_an_access_change_for_the_old_owners(repo):
    code, out = reviewed(repo, "rename-and-widen")
    top = first_lines(out, 12)
    assert code == 3
    assert "**access change** `alpha → alpha-lab: spec.adminUsers`" in top and "owners at the base: `@alice`" in top
    assert "🔀 **rename** ``renamed alpha → alpha-lab (same repository acme/alpha)" in top
    code, _ = reviewed(repo, "rename-and-widen", "owner=alice")
    assert code == 0


def test_the_top_rename_item_names_each_stacks_real_buckets(repo):
    """The tenant file writes `alpha-artifacts`; dev's bucket is `alpha-artifacts-dev`. The top item names
    what each stack's plan names (its section's rename), not the file's word for it."""
    _, out, _ = verdict(repo, "rename-and-widen", "owner=alice")
    [line] = [line for line in first_lines(out, 12).splitlines() if "🔀 **rename**" in line]
    assert "alpha-artifacts-dev (dev)" in line and "alpha-artifacts (prod)" in line, line
    assert "alpha-lab-artifacts-dev (dev)" in line and "alpha-lab-artifacts (prod)" in line, line
    assert "as the tenant files name it" not in line


# .github/CODEOWNERS: generated from the tenant files; GitHub reads it from the base branch.


@pytest.fixture(scope="module")
def owned_repo(tmp_path_factory) -> Path:
    from tenancy.project.stacks import read_stacks
    from tenancy.project.validation import codeowners_of

    root = program_repo(tmp_path_factory.mktemp("codeowners"), stacks=("dev",))
    write(root, ALPHA)
    write(root, registration("beta"))

    def generate() -> None:
        (root / ".github").mkdir(exist_ok=True)
        (root / ".github" / "CODEOWNERS").write_text(codeowners_of(read_stacks(root)))

    generate()
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main")
    git(root, "checkout", "-q", "-b", "by-hand", "main")
    with (root / ".github" / "CODEOWNERS").open("a") as codeowners:
        codeowners.write("/tenants/alpha.yaml @mallory\n")
    git(root, "commit", "-q", "-am", "mallory owns alpha")
    git(root, "checkout", "-q", "-b", "generated", "main")
    write(root, registration("beta", owners=["@mallory"]))
    generate()
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "mallory owns beta")
    git(root, "checkout", "-q", "main")
    return root


def test_codeowners_edited_by_hand_is_refused(owned_repo):
    code, out = reviewed(owned_repo, "by-hand", f"platform-change={PLATFORM}")
    assert code == 1 and out.startswith("**⛔ Refused for")
    assert ".github/CODEOWNERS: is not what the tenant files' owners and platformOwners make it" in first_lines(out, 12)


def test_codeowners_as_generated_follows_the_tenant_files_whose_owners_change_needs_approval(owned_repo):
    code, out = reviewed(owned_repo, "generated")
    assert code == 3 and "**access change** `beta: spec.owners`" in first_lines(out)
    assert "platform change" not in out  # the generated file itself needs nothing more
    code, _ = reviewed(owned_repo, "generated", f"access-change={PLATFORM}")
    assert code == 0
