"""One S3 bucket of a registration, with the settings that keep its data safe; never deleted by this program."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from tenancy.model.tenant import BucketLocation


@dataclass(frozen=True)
class TenantBucketArgs:
    location: BucketLocation
    tags: dict[str, str]
    protect: bool


class TenantBucket(pulumi.ComponentResource):
    """Children: Bucket, BucketVersioning, BucketServerSideEncryptionConfiguration,
    BucketPublicAccessBlock, BucketOwnershipControls, BucketLifecycleConfiguration.

    Every child is retained on delete: removing a tenant file leaves the bucket, its data and the
    settings that protect that data (a deleted public access block would open a retained bucket).
    """

    def __init__(self, name: str, args: TenantBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("argo-tenants:index:TenantBucket", name, None, opts)
        location = args.location
        keep = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        self.bucket = aws.s3.Bucket(
            name,
            bucket=location.bucket,
            region=location.region,
            force_destroy=False,
            tags=args.tags,
            opts=pulumi.ResourceOptions.merge(keep, pulumi.ResourceOptions(protect=args.protect)),
        )
        bucket_name = self.bucket.bucket
        aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket_name,
            region=location.region,
            versioning_configuration={"status": "Enabled"},
            opts=keep,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket_name,
            region=location.region,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}, "bucket_key_enabled": True}],
            opts=keep,
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket_name,
            region=location.region,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=keep,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket_name,
            region=location.region,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=keep,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket_name,
            region=location.region,
            rules=[
                {
                    "id": "abort-incomplete-multipart-uploads",
                    "status": "Enabled",
                    "filter": {},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=keep,
        )
        self.bucket_name = bucket_name
        self.register_outputs({"bucket_name": bucket_name})
