"""Every object of a plan against the schema of the component that will receive it, unknown fields rejected.

- core Kubernetes objects: PyPI kubernetes-validate, strict, at its newest Kubernetes version;
- ExternalSecret / SecretStore / GithubAccessToken: the External Secrets CRDs (served version only);
- WorkflowTemplate, the Workflow each Sensor trigger submits, each ArtifactRepository (the
  artifact ConfigMap's value): Argo Workflows' JSON Schema; EventSource and Sensor: Argo Events'.

The upstream files live in ../shared/schemas beside the checkout, or where ARGO_TENANTS_SCHEMAS points
(tests/support/shared_files.py).
Neither Argo schema sets `additionalProperties: false`, and CRD schemas leave that to the API
server's pruning, so every object schema with `properties` is closed here: an unknown field is an
error, not a field Argo or the API server silently drops. Argo Workflows' schema types IntOrString
as a string although the API server takes integers too; that one type is widened.

A second check uses hera's pydantic models of the Argo objects: a field hera does not model
disappears when the object is parsed and dumped again.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import kubernetes_validate
import yaml

from tenancy.manifests.argo_workflows import DEFAULT_REPOSITORY_ANNOTATION
from tests.integration.plan import Plan, manifest_id
from tests.support.shared_files import SCHEMAS_ENV, missing_reason, shared_dir

KUBERNETES_VERSION = kubernetes_validate.latest_version()

ARGO_WORKFLOWS = "argo-workflows.schema.json"
ARGO_EVENTS = "argo-events.schema.json"
ESO_CRDS = {
    "ExternalSecret": "external-secrets.io_externalsecrets.yaml",
    "SecretStore": "external-secrets.io_secretstores.yaml",
    "GithubAccessToken": "generators.external-secrets.io_githubaccesstokens.yaml",
}
# Argo CD's Application and AppProject (spec.definitions): its CRDs, served version only.
ARGO_CD_CRDS = {"Application": "argoproj.io_applications.yaml", "AppProject": "argoproj.io_appprojects.yaml"}
CORE_API_VERSIONS = ("v1", "rbac.authorization.k8s.io/v1", "networking.k8s.io/v1", "admissionregistration.k8s.io/v1")
ARGO_DEFINITIONS = {
    "WorkflowTemplate": (ARGO_WORKFLOWS, "io.argoproj.workflow.v1alpha1.WorkflowTemplate"),
    "Workflow": (ARGO_WORKFLOWS, "io.argoproj.workflow.v1alpha1.Workflow"),
    "ArtifactRepository": (ARGO_WORKFLOWS, "io.argoproj.workflow.v1alpha1.ArtifactRepository"),
    "EventSource": (ARGO_EVENTS, "io.argoproj.events.v1alpha1.EventSource"),
    "Sensor": (ARGO_EVENTS, "io.argoproj.events.v1alpha1.Sensor"),
}
_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def schemas_dir() -> Path | None:
    directory = shared_dir("schemas", SCHEMAS_ENV)
    return directory if (directory / ARGO_WORKFLOWS).is_file() else None


MISSING = missing_reason("upstream schemas", "schemas", SCHEMAS_ENV, f"{ARGO_WORKFLOWS}, {ARGO_EVENTS} and the External Secrets CRDs")


def closed(schema: Any) -> Any:
    """A copy in which every object schema that lists properties refuses others."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: closed(value) for key, value in schema.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def _from_openapi(schema: Any) -> Any:
    """A CRD's OpenAPI v3 schema as JSON Schema: the Kubernetes extensions the API server applies."""
    if isinstance(schema, list):
        return [_from_openapi(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _from_openapi(value) for key, value in schema.items()}
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def _where(path) -> str:
    return ".".join(str(part) for part in path) or "(root)"


class Schemas:
    def __init__(self, directory: Path):
        self.directory = directory
        self._validators: dict[tuple[str, str], jsonschema.protocols.Validator] = {}

    @cached_property
    def _argo(self) -> dict[str, dict]:
        out = {}
        for name in (ARGO_WORKFLOWS, ARGO_EVENTS):
            document = json.loads((self.directory / name).read_text())
            definitions = closed(document["definitions"])
            int_or_string = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
            if definitions.get(int_or_string) == {"type": "string"}:
                definitions[int_or_string] = {"type": ["string", "integer"]}
            out[name] = {"definitions": definitions}
        return out

    def argo_errors(self, kind: str, instance: Any) -> list[str]:
        source, definition = ARGO_DEFINITIONS[kind]
        key = (source, definition)
        if key not in self._validators:
            # Argo Events says only "http://json-schema.org/schema#"; both files use 2020-12 keywords at most.
            root = {**self._argo[source], "$ref": f"#/definitions/{definition}"}
            self._validators[key] = jsonschema.Draft202012Validator(root)
        return [f"{_where(error.absolute_path)}: {error.message}" for error in self._validators[key].iter_errors(instance)]

    @cached_property
    def _crds(self) -> dict[str, dict]:
        files = {**ESO_CRDS, **ARGO_CD_CRDS}
        return {kind: yaml.safe_load((self.directory / name).read_text()) for kind, name in files.items()}

    def crd_errors(self, manifest: dict) -> list[str]:
        crd = self._crds[manifest["kind"]]
        group, _, version = manifest["apiVersion"].partition("/")
        if group != crd["spec"]["group"]:
            return [f"apiVersion: group {group} is not {crd['spec']['group']}"]
        served = {v["name"]: v for v in crd["spec"]["versions"] if v.get("served")}
        if version not in served:
            return [f"apiVersion: {manifest['apiVersion']} is not served (served: {sorted(served)})"]
        key = (manifest["kind"], version)
        if key not in self._validators:
            schema = closed(_from_openapi(copy.deepcopy(served[version]["schema"]["openAPIV3Schema"])))
            schema["properties"]["metadata"] = {"$ref": f"#/definitions/{_OBJECT_META}"}
            schema["definitions"] = {_OBJECT_META: self._argo[ARGO_WORKFLOWS]["definitions"][_OBJECT_META]}
            schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            self._validators[key] = jsonschema.Draft202012Validator(schema)
        return [f"{_where(error.absolute_path)}: {error.message}" for error in self._validators[key].iter_errors(manifest)]


# How the plan shows a value that holds a Pulumi secret: the whole field, whatever its shape.
SECRET_VALUE = "[secret]"


def _secret_values_shaped(manifest: dict) -> dict:
    """A Secret whose data the plan hides (`[secret]`) with an empty map in its place: its keys are the
    builder's (tests/manifests), its values the provider's."""
    if manifest.get("kind") != "Secret":
        return manifest
    return {key: ({} if key in ("data", "stringData") and value == SECRET_VALUE else value) for key, value in manifest.items()}


def core_errors(manifest: dict) -> list[str]:
    try:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as err:
        return [f"{_where(err.path)}: {err.message}"]
    except kubernetes_validate.SchemaNotFoundError as err:
        return [f"no Kubernetes {KUBERNETES_VERSION} schema: {err}"]
    return []


def artifact_repositories(plan: Plan) -> Iterator[tuple[str, dict]]:
    """(where, ArtifactRepository) of every Argo artifact repository ConfigMap value."""
    for configmap in plan.manifests("ConfigMap"):
        if DEFAULT_REPOSITORY_ANNOTATION in configmap["metadata"].get("annotations", {}):
            for key, text in configmap.get("data", {}).items():
                yield f"{manifest_id(configmap)} data.{key}", yaml.safe_load(text)


def submitted_workflows(plan: Plan) -> Iterator[tuple[str, dict]]:
    for sensor in plan.manifests("Sensor"):
        for index, trigger in enumerate(sensor["spec"]["triggers"]):
            resource = trigger["template"].get("argoWorkflow", {}).get("source", {}).get("resource")
            if resource is not None:
                yield f"{manifest_id(sensor)} spec.triggers.{index} Workflow", resource


def schema_problems(plan: Plan, schemas: Schemas) -> list[str]:
    problems = []
    for manifest in plan.manifests():
        where = manifest_id(manifest)
        api_version, kind = manifest.get("apiVersion", ""), manifest.get("kind")
        if api_version in CORE_API_VERSIONS:
            errors = core_errors(_secret_values_shaped(manifest))
        elif api_version.startswith(("external-secrets.io/", "generators.external-secrets.io/")) and kind in ESO_CRDS:
            errors = schemas.crd_errors(manifest)
        elif api_version == "argoproj.io/v1alpha1" and kind in ARGO_CD_CRDS:
            errors = schemas.crd_errors(manifest)
        elif api_version == "argoproj.io/v1alpha1" and kind in ARGO_DEFINITIONS:
            errors = schemas.argo_errors(kind, manifest)
        else:
            errors = [f"no schema known for {api_version} {kind}"]
        problems += [f"{where}: {error}" for error in errors]
    for where, repository in artifact_repositories(plan):
        problems += [f"{where}: {error}" for error in schemas.argo_errors("ArtifactRepository", repository)]
    for where, workflow in submitted_workflows(plan):
        problems += [f"{where}: {error}" for error in schemas.argo_errors("Workflow", workflow)]
    return problems


def _hera_models() -> dict[str, Any]:
    from hera.events.models import EventSource, Sensor
    from hera.workflows.models import ArtifactRepository, Workflow, WorkflowTemplate

    return {
        "WorkflowTemplate": WorkflowTemplate,
        "Workflow": Workflow,
        "ArtifactRepository": ArtifactRepository,
        "EventSource": EventSource,
        "Sensor": Sensor,
    }


def _dropped(original: Any, dumped: Any, path: str = "") -> Iterator[str]:
    if isinstance(original, dict):
        for key, value in original.items():
            here = f"{path}.{key}" if path else key
            if not isinstance(dumped, dict) or key not in dumped:
                yield here
            else:
                yield from _dropped(value, dumped[key], here)
    elif isinstance(original, list) and isinstance(dumped, list):
        for index, (a, b) in enumerate(zip(original, dumped)):
            yield from _dropped(a, b, f"{path}.{index}")


def hera_problems(plan: Plan) -> list[str]:
    """Fields that hera's models of Argo's types do not know (they vanish on a parse/dump round trip).

    hera's EventSource/Sensor models have no apiVersion/kind, and model a trigger's `resource` as
    opaque; the submitted Workflow is checked on its own with hera's Workflow model.
    """
    import pydantic

    models = _hera_models()
    objects = [(manifest_id(m), m["kind"], m) for m in plan.manifests() if m.get("apiVersion") == "argoproj.io/v1alpha1"]
    objects += [(where, "ArtifactRepository", value) for where, value in artifact_repositories(plan)]
    objects += [(where, "Workflow", value) for where, value in submitted_workflows(plan)]
    problems = []
    for where, kind, value in objects:
        model = models.get(kind)
        if model is None:
            problems.append(f"{where}: hera has no model of {kind}")
            continue
        try:
            dumped = model.model_validate(value).model_dump(by_alias=True, exclude_none=True, mode="json")
        except pydantic.ValidationError as err:
            problems.append(f"{where}: hera refuses it: {err}")
            continue
        for field in _dropped(value, dumped):
            if kind in ("EventSource", "Sensor") and (field in ("apiVersion", "kind") or ".source.resource." in field):
                continue
            problems.append(f"{where}: hera does not know {field}")
    return problems


# What the API server checks of names and labels (apimachinery validation), which schemas leave to it.
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?")
# Kinds whose names must be DNS labels rather than subdomains.
_LABEL_NAMED = ("Namespace", "Service")


def _key_problem(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if prefix and not _DNS_SUBDOMAIN.fullmatch(prefix):
        return f"key {key!r}: prefix is not a DNS subdomain"
    if not _QUALIFIED_NAME.fullmatch(name):
        return f"key {key!r}: name part is not a qualified name"
    return None


def metadata_problems(plan: Plan) -> list[str]:
    problems = []
    objects = [(manifest_id(m), m) for m in plan.manifests()] + list(submitted_workflows(plan))
    for where, manifest in objects:
        meta = manifest["metadata"]
        name = meta.get("name") or meta.get("generateName", "").rstrip("-")
        pattern = _DNS_LABEL if manifest.get("kind") in _LABEL_NAMED else _DNS_SUBDOMAIN
        if not pattern.fullmatch(name):
            problems.append(f"{where}: metadata.name {name!r} is not a valid {manifest.get('kind')} name")
        if "namespace" in meta and not _DNS_LABEL.fullmatch(meta["namespace"]):
            problems.append(f"{where}: metadata.namespace {meta['namespace']!r} is not a DNS label")
        for key, value in meta.get("labels", {}).items():
            problem = _key_problem(key)
            if problem:
                problems.append(f"{where}: label {problem}")
            if not _LABEL_VALUE.fullmatch(value):
                problems.append(f"{where}: label {key}={value!r}: not a valid label value")
        for key in meta.get("annotations", {}):
            problem = _key_problem(key)
            if problem:
                problems.append(f"{where}: annotation {problem}")
    return problems
