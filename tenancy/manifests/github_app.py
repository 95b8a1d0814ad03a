"""A registration's short-lived GitHub tokens: minted in the App's namespace, handed to its tenant namespace by name.

Why two hops. External Secrets' GithubAccessToken generator reads the App's private key from the
namespace of the ExternalSecret that uses it (generators/v1/github/github.go takes the ExternalSecret's
namespace and ignores `secretRef.namespace`), so a token minted in a tenant namespace would need the
key there, where a tenant admin can run any pod. Instead, per registration and purpose:

1. in the App's namespace (`githubApp.namespace`, platform-owned): a namespaced `GithubAccessToken` scoped
   to the one repository and one permission, and an ExternalSecret that mints with it every
   MINT_REFRESH into a Secret of the same name (`argo-tenants-<name>-<purpose>`);
2. a Role there that may `get` exactly those Secrets, bound to the service account `eso-github` of the
   tenant namespace only;
3. in the tenant namespace: a SecretStore (ESO's Kubernetes provider) that logs in as `eso-github`, and
   ExternalSecrets that copy the tokens every COPY_REFRESH: `git-credentials` (rendered as Nextflow's SCM
   file) and `github-status-token`.

No ClusterGenerator is used: a namespaced generator can only be referenced from its own namespace,
and no tenant-facing role may create ExternalSecrets or generators anywhere (tests/manifests/test_rbac.py).
"""

from __future__ import annotations

from tenancy.manifests import external_secrets
from tenancy.model import labels, naming
from tenancy.model.inputs import Input
from tenancy.model.tenant import Tenant

GENERATOR_API_VERSION = "generators.external-secrets.io/v1alpha1"
GENERATOR_KIND = "GithubAccessToken"
# What the generator puts in the Secret it fills (generators/v1/github/github.go: `token`).
TOKEN_KEY = "token"

# What each token may do, and nothing more: read the code, or set commit statuses. GitHub adds
# `metadata: read` to every installation token.
PERMISSIONS = {"contents": {"contents": "read"}, "status": {"statuses": "write"}}

# GitHub installation tokens expire one hour after they are minted. A token is re-minted every
# MINT_REFRESH and copied into the tenant namespace every COPY_REFRESH, so a pod that starts reads a
# token at most MINT_REFRESH + COPY_REFRESH (+ the kubelet's Secret sync, about a minute) old: more
# than half an hour of it is left for Nextflow's clone and for the exit handler.
TOKEN_LIFETIME_MINUTES = 60
MINT_REFRESH_MINUTES = 20
COPY_REFRESH_MINUTES = 5

# Nextflow reads Git credentials from its SCM file (NXF_SCM_FILE, since 20.10.0): `providers.github.user` and
# `.password`. It sends them as basic auth to GitHub's API and to JGit for the clone, never into
# .git/config, and logs them redacted. GitHub takes an installation token as the password of `x-access-token`.
SCM_FILE_KEY = "scm"
SCM_FILE_TEMPLATE = (
    "providers {\n"
    "    github {\n"
    "        user = 'x-access-token'\n"
    "        password = '{{ .token }}'\n"
    "    }\n"
    "}\n"
)
# Every ConfigMap of every namespace has this: the cluster's CA, for the store's calls to the API server.
_CLUSTER_CA = {"type": "ConfigMap", "name": "kube-root-ca.crt", "key": "ca.crt"}
_IN_CLUSTER_API = "https://kubernetes.default.svc"


def _minutes(value: int) -> str:
    return f"{value}m"


def token_generator(tenant: Tenant, purpose: str) -> dict:
    """A GithubAccessToken for the registration's repository alone, with PERMISSIONS[purpose] alone."""
    app = tenant.settings.github_app
    name = tenant.github_token_name(purpose)
    return {
        "apiVersion": GENERATOR_API_VERSION,
        "kind": GENERATOR_KIND,
        "metadata": {"name": name, "namespace": app.namespace, "labels": labels.tenant_labels(tenant)},
        "spec": {
            "appID": str(app.app_id),
            "installID": str(tenant.installation_id),
            "repositories": [tenant.repo],
            "permissions": dict(PERMISSIONS[purpose]),
            "auth": {"privateKey": {"secretRef": {"name": app.private_key_secret, "key": app.private_key_key}}},
        },
    }


def minted_token(*, name: str, namespace: str, generator: Input[str], labels: dict) -> dict:
    """ExternalSecret `name` in the App's `namespace`, minting a new token every MINT_REFRESH into Secret
    `name` with GithubAccessToken `generator` (its Output, of the same name: it waits for its generator)."""
    return {
        "apiVersion": external_secrets.API_VERSION,
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "refreshInterval": _minutes(MINT_REFRESH_MINUTES),
            "target": {"name": name, "creationPolicy": "Owner"},
            "dataFrom": [
                {"sourceRef": {"generatorRef": {"apiVersion": GENERATOR_API_VERSION, "kind": GENERATOR_KIND, "name": generator}}}
            ],
        },
    }


def token_reader_rules(tenant: Tenant) -> list[dict]:
    """`get` on this registration's minted tokens, by name: what ESO's Kubernetes provider reads with.
    (Its store check, a SelfSubjectRulesReview, accepts a rule limited to resourceNames.)"""
    names = [tenant.github_token_name(purpose) for purpose in naming.GITHUB_TOKEN_PURPOSES]
    return [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": names, "verbs": ["get"]}]


def token_reader(tenant: Tenant, namespace: Input[str]) -> tuple[dict, dict]:
    """Role and RoleBinding in the App's namespace: `eso-github` of the tenant `namespace` (its Output,
    so that the binding waits for the namespace) may read its own tokens."""
    name = naming.github_token_reader_name(tenant.name)
    metadata = {"name": name, "namespace": tenant.settings.github_app.namespace, "labels": labels.tenant_labels(tenant)}
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": metadata, "rules": token_reader_rules(tenant)}
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": dict(metadata),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"kind": "ServiceAccount", "name": naming.GITHUB_TOKEN_SERVICE_ACCOUNT, "namespace": namespace}],
    }
    return role, binding


def token_store(tenant: Tenant) -> dict:
    """The tenant namespace's SecretStore over the App's namespace, logging in as `eso-github`."""
    return {
        "apiVersion": external_secrets.API_VERSION,
        "kind": "SecretStore",
        "metadata": {"name": naming.GITHUB_TOKEN_STORE, "namespace": tenant.namespace, "labels": labels.tenant_labels(tenant)},
        "spec": {
            "provider": {
                "kubernetes": {
                    "remoteNamespace": tenant.settings.github_app.namespace,
                    "server": {"url": _IN_CLUSTER_API, "caProvider": dict(_CLUSTER_CA)},
                    "auth": {"serviceAccount": {"name": naming.GITHUB_TOKEN_SERVICE_ACCOUNT}},
                }
            }
        },
    }


def _copied_token(name: str, *, namespace: Input[str], store: Input[str], token: str, labels: dict, template: dict | None = None) -> dict:
    return external_secrets.external_secret(
        name=name,
        namespace=namespace,
        store=store,
        remote_key=token,
        keys=(TOKEN_KEY,),
        refresh_interval=_minutes(COPY_REFRESH_MINUTES),
        labels=labels,
        template=template,
    )


def git_credentials(*, namespace: Input[str], store: Input[str], token: str, labels: dict) -> dict:
    """Secret `git-credentials` in the tenant `namespace`: only Nextflow's SCM file (key `scm`) holding the
    read-only minted `token`, copied through `store` (the Outputs of both: it waits for them)."""
    template = {"engineVersion": "v2", "data": {SCM_FILE_KEY: SCM_FILE_TEMPLATE}}
    return _copied_token(naming.GIT_CREDENTIALS_SECRET, namespace=namespace, store=store, token=token, labels=labels, template=template)


def status_token(*, namespace: Input[str], store: Input[str], token: str, labels: dict) -> dict:
    """Secret `github-status-token` (key `token`): may set commit statuses of this repository, nothing else."""
    return _copied_token(naming.GITHUB_STATUS_SECRET, namespace=namespace, store=store, token=token, labels=labels)
