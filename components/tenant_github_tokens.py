"""A registration's short-lived GitHub App tokens: minted in the App's namespace, read from the tenant namespace by name."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Sequence

import pulumi

from components.kubernetes_object import kubernetes_object
from tenancy.manifests import external_secrets


@dataclass(frozen=True)
class TenantGithubTokensArgs:
    """Manifests from `tenancy.manifests.github_app`: by purpose, the `generators` (`token_generator`) and
    the ExternalSecrets that mint with them (`minted_token`), both in the App's namespace; the `reader`
    Role and RoleBinding there (`token_reader`); the tenant namespace's `store` (`token_store`) and the
    ExternalSecrets that copy the tokens through it (`git_credentials`, `status_token`). `namespace` is
    an Output of the tenant Namespace, which the store, the copies and the binding's subject wait for."""

    generators: dict[str, dict]
    minted: dict[str, dict]
    reader: tuple[dict, dict]
    store: dict
    copies: Sequence[dict]
    namespace: pulumi.Input[str]


class TenantGithubTokens(pulumi.ComponentResource):
    """Children: in the App's namespace a GithubAccessToken and an ExternalSecret per purpose
    (`argo-tenants-<name>-contents`, `-status`), Role and RoleBinding `argo-tenants-<name>`; in the tenant
    namespace SecretStore `github-tokens` and ExternalSecrets `git-credentials`, `github-status-token`."""

    def __init__(self, name: str, args: TenantGithubTokensArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantGithubTokens", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        for purpose, generator in args.generators.items():
            made = kubernetes_object(f"{name}-{purpose}-generator", generator, child)
            minted = copy.deepcopy(args.minted[purpose])
            # The generator's name as an Output: the ExternalSecret waits for the generator it mints with.
            minted["spec"]["dataFrom"][0]["sourceRef"]["generatorRef"]["name"] = made.metadata.apply(lambda m: m["name"])
            kubernetes_object(f"{name}-{purpose}-minted", minted, child)
        role, binding = args.reader
        kubernetes_object(f"{name}-reader-role", role, child)
        binding = copy.deepcopy(binding)
        binding["subjects"][0]["namespace"] = args.namespace
        kubernetes_object(f"{name}-reader-rolebinding", binding, child)
        store = kubernetes_object(f"{name}-store", args.store, child, namespace=args.namespace)
        store_name = store.metadata.apply(lambda m: m["name"])
        self.secret_names = []
        for secret in args.copies:
            secret_name = secret["metadata"]["name"]
            manifest = external_secrets.with_source(secret, remote_key=secret["spec"]["data"][0]["remoteRef"]["key"], store=store_name)
            kubernetes_object(f"{name}-{secret_name}", manifest, child, namespace=args.namespace)
            self.secret_names.append(secret_name)
        self.register_outputs({"secret_names": self.secret_names})
