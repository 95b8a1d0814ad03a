"""Every path a merge changes, classified by what `pulumi up` does with it: what the verdict plans,
what only an approval lets through, and what the program never needs (refused).

The offline plan reads tenant files and stack settings; `pulumi up` obeys every other file of the
repository too. So each changed path is one of:
- a tenant file (`<tenants>/<name>.yaml`, `_retired-buckets.yaml`): planned;
- a stack file (`Pulumi.<stack>.yaml`): planned, its settings compared key by key (its other
  top-level keys, `environment:` imports of Pulumi ESC, `secretsprovider`, `encryptionsalt`..., are
  a platform change: they decide where config and secrets come from);
- `Pulumi.yaml`: its `config:` is settings (planned with every stack); every other key (`main`,
  `runtime`, `stackConfigDir`, `backend`, `plugins`, `options`, `name`...) decides what `pulumi up`
  runs, a program change;
- `.github/CODEOWNERS` as `validate` generates it from the head's tenant files: follows them;
- anything else, nested `Pulumi*.yaml` and `Pulumi.json` included: a program change;
- refused outright: anything under a tenants directory that is not a tenant file or documentation
  (a hidden folder, a subdirectory, another kind of file). A stack file whose name is outside the
  safe character set (names reach logs and commands), and Pulumi.yaml or a stack file that repeats a
  key, are refused by `validate`'s checks, which the verdict runs on the head (tenancy.project.stacks).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

from tenancy.model.retired import RETIRED_BUCKETS_FILE
from tenancy.plan.markdown import code
from tenancy.project.stacks import PROJECT_FILE, stack_name_of

TENANT = "tenant"
SETTINGS = "settings"
PROGRAM = "program"
GENERATED = "generated"
REFUSED = "refused"

# Files a tenants directory may hold besides tenant files: documentation, and git's placeholder.
_DOCUMENTATION = (".md", ".txt")
_PLACEHOLDER = ".gitkeep"
CODEOWNERS = ".github/CODEOWNERS"
# Keys of a stack file besides `config:` that Pulumi reads (pulumi/pulumi sdk/go/common/workspace/project.go: ProjectStack).
STACK_FILE_KEYS = ("secretsprovider", "encryptedkey", "encryptionsalt", "environment")


@dataclass(frozen=True)
class PathChange:
    """One changed path (or one key of Pulumi.yaml or a stack file): its kind and, for people, what changed
    (Markdown: every value from the files in a code span, so that none renders as a mention or a link)."""

    path: str
    kind: str
    what: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "kind": self.kind, "what": self.what}


def _tenant_path(relative: PurePosixPath) -> str | None:
    """None when `relative` (inside a tenants directory) is a file the loader reads or may ignore; else why it is refused."""
    if len(relative.parts) > 1:
        hidden = relative.parts[0].startswith(".")
        return (
            f"a {'hidden ' if hidden else ''}folder inside the tenants directory: the program reads no subfolder, "
            "and `pulumi up` could be pointed at one (Pulumi.yaml `main:`)"
        )
    name = relative.name
    if name == _PLACEHOLDER or name.endswith(_DOCUMENTATION) and not name.startswith("."):
        return None
    if name.startswith("."):
        return "a hidden file inside the tenants directory: nothing hidden belongs there"
    if name.endswith(".yaml"):
        return None
    return "not a tenant file (<name>.yaml) or documentation: the tenants directory holds nothing else"


def _keys_changed(before: Any, after: Any, keys: list[str] | None = None) -> list[str]:
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    names = keys if keys is not None else sorted(set(before) | set(after), key=str)
    return [str(key) for key in names if before.get(key) != after.get(key)]


def _words(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip() if value is not None else "(none)"
    text = text[:-4].strip() if text.endswith("\n...") or text.endswith(" ...") else text
    return text if len(text) <= 80 else text[:79] + "…"


def _yaml(text: str | None) -> tuple[Any, str | None]:
    if text is None:
        return None, None
    try:
        return yaml.safe_load(text), None
    except yaml.YAMLError as err:
        return None, f"does not parse as YAML ({str(err).splitlines()[0]})"


def project_file_changes(before: str | None, after: str | None) -> list[PathChange]:
    """Pulumi.yaml, key by key: `config:` is settings (each stack's plan compares them); every other key is the program's."""
    old, old_problem = _yaml(before)
    new, new_problem = _yaml(after)
    if old_problem or new_problem:
        return [PathChange(PROJECT_FILE, PROGRAM, f"{PROJECT_FILE} {code(new_problem or old_problem)}")]
    if not isinstance(new, dict) or not isinstance(old, dict):
        return [PathChange(PROJECT_FILE, PROGRAM, f"{PROJECT_FILE} {'added' if before is None else 'replaced or removed'}")]
    changes = []
    for key in _keys_changed(old, new):
        if key == "config":
            changes.append(PathChange(f"{PROJECT_FILE}#config", SETTINGS, "declared settings (planned with every stack)"))
        else:
            changes.append(
                PathChange(
                    f"{PROJECT_FILE}#{key}",
                    PROGRAM,
                    f"{code(key)}: {code(_words(old.get(key)))} → {code(_words(new.get(key)))} (what `pulumi up` runs, and how)",
                )
            )
    return changes


def stack_file_changes(path: str, before: str | None, after: str | None) -> list[PathChange]:
    """A stack file: its `config:` is planned; any other key (ESC environments, the secrets provider and its salt) is the platform's."""
    old, old_problem = _yaml(before)
    new, new_problem = _yaml(after)
    if old_problem or new_problem:
        return [PathChange(path, REFUSED, code(new_problem or old_problem))]
    changes = [PathChange(path, SETTINGS, "stack settings (planned)")]
    old_config = (old or {}).get("config") if isinstance(old, dict) else None
    new_config = (new or {}).get("config") if isinstance(new, dict) else None
    for key in _keys_changed(old_config, new_config):
        values = ((old_config or {}).get(key), (new_config or {}).get(key))
        if any(isinstance(value, dict) and "secure" in value for value in values):
            # Offline both sides read "[secret]": the plan cannot see this change, so it is named here.
            changes.append(PathChange(f"{path}#config.{key}", PROGRAM, f"{code(key)}: an encrypted value changed ([secret])"))
    for key in _keys_changed(old, new):
        if key == "config":
            continue
        changes.append(
            PathChange(
                f"{path}#{key}",
                PROGRAM,
                f"{code(key)}: {code(_words((old or {}).get(key)))} → {code(_words((new or {}).get(key)))} "
                "(where the stack's config and secrets come from)",
            )
        )
    return changes


def classify(
    paths: list[str],
    tenants_dirs: set[str],
    project_prefix: str,
    read: Any,
    codeowners_generated: bool,
) -> list[PathChange]:
    """Each changed path (repository-relative, as `git diff --name-only` lists them) classified.

    `tenants_dirs` are the tenants directories of either side's stacks (repository-relative);
    `project_prefix` the project's directory in the repository ('' at its top); `read(side, path)`
    the text of a file at "base" or "head" (None where it does not exist); `codeowners_generated`
    whether the head's CODEOWNERS is the one its tenant files generate.
    """
    changes: list[PathChange] = []
    prefix = PurePosixPath(project_prefix) if project_prefix else None
    for path in sorted(set(paths)):
        pure = PurePosixPath(path)
        inside = next((PurePosixPath(d) for d in sorted(tenants_dirs) if pure.is_relative_to(PurePosixPath(d))), None)
        if inside is not None:
            refusal = _tenant_path(pure.relative_to(inside))
            kind = REFUSED if refusal else TENANT
            what = refusal or ("retired buckets" if pure.name == RETIRED_BUCKETS_FILE else "tenant file (planned)")
            changes.append(PathChange(path, kind, what))
            continue
        local = pure.relative_to(prefix) if prefix and pure.is_relative_to(prefix) else (pure if prefix is None else None)
        if local is not None and len(local.parts) == 1 and local.name == PROJECT_FILE:
            changes += [
                PathChange(change.path.replace(PROJECT_FILE, path, 1), change.kind, change.what)
                for change in project_file_changes(read("base", path), read("head", path))
            ]
            continue
        stack = stack_name_of(local.name) if local is not None and len(local.parts) == 1 else None
        if stack is not None:
            # A stack name outside the safe set is refused by `validate`'s checks on the head (tenancy.project.stacks).
            changes += stack_file_changes(path, read("base", path), read("head", path))
            continue
        if path == CODEOWNERS and codeowners_generated:
            changes.append(PathChange(path, GENERATED, "generated from the tenant files' owners (`validate --fix`)"))
            continue
        what = "program or tooling: what `pulumi up` runs, or how CI runs it"
        if pure.name.startswith("Pulumi") and pure.suffix in (".yaml", ".yml", ".json"):
            what = "a Pulumi project or stack file outside the project's own (Pulumi reads Pulumi.json before Pulumi.yaml)"
        changes.append(PathChange(path, PROGRAM, what))
    return changes
