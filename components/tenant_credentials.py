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


@dataclass(frozen=True)
class TenantCredentialsArgs:
    """`policy` is the user's IAM policy document (`tenancy.manifests.iam_policy.s3_access_policy`);
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
        # The grant waits for every bucket it names that this program creates: when one cannot be
        # created (the name is taken, by another account, or by this one: a bucket of the platform or
        # one an offboarding left behind, which S3 in us-east-1 would even answer with success), the
        # update stops there and the policy is never written, so no key ever reaches that bucket.
        policy = json.dumps(args.policy)
        aws.iam.UserPolicy(
            f"{name}-s3",
            name=args.policy_name,
            user=user.name,
            policy=pulumi.Output.all(*args.granted_buckets).apply(lambda _: policy) if args.granted_buckets else policy,
            opts=child,
        )
        rotation = args.rotation
        keys = {
            slot: aws.iam.AccessKey(
                f"{name}-key-{slot}",
                user=user.name,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    replacement_trigger=slot_generation(rotation, slot),
                    # A user holds at most two keys: the replaced slot must go before its successor comes.
                    delete_before_replace=True,
                ),
            )
            for slot in KEY_SLOTS
        }
        active = keys[active_slot(rotation)]
        credentials = pulumi.Output.secret(
            pulumi.Output.all(active.id, active.secret).apply(
                lambda pair: json.dumps({naming.ACCESS_KEY_ID_KEY: pair[0], naming.SECRET_ACCESS_KEY_KEY: pair[1]})
            )
        )
        self.vault_paths = {}
        for purpose, path in args.vault_paths.items():
            secret = vault.kv.SecretV2(
                f"{name}-{purpose}",
                mount=args.kv_mount,
                name=path,
                data_json=credentials,
                opts=child,
            )
            self.vault_paths[purpose] = secret.name
        self.user_name = user.name
        self.access_key_id = pulumi.Output.secret(active.id)
        self.register_outputs(
            {"user_name": self.user_name, "access_key_id": self.access_key_id, "vault_paths": self.vault_paths}
        )
