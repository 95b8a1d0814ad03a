"""One MinIO bucket of a registration, versioned and private; never deleted by this program."""

from __future__ import annotations

import pulumi
import pulumi_minio as minio

from components.tenant_bucket import TenantBucketArgs


class MinioBucket(pulumi.ComponentResource):
    """Children: minio.S3Bucket (private ACL), minio.S3BucketVersioning.

    What TenantBucket does in AWS S3, through MinIO's API. Both are retained on delete, as there; the
    provider has no bucket tags (the registration's MinIO user carries them).
    MinIO has no public access block or ownership controls (its buckets are private unless a bucket
    policy says otherwise, and it has no ACL-owned objects), encrypts only with a KMS configured on
    the server, and removes stale multipart uploads itself; so those settings have no counterpart here.
    """

    def __init__(self, name: str, args: TenantBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:MinioBucket", name, None, opts)
        keep = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        self.bucket = minio.S3Bucket(
            name,
            bucket=args.location.bucket,
            acl="private",
            force_destroy=False,
            opts=pulumi.ResourceOptions.merge(keep, pulumi.ResourceOptions(protect=args.protect)),
        )
        minio.S3BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.bucket,
            versioning_configuration={"status": "Enabled"},
            opts=keep,
        )
        self.bucket_name = self.bucket.bucket
        self.register_outputs({"bucket_name": self.bucket_name})
