"""A registration's short-lived GitHub App tokens: minted in the App's namespace, read from the tenant namespace by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pulumi

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import github_app
from tenancy.model import naming


@dataclass(frozen=True)
class TenantGithubTokensArgs:
    """By purpose (`contents`, `status`): the GithubAccessToken `generators` (`github_app.token_generator`)
    in the App's namespace `app_namespace`, and the name each token has there (`token_names`: the
    generator's, its minting ExternalSecret's and the Secret's). The finished `reader` Role and RoleBinding
    there (`github_app.token_reader`, its subject waiting for the Namespace) and the tenant namespace's
    `store` (`github_app.token_store`). `namespace` is the Namespace's Output, which the store and the
    copies wait for; `labels` go on what this component builds itself."""

    generators: Mapping[str, dict]
    token_names: Mapping[str, str]
    app_namespace: str
    reader: tuple[dict, dict]
    store: dict
    namespace: pulumi.Input[str]
    labels: Mapping[str, str]


class TenantGithubTokens(pulumi.ComponentResource):
    """Children: in the App's namespace a GithubAccessToken and an ExternalSecret per purpose
    (`argo-tenants-<name>-contents`, `-status`), Role and RoleBinding `argo-tenants-<name>`; in the tenant
    namespace SecretStore `github-tokens` and ExternalSecrets `git-credentials`, `github-status-token`.

    Each ExternalSecret is built here with the Output of what it waits for: the minting one with its
    generator's name, the copies with the store's."""

    def __init__(self, name: str, args: TenantGithubTokensArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantGithubTokens", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = dict(args.labels)
        for purpose, generator in args.generators.items():
            made = kubernetes_object(f"{name}-{purpose}-generator", generator, child)
            minted = github_app.minted_token(
                name=args.token_names[purpose], namespace=args.app_namespace, generator=made.metadata.apply(lambda m: m["name"]), labels=labels
            )
            kubernetes_object(f"{name}-{purpose}-minted", minted, child)
        role, binding = args.reader
        kubernetes_object(f"{name}-reader-role", role, child)
        kubernetes_object(f"{name}-reader-rolebinding", binding, child)
        store = kubernetes_object(f"{name}-store", args.store, child, namespace=args.namespace)
        store_name = store.metadata.apply(lambda m: m["name"])
        copies = {
            naming.GIT_CREDENTIALS_SECRET: github_app.git_credentials(
                namespace=args.namespace, store=store_name, token=args.token_names["contents"], labels=labels
            ),
            naming.GITHUB_STATUS_SECRET: github_app.status_token(
                namespace=args.namespace, store=store_name, token=args.token_names["status"], labels=labels
            ),
        }
        for secret_name, secret in copies.items():
            kubernetes_object(f"{name}-{secret_name}", secret, child)
        self.secret_names = list(copies)
        self.register_outputs({"secret_names": self.secret_names})
