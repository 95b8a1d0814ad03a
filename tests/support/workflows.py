"""The GitHub workflows as the trust model reads them: every job a trigger starts, followed through
the reusable workflows it calls (`uses: ./…` and `uses: $/…`), with what that job really gets: its
effective GITHUB_TOKEN permissions (a called job never gets more than its caller granted), its
environment with the caller's inputs filled in, and whether it reaches a stored secret."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

from tests.support.program import PROJECT_DIR

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"

# Events whose runs a pull request (from a branch of this repository or from a fork) can start, with
# its own code (pull_request, pull_request_review*) or with main's code acting on its data.
PULL_REQUEST_EVENTS = frozenset(
    {"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment", "issue_comment", "workflow_run"}
)
# Of those, the events whose runs have main's ref: GitHub's environment rules do not stop them the
# way they stop a pull request's own ref, so they may hold no credential at all.
MAIN_REF_PULL_REQUEST_EVENTS = frozenset({"pull_request_target", "issue_comment", "workflow_run"})

_LOCAL_CALL = re.compile(r"^(?:\./|\$/)(\.github/workflows/[\w.-]+\.ya?ml)$")
_INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")
# Any stored secret: repository, organization or environment. GITHUB_TOKEN is governed by `permissions`.
_SECRET = re.compile(r"secrets\.(?!GITHUB_TOKEN\b)[\w-]+|secrets\[")
_ORDER = {"none": 0, "read": 1, "write": 2}


def load(name: str, directory: Path = WORKFLOWS) -> dict[str, Any]:
    return yaml.safe_load((directory / name).read_text())


def load_all(directory: Path = WORKFLOWS) -> dict[str, dict[str, Any]]:
    return {path.name: yaml.safe_load(path.read_text()) for path in sorted(directory.glob("*.yml"))}


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    value = workflow.get("on", workflow.get(True))
    if isinstance(value, dict):
        return value
    return {name: None for name in ([value] if isinstance(value, str) else value)}


def _permissions(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if value == "write-all":
        return {"*": "write"}
    if value == "read-all":
        return {"*": "read"}
    return dict(value)


def _declared(job: dict[str, Any], workflow: dict[str, Any]) -> dict[str, str] | None:
    """What a job asks for: its own `permissions`, else its workflow's; None when neither says."""
    if "permissions" in job:
        return _permissions(job["permissions"])
    if "permissions" in workflow:
        return _permissions(workflow["permissions"])
    return None


def _scope(permissions: dict[str, str], name: str) -> str:
    return permissions.get(name, permissions.get("*", "none"))


def _cap(asked: dict[str, str] | None, granted: dict[str, str]) -> dict[str, str]:
    """A called job's permissions: what it asks for, never more than its caller granted."""
    if asked is None:
        return dict(granted)
    names = (set(asked) | set(granted)) - {"*"}
    capped = {name: min(_scope(asked, name), _scope(granted, name), key=_ORDER.__getitem__) for name in names}
    return {name: level for name, level in capped.items() if level != "none"}


def _fill(value: Any, inputs: dict[str, Any]) -> Any:
    """`${{ inputs.x }}` replaced by what the caller passed (kept as written when the whole value is one input)."""
    if not isinstance(value, str):
        return value
    whole = _INPUT.fullmatch(value.strip())
    if whole:
        return inputs.get(whole.group(1), value)
    return _INPUT.sub(lambda match: str(inputs.get(match.group(1), match.group(0))), value)


def _environment(job: dict[str, Any], inputs: dict[str, Any]) -> str | None:
    environment = job.get("environment")
    if isinstance(environment, dict):
        environment = environment.get("name")
    return None if environment is None else str(_fill(environment, inputs))


@dataclass(frozen=True)
class Job:
    """One job as it runs: `path` is the chain of workflow files and job ids from the trigger down."""

    path: tuple[str, ...]
    triggers: frozenset[str]
    permissions: dict[str, str]
    environment: str | None
    secrets: bool
    definition: dict[str, Any]

    @property
    def name(self) -> str:
        return " > ".join(self.path)

    @property
    def oidc(self) -> bool:
        return _scope(self.permissions, "id-token") == "write"

    @property
    def pull_request(self) -> bool:
        return bool(self.triggers & PULL_REQUEST_EVENTS)

    @property
    def steps(self) -> list[dict[str, Any]]:
        return self.definition.get("steps", [])


def _jobs(
    workflows: dict[str, dict[str, Any]],
    name: str,
    on: frozenset[str],
    granted: dict[str, str] | None,
    inputs: dict[str, Any],
    inherited_secrets: bool,
    path: tuple[str, ...],
) -> Iterator[Job]:
    workflow = workflows[name]
    for job_id, job in workflow["jobs"].items():
        asked = _declared(job, workflow)
        permissions = _cap(asked, granted) if granted is not None else (asked or {})
        here = (*path, f"{name}:{job_id}")
        secrets = inherited_secrets or bool(_SECRET.search(json.dumps(job)))
        call = _LOCAL_CALL.match(str(job.get("uses", "")))
        if call:
            callee = Path(call.group(1)).name
            assert callee in workflows, f"{name}:{job_id} calls {job['uses']}, which does not exist"
            passed = {key: _fill(value, inputs) for key, value in (job.get("with") or {}).items()}
            yield from _jobs(
                workflows, callee, on, permissions, passed, secrets or job.get("secrets") is not None, here
            )
            continue
        yield Job(
            path=here,
            triggers=on,
            permissions=permissions,
            environment=_environment(job, inputs),
            secrets=secrets,
            definition=job,
        )


def running_jobs(workflows: dict[str, dict[str, Any]] | None = None) -> list[Job]:
    """Every job that some trigger starts, called workflows followed; `workflow_call`-only files
    contribute through their callers."""
    workflows = load_all() if workflows is None else workflows
    found: list[Job] = []
    for name, workflow in workflows.items():
        on = frozenset(triggers(workflow)) - {"workflow_call"}
        if on:
            found.extend(_jobs(workflows, name, on, None, {}, False, ()))
    return found


# The environments the clouds trust (docs/ci.md), by what guards each. A pull request's own run can
# enter none of the main-only ones (their deployment branch rule is `main`), and the `-preview` ones
# only after a required reviewer approves that run.
MAIN_ONLY = re.compile(r"^(dev|prod|(dev|prod|\$\{\{ matrix\.environment \}\})-readonly)$")
REVIEWED = re.compile(r"^(dev|prod|\$\{\{ matrix\.environment \}\})-preview$")


def trust_violations(jobs: list[Job]) -> list[str]:
    """Ways a pull request could reach a credential before a maintainer approves its run."""
    problems = []
    for job in jobs:
        credential = job.oidc or job.secrets
        reviewed = job.environment is not None and REVIEWED.match(job.environment) is not None
        if job.environment is not None and not (reviewed or MAIN_ONLY.match(job.environment)):
            problems.append(f"{job.name}: environment {job.environment!r} is none of those docs/ci.md sets up")
        if not job.pull_request:
            if reviewed:
                problems.append(f"{job.name}: a pull request's preview environment outside pull requests")
            continue
        if job.triggers & MAIN_REF_PULL_REQUEST_EVENTS:
            if credential or job.environment is not None:
                problems.append(f"{job.name}: runs for a pull request with main's ref: no credential, no environment")
        elif job.environment is not None and not reviewed:
            problems.append(f"{job.name}: a pull request's own run names environment {job.environment!r}")
        elif credential and not reviewed:
            what = "an OIDC token" if job.oidc else "a secret"
            problems.append(f"{job.name}: a pull request gets {what} without a reviewer's approval")
    return problems
