"""What the program exports for each registration (stack output `tenants`), and how the plan reads it back.

One definition for both sides: the program builds a RegistrationSummary in TenantRepo and exports it;
the offline plan reads the same fields from a plan document instead of deriving them again from resources.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping, Sequence

from tenancy.model.inputs import Input


@dataclass(frozen=True)
class RegistrationSummary:
    """A registration as a plan's reviewer must know it. In the program, the fields named by a resource
    are that resource's Outputs (the same names), so the export waits for what it reports."""

    repository: str  # owner/repo
    namespace: Input[str]
    workflow_template: Input[str]
    artifacts: str  # s3://<bucket>/<keyPrefix>
    data: str | None
    buckets: Mapping[str, Input[str]]  # purpose -> bucket name, for the buckets this stack manages
    iam_user: Input[str]
    vault_paths: Sequence[str]  # <mount>/<path>, each path the registration writes
    webhook_url: str
    paused: bool
    # Who may see and run its workflows (tenancy.manifests.rbac.tenant_rbac).
    admin_users: Sequence[str]
    read_users: Sequence[str]
    public: bool
    # spec.definitions: where Argo CD syncs the repository's own definitions from and what a push runs
    # (tenancy.manifests.argo_cd.summary); None: the generated template only.
    definitions: Mapping[str, Any] | None
    # spec.deployers of this environment: whose pushes run; empty: every push.
    deployers: Sequence[str]
    # Which pushes run here ({branch, tags}), how the runner runs ({executor, cpu, memory, workDir,
    # paramsFile, profile}) and what the namespace enforces ({podSecurity, quota, containerMax, egressPorts}).
    refs: Mapping[str, Any]
    runner: Mapping[str, Any]
    guardrails: Mapping[str, Any]

    def exported(self) -> dict[str, Any]:
        """As the stack output holds it: each field under its camelCase key."""
        return {key: getattr(self, field) for field, key in _EXPORTED_KEYS}

    @classmethod
    def read(cls, exported: Mapping[str, Any]) -> RegistrationSummary:
        """From a plan document's `outputs.tenants` entry; a key the exporting program did not have
        (an older revision, for `plan --base`) reads as None."""
        return cls(**{field: exported.get(key) for field, key in _EXPORTED_KEYS})


def _camel(field: str) -> str:
    first, *rest = field.split("_")
    return first + "".join(word.capitalize() for word in rest)


_EXPORTED_KEYS = tuple((field.name, _camel(field.name)) for field in fields(RegistrationSummary))
