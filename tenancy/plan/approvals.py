"""What a merge needs before it may land, who may approve it, and the approvals already given.

Kinds of approval, each recorded on one commit (a new push needs a new one) by the label of the same
purpose (docs/ci.md has the table):
- `offboarding` (label `allow-offboarding`, a platform owner): a tenant offboarded or moved, a bucket
  leaving management, a stateful object deleted or replaced, a protection dropped, a stack removed;
- `platform-change` (label `approve-platform-change`, a platform owner): any change to the program or
  its tooling, Pulumi.yaml keys other than `config:`, stack-file keys other than `config:`, settings
  outside this program's namespace (`aws:*`, `vault:*`, `kubernetes:*`...) and the platform's
  security-relevant settings (every `argo-tenants:` key but the few listed in PLANNED_SETTINGS);
- `access-change` (label `approve-access-change`): a change to an existing registration's access,
  approved by a platform owner for all of them, or by one of that registration's owners at the base
  (`owner` approvals: the label added by someone without platform rights) for its own, never by the
  pull request's author.

An approval is `KIND=LOGIN@SHA`: CI passes only those it verified (who added the label, with which
permission, on which head commit); one for another commit counts for nothing and is shown as stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tenancy.model.settings import CONFIG_NAMESPACE

OFFBOARDING = "offboarding"
PLATFORM_CHANGE = "platform-change"
ACCESS_CHANGE = "access-change"
OWNER = "owner"
REFUSED = "refused"
KINDS = (OFFBOARDING, PLATFORM_CHANGE, ACCESS_CHANGE, OWNER)
LABELS = {
    OFFBOARDING: "allow-offboarding",
    PLATFORM_CHANGE: "approve-platform-change",
    ACCESS_CHANGE: "approve-access-change",
    OWNER: "approve-access-change",
}

# The settings of this program that only change what the plan shows (tenants moved, buckets
# renamed or unprotected: each of which blocks on its own as offboarding): planned, nothing more.
# Every other key (and every key outside the namespace) redirects a deploy or grants something:
# `platformBuckets` among them, since a bucket taken off it may be claimed by the next tenant file (in
# us-east-1 S3 answers the create of a bucket the account owns with success), which no plan shows as a grant.
PLANNED_SETTINGS = frozenset(
    f"{CONFIG_NAMESPACE}:{key}"
    for key in ("environment", "environments", "bucketNames", "protectBuckets", "protectDataBuckets", "secretRefreshInterval", "shard")
)

_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?"
_APPROVAL = re.compile(rf"(?P<kind>[a-z-]+)=(?P<login>{_LOGIN})@(?P<commit>[0-9a-f]{{7,64}})", re.ASCII)
# A commit prefix names a commit when it is at least this long (git's own default abbreviation).
_MIN_PREFIX = 7


class ApprovalError(ValueError):
    pass


@dataclass(frozen=True)
class Approval:
    kind: str
    login: str
    commit: str

    @classmethod
    def parse(cls, text: str) -> Approval:
        match = _APPROVAL.fullmatch(text)
        if not match or match["kind"] not in KINDS:
            raise ApprovalError(f"'{text}' is not KIND=LOGIN@SHA with KIND one of {', '.join(KINDS)}")
        return cls(match["kind"], match["login"], match["commit"])

    def is_for(self, commit: str | None) -> bool:
        return bool(commit) and len(self.commit) >= _MIN_PREFIX and commit.startswith(self.commit)

    def words(self) -> str:
        return f"@{self.login} for {self.commit[:12]}"

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "login": self.login, "commit": self.commit}


def setting_needs_platform(path: str) -> bool:
    """Whether a changed setting (`aws:region`, `argo-tenants:vault.address`) needs a platform owner."""
    key = path.split(".", 1)[0].split("[", 1)[0]
    return key not in PLANNED_SETTINGS


@dataclass(frozen=True)
class Requirement:
    """One thing that blocks until approved (or for good, `refused`): what, and the change in a line."""

    kind: str
    subject: str
    what: str
    # Besides the platform: who may approve (an access change's registration owners, at the base).
    owners: tuple[str, ...] = ()
    approved_by: Approval | None = None

    def as_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"kind": self.kind, "subject": self.subject, "what": self.what}
        if self.owners:
            entry["owners"] = list(self.owners)
        if self.approved_by:
            entry["approvedBy"] = self.approved_by.as_dict()
        return entry


@dataclass(frozen=True)
class Approvals:
    """The approvals given, the commit they must be for, and the pull request's author (who approves nothing)."""

    given: tuple[Approval, ...] = ()
    commit: str | None = None
    author: str | None = None
    # `--allow-offboarding` at a terminal: offboarding accepted by whoever runs the command.
    local_offboarding: bool = False

    def current(self) -> list[Approval]:
        return [approval for approval in self.given if approval.is_for(self.commit) and approval.login != self.author]

    def stale(self) -> list[Approval]:
        return [approval for approval in self.given if not approval.is_for(self.commit)]

    def of(self, kind: str) -> Approval | None:
        return next((approval for approval in self.current() if approval.kind == kind), None)

    def offboarding(self) -> bool:
        return self.local_offboarding or self.of(OFFBOARDING) is not None

    def offboarding_acceptance(self) -> dict[str, Any] | None:
        """Who accepted offboarding, as the diff records it (`offboarding.acceptedBy`): the approval
        (kind, login, commit), or `{"local": true}` for `--allow-offboarding` at a terminal; None: nobody."""
        approval = self.of(OFFBOARDING)
        if approval is not None:
            return approval.as_dict()
        return {"local": True} if self.local_offboarding else None

    def for_requirement(self, requirement: Requirement) -> Approval | None:
        if requirement.kind == PLATFORM_CHANGE:
            return self.of(PLATFORM_CHANGE)
        if requirement.kind == ACCESS_CHANGE:
            platform = self.of(ACCESS_CHANGE)
            if platform:
                return platform
            owners = {owner.lstrip("@").lower() for owner in requirement.owners}
            return next(
                (a for a in self.current() if a.kind == OWNER and a.login.lower() in owners),
                None,
            )
        return None


@dataclass
class Review:
    """Everything the merge changes beyond the tenant plans, and what of it blocks."""

    requirements: list[Requirement] = field(default_factory=list)
    paths: list[dict[str, str]] = field(default_factory=list)
    renames: list[dict[str, Any]] = field(default_factory=list)
    approvals: Approvals = field(default_factory=Approvals)
    # The pull request's head commit, when the reviewed head is a merge computed for it (CI).
    commit: str | None = None

    def settle(self) -> None:
        """Attach to each requirement the approval that covers it, if any."""
        self.requirements = [
            Requirement(r.kind, r.subject, r.what, r.owners, self.approvals.for_requirement(r)) for r in self.requirements
        ]

    @property
    def refused(self) -> list[Requirement]:
        return [r for r in self.requirements if r.kind == REFUSED]

    @property
    def waiting(self) -> list[Requirement]:
        return [r for r in self.requirements if r.kind != REFUSED and r.approved_by is None]

    @property
    def approved(self) -> list[Requirement]:
        return [r for r in self.requirements if r.approved_by is not None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "requirements": [r.as_dict() for r in self.requirements],
            "paths": self.paths,
            "renames": self.renames,
            "approvals": [a.as_dict() for a in self.approvals.current()],
            "staleApprovals": [a.as_dict() for a in self.approvals.stale()],
        }
