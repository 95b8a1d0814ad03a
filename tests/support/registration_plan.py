"""What a tenant document asks for, compared with what the program's plan registers for it.

Used by the round-trip tests: a file that was written (`new`) or converted (`import`) must plan
to exactly the repository, buckets, endpoints, Vault paths, users and switches it says.
"""

from __future__ import annotations

import yaml

from tenancy.manifests.rbac import RBAC_RULE_ANNOTATION
from tenancy.model import naming
from tenancy.model.endpoint import Endpoint
from tenancy.model.settings import StackSettings
from tests.support.expr_rules import eval_rule
from tests.support.program import of_tenant


def _expected_location(bucket: dict, settings: StackSettings, purpose: str, name: str) -> dict:
    hostname = bucket.get("hostname")
    if hostname:
        service = Endpoint.parse(hostname, default_scheme="http" if bucket.get("insecure") else "https")
    else:
        service = settings.s3_service or Endpoint.aws_s3(bucket.get("region", "us-west-2"))
    prefix = bucket.get("keyPrefix", naming.DEFAULT_ARTIFACT_KEY_PREFIX if purpose == "artifacts" else "")
    path = bucket.get("externalSecretPath") or naming.default_vault_path(settings.vault.path_prefix, name, purpose)
    mount = f"{settings.vault.kv_mount}/"
    return {
        "bucket": f"{settings.bucket_names.prefix}{bucket['bucket']}{settings.bucket_names.suffix}",
        "region": bucket.get("region", "us-west-2"),
        "endpoint": service.host,
        "insecure": service.insecure,
        "key_prefix": prefix if not prefix or prefix.endswith("/") else f"{prefix}/",
        "vault_path": path[len(mount) :] if path.startswith(mount) else path,
    }


EVERYONE = "every signed-in user"


def _matched(rule: str | None, listed: list[str]) -> list[str]:
    """Whom an SSO account's rule lets in, of the people listed (or everyone); nobody without an account."""
    if rule is None:
        return []
    if eval_rule(rule, {"email": "stranger@nowhere.example"}):
        return [EVERYONE]
    return [email for email in listed if eval_rule(rule, {"email": email})]


def mismatches(plan, document: dict, settings: StackSettings) -> list[str]:
    """Every way the plan of `document`'s registration differs from the document; empty when they agree."""
    name, spec = document["metadata"]["name"], document["spec"]
    resources = of_tenant(plan, name)
    found: list[str] = []

    def expect(what, actual, wanted):
        if actual != wanted:
            found.append(f"{name}: {what} is {actual!r}, the file says {wanted!r}")

    def manifests(kind):
        return [r.inputs for r in resources if r.type.startswith("kubernetes:") and r.inputs.get("kind") == kind]

    [namespace] = manifests("Namespace")
    owner, repo = spec["repoUrl"][len("https://github.com/") : -len(".git")].split("/")
    expect("namespace", namespace["metadata"]["name"], naming.tenant_namespace(owner, repo))
    expect("tenant label", namespace["metadata"]["labels"]["tenant"], spec["tenant"])
    expect("public label", namespace["metadata"]["labels"]["calypr.io/public"], str(spec.get("isPublic", False)).lower())

    [hook] = [r.inputs for r in resources if r.type == "github:index/repositoryWebhook:RepositoryWebhook"]
    expect("webhook repository", hook["repository"], repo)
    expect("webhook active", hook["active"], not spec.get("paused", False))

    [template] = manifests("WorkflowTemplate")
    expect("WorkflowTemplate", template["metadata"]["name"], spec.get("workflowTemplateRef", naming.DEFAULT_WORKFLOW_TEMPLATE))
    parameters = {p["name"]: p["value"] for p in template["spec"]["arguments"]["parameters"]}
    expect("default branch", parameters["git_ref_name"], spec.get("defaultBranch", "main"))

    webhook_secrets = [m["metadata"]["name"] for m in manifests("ExternalSecret") if m["metadata"]["namespace"] == settings.namespaces.argo_events]
    expect("webhook Secret", webhook_secrets, [spec.get("githubSecretName") or naming.webhook_secret_name(name)])

    rules = {m["metadata"]["name"]: m["metadata"]["annotations"].get(RBAC_RULE_ANNOTATION) for m in manifests("ServiceAccount")}
    admins, readers = spec.get("adminUsers", []), spec.get("readUsers", [])
    expect("admins", _matched(rules.get(naming.ADMIN_SERVICE_ACCOUNT), admins), admins)
    expect("readers", _matched(rules.get(naming.READER_SERVICE_ACCOUNT), readers), [EVERYONE] if spec.get("isPublic") else readers)

    buckets = sorted((r.inputs["bucket"], r.inputs["region"]) for r in resources if r.type == "aws:s3/bucket:Bucket")
    wanted = {purpose: _expected_location(spec[field], settings, purpose, name)
              for field, purpose in (("artifactBucket", "artifacts"), ("dataBucket", "data")) if spec.get(field)}
    expect("buckets", buckets, sorted((w["bucket"], w["region"]) for w in wanted.values()))

    vault_paths = sorted(r.inputs["name"] for r in resources if r.type == "vault:kv/secretV2:SecretV2")
    default_artifacts = naming.default_vault_path(settings.vault.path_prefix, name, "artifacts")
    expect("Vault paths", vault_paths, sorted([
        *(w["vault_path"] for w in wanted.values()),
        *([] if "artifacts" in wanted else [default_artifacts]),
        naming.github_vault_path(settings.vault.path_prefix, name),
    ]))

    [configmap] = manifests("ConfigMap")
    s3 = yaml.safe_load(configmap["data"][naming.ARTIFACT_REPOSITORY_KEY])["s3"]
    if "artifacts" in wanted:
        artifacts = wanted["artifacts"]
        expect("artifact repository", (s3["bucket"], s3["endpoint"], s3["region"], s3["insecure"]),
               (artifacts["bucket"], artifacts["endpoint"], artifacts["region"], artifacts["insecure"]))
        expect("artifact key format", s3["keyFormat"], f"{artifacts['key_prefix']}{{{{workflow.name}}}}/{{{{pod.name}}}}")
    else:
        fallback = settings.fallback_artifact_bucket
        expect("artifact repository", (s3["bucket"], s3["keyFormat"]), (fallback.bucket, f"{name}/{{{{workflow.name}}}}/{{{{pod.name}}}}"))
    return found
