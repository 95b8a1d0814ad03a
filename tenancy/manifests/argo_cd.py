"""Argo CD objects of a registration with its own workflow definitions (spec.definitions): the AppProject that
confines it, the Application that syncs its folder, the waiter's access to that Application, the GitHub App's
repository credential template per owner, and the admission policy that holds synced objects to the platform's
guardrails.

What Argo CD does with them (argoproj/argo-cd):
- AppProject (pkg/apis/application/v1alpha1/app_project_types.go): `sourceRepos` and `destinations` are globs
  (gobwas/glob; repository URLs normalized by util/git NormalizeGitURL: lower case, no `.git`), matched before
  every sync; a namespaced kind is allowed when `namespaceResourceWhitelist` is unset or lists it, and
  a cluster-scoped kind only when `clusterResourceWhitelist` lists it (`IsGroupKindPermitted`). So the
  namespaced allow-list is never empty here: empty would be Argo CD's "every namespaced kind".
- Application: no `resources-finalizer.argocd.argoproj.io`, so deleting it (removing spec.definitions)
  leaves what it synced in place; `automated.allowEmpty` false, so an emptied folder prunes nothing.
- Repository credentials: a Secret labelled `argocd.argoproj.io/secret-type: repo-creds` in Argo CD's
  namespace is a template for every repository whose URL starts with its `url` (longest match wins).
"""

from __future__ import annotations

import json
from typing import Any

from tenancy.model import labels, limits, naming
from tenancy.model.registration import DEFINITION_KINDS
from tenancy.model.settings import StackSettings
from tenancy.model.tenant import Tenant

API_VERSION = "argoproj.io/v1alpha1"
WORKFLOWS_GROUP = "argoproj.io"
SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
REPO_CREDS = "repo-creds"
# Argo CD's own cascade-delete finalizer, deliberately never set on a registration's Application.
RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"
# No FailOnSharedResource: no other Application deploys into a tenant namespace, and a registration
# moving from the chart's Application to this one must adopt what that one synced. The platform's own
# objects are kept from Argo CD by the admission policy instead.
SYNC_OPTIONS: list[str] = []
# How often the sync is retried when a synced object is refused (the admission policy, a kind the
# project does not allow): the reason is then on the Application until the repository is fixed.
SYNC_RETRY = {"limit": 5, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "3m"}}


def _metadata(tenant: Tenant, name: str) -> dict:
    return {
        "name": name,
        "namespace": tenant.settings.namespaces.argo_cd,
        "labels": labels.tenant_labels(tenant),
        "annotations": labels.tenant_annotations(tenant),
    }


def allowed_kinds(tenant: Tenant) -> list[dict]:
    return [{"group": WORKFLOWS_GROUP, "kind": kind} for kind in tenant.definitions.kinds]


def app_project(tenant: Tenant) -> dict:
    """This repository only, into this namespace of this cluster only, the allowed kinds only."""
    return {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": _metadata(tenant, tenant.argo_cd_name),
        "spec": {
            "description": f"Workflow definitions of {tenant.owner}/{tenant.repo} ({tenant.name}, {tenant.environment})",
            "sourceRepos": [tenant.repo_url],
            "destinations": [{"server": naming.IN_CLUSTER_SERVER, "namespace": tenant.namespace}],
            "clusterResourceWhitelist": [],
            # No orphanedResources: monitoring stays off, as the namespace also holds the platform's own
            # objects, which Argo CD would list as the Application's orphans.
            "namespaceResourceWhitelist": allowed_kinds(tenant),
        },
    }


def application(tenant: Tenant, namespace: Any) -> dict:
    """The folder at the branch the environment tracks, synced automatically, with pruning and self-heal,
    into `namespace` (a str, or the Namespace's Output, so that the Application waits for it). Its project is named, not
    waited for through data: both names come from the naming module (the component orders the two)."""
    return {
        "apiVersion": API_VERSION,
        "kind": "Application",
        # No finalizers: see the module docstring.
        "metadata": _metadata(tenant, tenant.argo_cd_name),
        "spec": {
            "project": tenant.argo_cd_name,
            "source": {
                "repoURL": tenant.repo_url,
                "targetRevision": tenant.tracked_ref,
                "path": tenant.definitions_folder,
                "directory": {"recurse": True},
            },
            "destination": {"server": naming.IN_CLUSTER_SERVER, "namespace": namespace},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True, "allowEmpty": False},
                **({"syncOptions": list(SYNC_OPTIONS)} if SYNC_OPTIONS else {}),
                "retry": SYNC_RETRY,
            },
        },
    }


def summary(tenant: Tenant) -> dict | None:
    """What a plan's reviewer reads of the registration's definitions: None without spec.definitions."""
    if tenant.definitions is None:
        return None
    return {
        "repository": tenant.repo_url,
        "ref": tenant.tracked_ref,
        "path": tenant.definitions_folder,
        "kinds": list(tenant.definitions.kinds),
        "application": f"{tenant.settings.namespaces.argo_cd}/{tenant.argo_cd_name}",
        "entrypoint": tenant.entrypoint,
    }


def sync_waiter_role(tenant: Tenant) -> dict:
    """`get` on this registration's Application only: what a run's first step reads."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _metadata(tenant, naming.sync_waiter_role_name(tenant.environment, tenant.name)),
        "rules": [
            {
                "apiGroups": [WORKFLOWS_GROUP],
                "resources": ["applications"],
                "resourceNames": [tenant.argo_cd_name],
                "verbs": ["get"],
            }
        ],
    }


def sync_waiter_binding(tenant: Tenant) -> dict:
    name = naming.sync_waiter_role_name(tenant.environment, tenant.name)
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _metadata(tenant, name),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [
            {"kind": "ServiceAccount", "name": naming.SYNC_WAITER_SERVICE_ACCOUNT, "namespace": tenant.namespace}
        ],
    }


def repo_creds(settings: StackSettings, owner: str, installation_id: int, private_key: Any) -> dict:
    """The GitHub App's credential template for every repository of `owner`, in Argo CD's namespace: Argo CD
    mints installation tokens with it. `private_key` is the PEM as a secret Output (or a str). The key stays in
    platform namespaces (here and the App's own)."""
    app = settings.github_app
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": naming.repo_creds_name(owner),
            "namespace": settings.namespaces.argo_cd,
            "labels": {**labels.platform_labels(), SECRET_TYPE_LABEL: REPO_CREDS},
        },
        "type": "Opaque",
        "stringData": {
            "type": "git",
            "url": naming.repo_creds_url(owner),
            "githubAppID": str(app.app_id),
            "githubAppInstallationID": str(installation_id),
            "githubAppPrivateKey": private_key,
        },
    }


# --- the admission policy -------------------------------------------------------------------------

# The workflow spec of each kind a repository may define.
_SPEC = "object.kind == 'CronWorkflow' ? object.spec.workflowSpec : object.spec"
_TEMPLATES = "has(variables.spec.templates) ? variables.spec.templates : []"


def _quoted(text: str) -> str:
    """A CEL string literal (JSON's escapes are CEL's for these characters)."""
    return json.dumps(text)


def policy_validations() -> list[dict]:
    """The guardrails, as CEL over the object Argo CD applies. Each says what a tenant must fix."""
    runner = _quoted(naming.RUNNER_SERVICE_ACCOUNT)
    configmap = _quoted(naming.ARTIFACT_REPOSITORIES_CONFIGMAP)
    managed_by = _quoted("app.kubernetes.io/managed-by")
    project = _quoted(naming.PROJECT)
    return [
        {
            "expression": f"has(variables.spec.serviceAccountName) && variables.spec.serviceAccountName == {runner}",
            "message": f"set serviceAccountName: {naming.RUNNER_SERVICE_ACCOUNT} (the tenant's runner)",
            "reason": "Forbidden",
        },
        {
            "expression": f"variables.templates.all(t, !has(t.serviceAccountName) || t.serviceAccountName == {runner})",
            "message": f"templates run as {naming.RUNNER_SERVICE_ACCOUNT}: remove their serviceAccountName",
            "reason": "Forbidden",
        },
        {
            # A pod spec patch can set any service account, host namespace or volume.
            "expression": "!has(variables.spec.podSpecPatch) && variables.templates.all(t, !has(t.podSpecPatch))",
            "message": "podSpecPatch is not allowed",
            "reason": "Forbidden",
        },
        {
            "expression": "!has(variables.spec.executor) && variables.templates.all(t, !has(t.executor))",
            "message": "executor is not allowed: the executor runs as the workflow's service account",
            "reason": "Forbidden",
        },
        {
            "expression": (
                "!has(variables.spec.hostNetwork) || variables.spec.hostNetwork == false"
            ),
            "message": "hostNetwork is not allowed",
            "reason": "Forbidden",
        },
        {
            "expression": (
                "!has(variables.spec.artifactRepositoryRef) || (has(variables.spec.artifactRepositoryRef.configMap) "
                f"&& variables.spec.artifactRepositoryRef.configMap == {configmap})"
            ),
            "message": f"artifactRepositoryRef must name the ConfigMap {naming.ARTIFACT_REPOSITORIES_CONFIGMAP} (or be left out)",
            "reason": "Forbidden",
        },
        {
            # Logs and outputs go to the namespace's artifact repository, not to a store a template names.
            "expression": (
                "variables.templates.all(t, !has(t.archiveLocation) || t.archiveLocation.all(k, k == 'archiveLogs'))"
            ),
            "message": "archiveLocation may only set archiveLogs: logs go to the namespace's artifact repository",
            "reason": "Forbidden",
        },
        {
            "expression": f"object.metadata.name.size() <= {limits.WORKFLOW_TEMPLATE_LABEL_MAX}",
            "message": f"names are at most {limits.WORKFLOW_TEMPLATE_LABEL_MAX} characters (a label value of each run)",
            "reason": "Invalid",
        },
        {
            "expression": (
                f"object.kind != 'CronWorkflow' || object.metadata.name.size() <= {limits.CRON_WORKFLOW_NAME_MAX}"
            ),
            "message": f"CronWorkflow names are at most {limits.CRON_WORKFLOW_NAME_MAX} characters",
            "reason": "Invalid",
        },
        {
            # The platform's own objects (the generated template) are never taken over, nor imitated.
            "expression": (
                f"(oldObject == null || !has(oldObject.metadata.labels) || !({managed_by} in oldObject.metadata.labels) "
                f"|| oldObject.metadata.labels[{managed_by}] != {project}) && (!has(object.metadata.labels) "
                f"|| !({managed_by} in object.metadata.labels) || object.metadata.labels[{managed_by}] != {project})"
            ),
            "message": f"objects managed by {naming.PROJECT} are the platform's: choose another name, and no managed-by label",
            "reason": "Forbidden",
        },
    ]


def admission_policy(settings: StackSettings) -> dict:
    """Binds what Argo CD's application controller writes in a definitions namespace to the guardrails."""
    controller = f"system:serviceaccount:{settings.namespaces.argo_cd}:{naming.ARGO_CD_CONTROLLER_ACCOUNT}"
    resources = sorted(f"{kind.lower()}s" for kind in DEFINITION_KINDS)
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": naming.definitions_policy_name(settings.shard_name), "labels": labels.platform_labels()},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {
                "resourceRules": [
                    {
                        "apiGroups": [WORKFLOWS_GROUP],
                        "apiVersions": ["*"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": resources,
                    }
                ]
            },
            # What the tenant syncs; the Sensor's runs and the platform's template are written by others.
            "matchConditions": [{"name": "synced-by-argo-cd", "expression": f"request.userInfo.username == {_quoted(controller)}"}],
            "variables": [{"name": "spec", "expression": _SPEC}, {"name": "templates", "expression": _TEMPLATES}],
            "validations": policy_validations(),
        },
    }


def admission_binding(settings: StackSettings) -> dict:
    name = naming.definitions_policy_name(settings.shard_name)
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name, "labels": labels.platform_labels()},
        "spec": {
            "policyName": name,
            "validationActions": ["Deny"],
            "matchResources": {"namespaceSelector": {"matchLabels": {naming.DEFINITIONS_NAMESPACE_LABEL: "true"}}},
        },
    }
