"""The registration's own IAM user, its S3 policy, and two access-key slots whose active key is written to Vault."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_vault as vault

from tenancy.model import naming

KEY_SLOTS = ("a", "b")


def slot_generation(rotation: int, slot: str) -> int:
    """The rotation each key slot was last replaced at.

    Rotation n makes slot n % 2 active. The other slot keeps the previous rotation's key, still
    valid, so workflows that read it before ESO's next refresh keep working; it is replaced only at
    the following rotation. (IAM allows two keys per user: exactly these two slots.)
    """
    index = KEY_SLOTS.index(slot)
    return rotation if rotation % 2 == index else rotation - 1


def active_slot(rotation: int) -> str:
    return KEY_SLOTS[rotation % 2]


def slot_options(parent: pulumi.Resource, rotation: int, slot: str, *, delete_first: bool) -> pulumi.ResourceOptions:
    """A key slot's options: replaced at its own rotation (`slot_generation`), and deleted before its
    successor is created where the API holds only two keys."""
    return pulumi.ResourceOptions(
        parent=parent, replacement_trigger=slot_generation(rotation, slot), delete_before_replace=delete_first
    )


def granted_policy(args: TenantCredentialsArgs) -> pulumi.Input[str]:
    """The policy document as text, waiting for every bucket it names that this program creates.

    When one cannot be created (the name is taken: by another account, or by this one, a bucket of
    the platform or one an offboarding left behind, which S3 in us-east-1 would even answer with
    success), the update stops there and the policy is never written: no key reaches that bucket.
    """
    policy = json.dumps(args.policy)
    if not args.granted_buckets:
        return policy
    return pulumi.Output.all(*args.granted_buckets).apply(lambda _: policy)


def vault_credentials(
    name: str, args: TenantCredentialsArgs, key_id: pulumi.Input[str], secret: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> dict[str, pulumi.Output[str]]:
    """The active key written to each of `args.vault_paths` as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
    (one vault.kv.SecretV2 `<name>-<purpose>` each); their paths, by purpose, as Outputs to wait for."""
    credentials = pulumi.Output.secret(
        pulumi.Output.all(key_id, secret).apply(
            lambda pair: json.dumps({naming.ACCESS_KEY_ID_KEY: pair[0], naming.SECRET_ACCESS_KEY_KEY: pair[1]})
        )
    )
    paths = {}
    for purpose, path in args.vault_paths.items():
        written = vault.kv.SecretV2(f"{name}-{purpose}", mount=args.kv_mount, name=path, data_json=credentials, opts=opts)
        paths[purpose] = written.name
    return paths


@dataclass(frozen=True)
class TenantCredentialsArgs:
    """`policy` is the user's S3 policy document (`tenancy.manifests.iam_policy.s3_access_policy`; MinIO
    reads the same grammar);
    `rotation` is spec.credentialsRotation; `vault_paths` maps each bucket location's purpose to the
    path under `kv_mount` that gets the active key; `granted_buckets` are Outputs of the buckets the
    policy grants that this program creates (their names), which the policy waits for."""

    user_name: str
    policy_name: str
    policy: dict
    rotation: int
    kv_mount: str
    vault_paths: Mapping[str, str]
    tags: dict[str, str]
    granted_buckets: Sequence[pulumi.Input[str]] = field(default_factory=tuple)


class TenantCredentials(pulumi.ComponentResource):
    """Children: iam.User, iam.UserPolicy, two iam.AccessKey slots, and one vault.kv.SecretV2 per
    bucket location holding the active key as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY."""

    def __init__(self, name: str, args: TenantCredentialsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantCredentials", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        user = aws.iam.User(
            f"{name}-user",
            name=args.user_name,
            path=naming.IAM_USER_PATH,
            tags=args.tags,
            opts=child,
        )
        aws.iam.UserPolicy(f"{name}-s3", name=args.policy_name, user=user.name, policy=granted_policy(args), opts=child)
        rotation = args.rotation
        # A user holds at most two keys: the replaced slot must go before its successor comes.
        keys = {
            slot: aws.iam.AccessKey(f"{name}-key-{slot}", user=user.name, opts=slot_options(self, rotation, slot, delete_first=True))
            for slot in KEY_SLOTS
        }
        active = keys[active_slot(rotation)]
        self.vault_paths = vault_credentials(name, args, active.id, active.secret, child)
        self.user_name = user.name
        self.access_key_id = pulumi.Output.secret(active.id)
        self.register_outputs(
            {"user_name": self.user_name, "access_key_id": self.access_key_id, "vault_paths": self.vault_paths}
        )
