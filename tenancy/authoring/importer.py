"""Existing registrations as tenant documents: from `kubectl get reporegistrations -A -o yaml` (a v1
List, a single object, or `---`-separated manifests) and from the reference Helm chart's values
(`repoRegistrations:`, each entry's `name` beside its spec fields; or the older `applications:`
entries of the platform guide, `repoURL` and an `artifacts:` block).

What the cluster keeps about an object (status, uid, resourceVersion, managedFields, ...) is
dropped without a word; every other field this model does not have is dropped and reported with
the reason. Values are copied as they are: the loader decides whether they are valid here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from pydantic import BaseModel

from tenancy.model import formats
from tenancy.model.registration import API_VERSION, KIND, BucketSpec, RepoRegistrationSpec

HELM_KEY = "repoRegistrations"
# The older chart's per-repository values, as the platform guide shows them ("your admin will set up
# values like"): `applications:` entries with `repoURL` and an `artifacts:` block.
APPLICATIONS_KEY = "applications"
APPLICATION_FIELDS = {"repoURL": "repoUrl", "artifacts": "artifactBucket"}
ARTIFACT_FIELDS = {"endpoint": "hostname"}
APPLICATION_REPLACED = {
    "credentialsSecret": (
        "the credentials are the registration's own, written to Vault and brought into Secret "
        "s3-credentials-<name> by ExternalSecrets"
    ),
}

# Fields of the old chart and CRD that this program replaces with something of its own.
REPLACED = {
    "githubSecretPath": "no GitHub token is read: this program generates the webhook secret and writes it to <pathPrefix>/<name>/github",
    "namespace": "the tenant namespace is always wf-<owner>-<repo>",
    "eventName": "the EventSource entry is named after the registration",
    "events": "pushes are the only events that start workflows",
}
# The chart's per-registration Argo CD Application (argocd/applications-from-repo-registrations.yaml):
# `path` is the folder it synced, which spec.definitions keeps; its project and sync policy are the program's.
CHART_DEFINITIONS_PATH = "path"
CHART_APPLICATION_REPLACED = {
    "project": "each registration's definitions get an AppProject of their own, confined to its repository and namespace",
    "syncPolicy": "definitions are synced automatically with prune and self-heal; removing spec.definitions leaves what was synced",
}
UNKNOWN = "not a field of a tenant file (docs/reference.md lists them)"
# Fields a tenant file may only repeat as this program derives them; the old values named places of
# the old platform, and the derived ones are what is written now.
DERIVED = {
    "githubSecretName": "derived: the webhook secret's Secret in the Argo Events namespace is always argo-tenants-webhook-<name>",
    "externalSecretPath": "derived: the credentials are always written to <pathPrefix>/<name>/s3/artifacts (or /s3/data)",
}

# Metadata the API server or a deployment tool writes; none of it describes the registration.
_BOOKKEEPING_ANNOTATIONS = ("kubectl.kubernetes.io/", "meta.helm.sh/", "deployment.kubernetes.io/")
_BOOKKEEPING_LABELS = ("app.kubernetes.io/managed-by", "helm.sh/chart")
_OBJECT_KEYS = ("apiVersion", "kind", "metadata", "spec", "status")


class UnreadableInput(Exception):
    """The input is not YAML (or JSON) at all."""


@dataclass(frozen=True)
class Dropped:
    field: str
    reason: str


@dataclass(frozen=True)
class Imported:
    name: str
    origin: str
    document: dict[str, Any]
    dropped: tuple[Dropped, ...] = ()
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    origin: str
    reason: str


@dataclass
class ImportResult:
    imported: list[Imported] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def read(text: str) -> ImportResult:
    try:
        documents = [document for document in yaml.safe_load_all(text) if document is not None]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise UnreadableInput(f"is not YAML{where}: {getattr(err, 'problem', None) or err}") from None
    result = ImportResult()
    for index, document in enumerate(documents):
        prefix = f"document {index + 1}: " if len(documents) > 1 else ""
        _read_document(document, prefix, result)
    return result


def _read_document(document: Any, prefix: str, result: ImportResult) -> None:
    values = next(((key, read) for key, read in _VALUES_LISTS if isinstance(document, dict) and key in document), None)
    if values is not None:
        key, read = values
        entries = document[key] or []
        if not isinstance(entries, list):
            result.skipped.append(Skipped(f"{prefix}{key}", "must be a list of entries"))
            return
        for index, entry in enumerate(entries):
            _collect(read(entry, f"{prefix}{key}[{index}]"), result)
    elif isinstance(document, dict) and isinstance(document.get("items"), list):
        for index, item in enumerate(document["items"]):
            _collect(_from_object(item, f"{prefix}items[{index}]"), result)
    elif isinstance(document, dict) and "kind" in document:
        _collect(_from_object(document, prefix.rstrip(": ")), result)
    else:
        result.skipped.append(
            Skipped(
                prefix.rstrip(": ") or "the input",
                f"is neither a {KIND}, a List of them, nor Helm values with {HELM_KEY}: or {APPLICATIONS_KEY}:",
            )
        )


def _collect(found: Imported | Skipped, result: ImportResult) -> None:
    (result.imported if isinstance(found, Imported) else result.skipped).append(found)


def _from_object(item: Any, origin: str) -> Imported | Skipped:
    if not isinstance(item, dict):
        return Skipped(origin, f"is not a {KIND} object")
    if item.get("kind") != KIND:
        return Skipped(origin, f"is a {item.get('kind')!r}, not a {KIND}")
    if item.get("apiVersion") != API_VERSION:
        return Skipped(origin, f"has apiVersion {item.get('apiVersion')!r}; only {API_VERSION} can be imported")
    metadata = item.get("metadata") if isinstance(item.get("metadata"), dict) else {}
    name = metadata.get("name")
    qualified = f"{metadata['namespace']}/{name}" if metadata.get("namespace") else str(name)
    where = f"{origin} ({qualified})" if origin else qualified
    dropped = [Dropped(key, UNKNOWN) for key in item if key not in _OBJECT_KEYS]
    spec = item.get("spec") if isinstance(item.get("spec"), dict) else {}
    return _imported(name, where, spec, "spec.", dropped, _kept_metadata(metadata))


def _from_helm(entry: Any, origin: str) -> Imported | Skipped:
    if not isinstance(entry, dict):
        return Skipped(origin, "is not a mapping of registration fields")
    name = entry.get("name")
    spec = {key: value for key, value in entry.items() if key != "name" and key not in CHART_APPLICATION_REPLACED}
    dropped = [Dropped(key, reason) for key, reason in CHART_APPLICATION_REPLACED.items() if key in entry]
    changed = []
    folder = spec.pop(CHART_DEFINITIONS_PATH, None)
    if folder is not None and "definitions" not in spec:
        # The chart's Argo CD Application synced this folder at defaultBranch; spec.definitions keeps it.
        spec["definitions"] = {"path": folder}
        changed.append(f"path: '{folder}' became definitions.path (Argo CD syncs it into the tenant namespace)")
    return _imported(name, f"{origin} ({name})", spec, "", dropped, {}, changed)


def _from_application(entry: Any, origin: str) -> Imported | Skipped:
    """An `applications:` entry: its fields renamed to the registration's, `credentialsSecret` dropped,
    and the repository's owner as the tenant (these entries name none), as `new` does."""
    if not isinstance(entry, dict):
        return Skipped(origin, "is not a mapping of application fields")
    name = entry.get("name")
    spec, dropped, changed = {}, [], []
    for key, value in entry.items():
        if key == "name":
            continue
        if key in APPLICATION_REPLACED:
            dropped.append(Dropped(key, APPLICATION_REPLACED[key]))
            continue
        field = APPLICATION_FIELDS.get(key, key)
        if field == "artifactBucket" and isinstance(value, dict):
            value = {ARTIFACT_FIELDS.get(k, k): v for k, v in value.items() if k not in APPLICATION_REPLACED}
            dropped += [Dropped(f"{key}.{k}", APPLICATION_REPLACED[k]) for k in entry[key] if k in APPLICATION_REPLACED]
        spec[field] = value
    parts = formats.github_repo_url_parts(spec["repoUrl"]) if isinstance(spec.get("repoUrl"), str) else None
    if "tenant" not in spec and parts is not None:
        spec["tenant"] = parts[0]
        changed.append(f"tenant: set to the repository's owner '{parts[0]}' ({APPLICATIONS_KEY} entries name no tenant)")
    return _imported(name, f"{origin} ({name})", spec, "", dropped, {}, changed)


def _imported(
    name: Any, origin: str, spec: dict, prefix: str, dropped: list[Dropped], metadata: dict, changed: list[str] | None = None
) -> Imported | Skipped:
    # The name becomes a file name: anything that is not a Kubernetes name could leave the directory.
    if not isinstance(name, str) or formats.dns_subdomain_problem(name):
        return Skipped(origin, f"has no usable name ({name!r}); a registration name is a DNS-1123 label")
    changed = list(changed or [])
    mapped = _fields(spec, RepoRegistrationSpec, prefix, dropped)
    installation = mapped.get("installationId")
    if isinstance(installation, str) and installation.isascii() and installation.isdigit():
        # The chart kept it as text; the tenant file's field is a number.
        mapped["installationId"] = int(installation)
        changed.append(f"{prefix}installationId: '{installation}' became the number {installation}")
    active = spec.get("active")
    if "active" in spec and "paused" not in spec and isinstance(active, bool):
        if not active:
            mapped["paused"] = True
            changed.append(f"{prefix}active: false became paused: true (the webhook stays, inactive)")
    elif "active" in spec:
        dropped.append(Dropped(f"{prefix}active", "paused says whether pushes start workflows"))
    document = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": name, **metadata}, "spec": mapped}
    return Imported(name, origin, document, tuple(dropped), tuple(changed))


def _fields(source: dict, model: type[BaseModel], prefix: str, dropped: list[Dropped]) -> dict:
    """`source`'s fields that `model` has, in the model's order; nulls count as absent, as in Helm and Kubernetes."""
    known = {info.alias or name: info for name, info in model.model_fields.items()}
    mapped = {}
    for key, info in known.items():
        value = source.get(key)
        if value is None:
            continue
        if key in DERIVED:
            dropped.append(Dropped(f"{prefix}{key}", DERIVED[key]))
            continue
        if key in ("artifactBucket", "dataBucket") and isinstance(value, dict):
            value = _fields(value, BucketSpec, f"{prefix}{key}.", dropped)
        mapped[key] = value
    is_spec = model is RepoRegistrationSpec
    for key in source:
        if key not in known and not (is_spec and key == "active"):
            dropped.append(Dropped(f"{prefix}{key}", REPLACED.get(key, UNKNOWN) if is_spec else UNKNOWN))
    return mapped


# Helm values lists this module reads, and how each entry becomes a registration.
_VALUES_LISTS = ((HELM_KEY, _from_helm), (APPLICATIONS_KEY, _from_application))


def _kept_metadata(metadata: dict) -> dict:
    kept = {}
    labels = {k: v for k, v in (metadata.get("labels") or {}).items() if k not in _BOOKKEEPING_LABELS}
    annotations = {
        k: v for k, v in (metadata.get("annotations") or {}).items() if not k.startswith(_BOOKKEEPING_ANNOTATIONS)
    }
    if labels:
        kept["labels"] = labels
    if annotations:
        kept["annotations"] = annotations
    return kept


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, as the repository's tenant files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def with_shard(imported: Imported, shard: str) -> Imported:
    """The registration with `spec.shard` set, unless it names one already (which is then kept)."""
    if "shard" in imported.document["spec"]:
        return imported
    document = {**imported.document, "spec": {**imported.document["spec"], "shard": shard}}
    return replace(imported, document=document, changed=(*imported.changed, f"spec.shard: set to {shard} (--shard)"))


def render(imported: Imported, modeline: str, source: str) -> str:
    header = f"{modeline}\n# Imported by `python -m tenancy import` from {source}, {imported.origin}.\n"
    return header + yaml.dump(imported.document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100, allow_unicode=True)
