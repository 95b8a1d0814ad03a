"""The registration's own MinIO user, its S3 policy, and two access-key slots whose active key is written to Vault."""

from __future__ import annotations

import pulumi
import pulumi_minio as minio

from components.tenant_credentials import (
    KEY_SLOTS,
    TenantCredentialsArgs,
    active_slot,
    granted_policy,
    slot_options,
    vault_credentials,
)


class MinioCredentials(pulumi.ComponentResource):
    """Children: minio.IamUser, minio.IamPolicy and its minio.IamUserPolicyAttachment, two
    minio.IamServiceAccount key slots of that user (they carry its policy), and one vault.kv.SecretV2
    per bucket location holding the active key as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.

    What TenantCredentials does with AWS IAM, through MinIO's own admin API: MinIO has no IAM of AWS's
    kind, but reads the same policy grammar. The user's own secret is never handed out; workflows get
    an access key of the user, so rotation works as with AWS (the previous key stays valid).
    """

    def __init__(self, name: str, args: TenantCredentialsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:MinioCredentials", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        user = minio.IamUser(f"{name}-user", name=args.user_name, tags=args.tags, opts=child)
        policy = minio.IamPolicy(f"{name}-s3", name=args.policy_name, policy=granted_policy(args), opts=child)
        attachment = minio.IamUserPolicyAttachment(
            f"{name}-s3-attachment", user_name=user.name, policy_name=policy.name, opts=child
        )
        # Issued to the user through its attachment: a key is useful only once the policy is attached.
        # Unlike IAM, MinIO has no limit of two keys, so a replaced slot's successor comes first.
        keys = {
            slot: minio.IamServiceAccount(
                f"{name}-key-{slot}", target_user=attachment.user_name, opts=slot_options(self, args.rotation, slot, delete_first=False)
            )
            for slot in KEY_SLOTS
        }
        active = keys[active_slot(args.rotation)]
        self.vault_paths = vault_credentials(name, args, active.access_key, active.secret_key, child)
        self.user_name = user.name
        self.access_key_id = pulumi.Output.secret(active.access_key)
        self.register_outputs(
            {"user_name": self.user_name, "access_key_id": self.access_key_id, "vault_paths": self.vault_paths}
        )
