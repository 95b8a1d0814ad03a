"""What the identity that runs `pulumi up` needs, derived from what the program registers: an IAM policy,
a Kubernetes ClusterRole and a Vault policy, for one stack.

The plan knows every resource type the program registers; each type maps to the provider calls that
create, read, update and delete it (ACTIONS), scoped to the names the stack gives (its bucket affix,
the IAM path and `argo-tenants-<env>-` prefix, its Vault mount and prefix). A type the program
registers that is not in the table stops the command (`UnknownTypes`), so the permissions cannot fall
behind the program; tests/plan/test_permissions.py checks every object of the shipped stacks' plans
against what is printed.
"""

from __future__ import annotations

from typing import Any

from tenancy.project.stacks import StackSettings

IAM_USER_PATH = "/argo-tenants/"
NAME_PREFIX = "argo-tenants"

_BUCKET_READ = ["s3:ListBucket", "s3:GetBucket*", "s3:GetAccelerateConfiguration", "s3:GetReplicationConfiguration"]
# Resource type -> (what it is scoped to, the calls its provider makes for it).
ACTIONS: dict[str, tuple[str, list[str]]] = {
    "aws:s3/bucket:Bucket": ("bucket", ["s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging", *_BUCKET_READ]),
    "aws:s3/bucketVersioning:BucketVersioning": ("bucket", ["s3:GetBucketVersioning", "s3:PutBucketVersioning"]),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "bucket",
        ["s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"],
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        "bucket",
        ["s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:DeleteBucketPublicAccessBlock"],
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (
        "bucket",
        ["s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls", "s3:DeleteBucketOwnershipControls"],
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        "bucket",
        ["s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"],
    ),
    "aws:iam/user:User": (
        "user",
        [
            "iam:CreateUser", "iam:GetUser", "iam:DeleteUser", "iam:TagUser", "iam:UntagUser", "iam:ListUserTags",
            "iam:ListGroupsForUser", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies", "iam:ListAccessKeys",
            "iam:ListMFADevices", "iam:ListSSHPublicKeys", "iam:ListServiceSpecificCredentials",
            "iam:ListSigningCertificates", "iam:GetLoginProfile",
        ],
    ),
    "aws:iam/userPolicy:UserPolicy": ("user", ["iam:PutUserPolicy", "iam:GetUserPolicy", "iam:DeleteUserPolicy", "iam:ListUserPolicies"]),
    "aws:iam/accessKey:AccessKey": (
        "user",
        ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:GetAccessKeyLastUsed"],
    ),
    "vault:kv/secretV2:SecretV2": ("vault", []),
    "vault:index/policy:Policy": ("vault", []),
    "vault:kubernetes/authBackendRole:AuthBackendRole": ("vault", []),
    # The GitHub App's "Webhooks: read and write" (docs/operations.md#the-github-app); nothing of the cloud.
    "github:index/repositoryWebhook:RepositoryWebhook": ("github", []),
    "random:index/randomPassword:RandomPassword": ("local", []),
    # MinIO's own admin API: the stack's MinIO account (docs/operations.md#minio-storage), not IAM.
    "minio:index/s3Bucket:S3Bucket": ("minio", []),
    "minio:index/s3BucketVersioning:S3BucketVersioning": ("minio", []),
    "minio:index/iamUser:IamUser": ("minio", []),
    "minio:index/iamPolicy:IamPolicy": ("minio", []),
    "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment": ("minio", []),
    "minio:index/iamServiceAccount:IamServiceAccount": ("minio", []),
}
# What Pulumi's Kubernetes provider does to an object it manages: read and watch it (its await logic),
# create, server-side apply (patch), replace, delete.
KUBERNETES_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]


class UnknownTypes(Exception):
    """The program registers types this module has no permissions for: add them to ACTIONS."""

    def __init__(self, types: list[str]):
        self.types = types
        super().__init__(
            f"no deploy permissions known for {', '.join(types)}: add each to ACTIONS in tenancy/plan/permissions.py"
        )


def registered_types(document: dict[str, Any]) -> list[str]:
    """Every cloud object type of the plan (providers and components call nothing)."""
    return sorted({r["type"] for r in document["resources"] if r["custom"] and not r["type"].startswith("pulumi:providers:")})


def kubernetes_resource(type_token: str) -> tuple[str, str] | None:
    """(API group, resource) of a `kubernetes:<group>/<version>:<Kind>` token; the core group is ''."""
    if not type_token.startswith("kubernetes:") or type_token.startswith("kubernetes:index"):
        return None
    group_version, kind = type_token[len("kubernetes:") :].rsplit(":", 1)
    group = group_version.rsplit("/", 1)[0]
    return ("" if group == "core" else group), plural(kind)


def plural(kind: str) -> str:
    """A Kind's resource name, as the API server derives it for these kinds (NetworkPolicy -> networkpolicies,
    Ingress -> ingresses); tests/plan/test_permissions.py checks every kind the plans register."""
    lower = kind.lower()
    if lower.endswith("y"):
        return f"{lower[:-1]}ies"
    return f"{lower}es" if lower.endswith(("s", "x", "ch")) else f"{lower}s"


def unknown_types(document: dict[str, Any]) -> list[str]:
    return [t for t in registered_types(document) if t not in ACTIONS and kubernetes_resource(t) is None]


def bucket_pattern(settings: StackSettings) -> str:
    """Every bucket the stack can create: the environment's affix around any name."""
    return f"{settings.bucket_names.prefix}*{settings.bucket_names.suffix}"


def user_pattern(settings: StackSettings) -> str:
    return f"{NAME_PREFIX}-{settings.environment}-*"


def iam_policy(document: dict[str, Any], settings: StackSettings) -> dict[str, Any]:
    """The deploy identity's IAM policy: only the calls the plan's types need, on the stack's names; the
    platform's buckets (the fallback bucket included, which the program never manages) denied outright."""
    by_scope: dict[str, set[str]] = {"bucket": set(), "user": set()}
    for type_token in registered_types(document):
        scope, actions = ACTIONS.get(type_token, ("", []))
        if scope in by_scope:
            by_scope[scope].update(actions)
    buckets = bucket_pattern(settings)
    statements = []
    if by_scope["bucket"]:
        statements.append(
            {"Sid": "Buckets", "Effect": "Allow", "Action": sorted(by_scope["bucket"]), "Resource": [f"arn:aws:s3:::{buckets}"]}
        )
    if by_scope["user"]:
        user = f"arn:aws:iam::*:user{IAM_USER_PATH}{user_pattern(settings)}"
        statements.append({"Sid": "Users", "Effect": "Allow", "Action": sorted(by_scope["user"]), "Resource": [user]})
        longer = [e for e in settings.environments if e != settings.environment and e.startswith(f"{settings.environment}-")]
        if longer:
            # `argo-tenants-dev-*` also matches environment dev-eu's users: never this stack's to manage.
            denied = [f"arn:aws:iam::*:user{IAM_USER_PATH}{NAME_PREFIX}-{e}-*" for e in longer]
            statements.append({"Sid": "OtherEnvironmentsUsers", "Effect": "Deny", "Action": "iam:*", "Resource": denied})
    if settings.platform_buckets and by_scope["bucket"]:
        owned = [arn for b in settings.platform_buckets for arn in (f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*")]
        statements.append({"Sid": "PlatformBuckets", "Effect": "Deny", "Action": "s3:*", "Resource": owned})
    return {"Version": "2012-10-17", "Statement": statements}


def cluster_role(document: dict[str, Any], name: str = f"{NAME_PREFIX}-deploy") -> dict[str, Any]:
    """A ClusterRole for every Kubernetes kind the plan manages (tenant namespaces come and go, so it is
    cluster-wide), and every rule the plan's own Roles grant: Kubernetes lets an identity create a Role
    only with permissions it holds itself (RBAC escalation prevention)."""
    kinds: dict[str, set[str]] = {}
    granted: list[dict[str, Any]] = []
    for resource in document["resources"]:
        found = kubernetes_resource(resource["type"])
        if found is None or not resource["custom"]:
            continue
        kinds.setdefault(found[0], set()).add(found[1])
        if resource["type"].endswith(":Role"):
            for rule in resource["inputs"].get("rules") or []:
                if rule not in granted:
                    granted.append(rule)
    rules = [
        {"apiGroups": [group], "resources": sorted(resources), "verbs": list(KUBERNETES_VERBS)}
        for group, resources in sorted(kinds.items())
    ]
    granted_rules = [
        {key: rule[key] for key in ("apiGroups", "resources", "resourceNames", "verbs") if key in rule}
        for rule in sorted(granted, key=lambda rule: str(rule))
    ]
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": name},
        "rules": rules + [rule for rule in granted_rules if not _covered(rule, rules)],
    }


def _covered(rule: dict[str, Any], rules: list[dict[str, Any]]) -> bool:
    return any(
        set(rule.get("apiGroups") or [""]) <= set(other["apiGroups"])
        and set(rule.get("resources") or []) <= set(other["resources"])
        and set(rule.get("verbs") or []) <= set(other["verbs"])
        for other in rules
    )


def vault_policy(document: dict[str, Any], settings: StackSettings) -> str:
    """The deploy identity's Vault policy (HCL) for the plan's Vault types."""
    types = set(registered_types(document))
    vault = settings.vault
    names = f"{NAME_PREFIX}-{settings.environment}-*"
    stanzas = []
    if "vault:kv/secretV2:SecretV2" in types:
        stanzas.append((f"{vault.kv_mount}/data/{vault.path_prefix}/*", ["create", "read", "update", "delete"]))
        stanzas.append((f"{vault.kv_mount}/metadata/{vault.path_prefix}/*", ["read", "update", "delete", "list"]))
    if "vault:index/policy:Policy" in types:
        stanzas.append((f"sys/policies/acl/{names}", ["create", "read", "update", "delete"]))
    if "vault:kubernetes/authBackendRole:AuthBackendRole" in types:
        stanzas.append((f"auth/{vault.kubernetes_auth_mount}/role/{names}", ["create", "read", "update", "delete"]))
    if stanzas:
        # The Vault provider works with a child token of the one it is given.
        stanzas.append(("auth/token/create", ["update"]))
    return "\n".join(
        f'path "{path}" {{\n  capabilities = [{", ".join(f"{chr(34)}{c}{chr(34)}" for c in capabilities)}]\n}}' for path, capabilities in stanzas
    ) + "\n"


def others(document: dict[str, Any]) -> list[str]:
    """What the deploy needs outside AWS, Kubernetes and Vault, in words."""
    scopes = {ACTIONS[t][0] for t in registered_types(document) if t in ACTIONS}
    found = []
    if "github" in scopes:
        found.append(
            "GitHub: the App's installation on each owner with 'Webhooks: read and write' (or a token with admin:repo_hook)"
        )
    if "minio" in scopes:
        found.append("MinIO: an account that may manage buckets, users, policies and service accounts (mc admin)")
    return found
