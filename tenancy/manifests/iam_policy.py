"""The IAM policy of a registration's user: only what Argo needs, only on its own bucket(s) and prefix."""

from __future__ import annotations

from tenancy.model.tenant import BucketLocation, Tenant

# Argo's S3 driver writes artifacts and logs (Put, multipart uploads included), reads inputs
# (Get), lists directory artifacts (ListBucket) and garbage-collects (Delete).
OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")
LIST_ACTIONS = ("s3:ListBucket",)


def s3_access_policy(tenant: Tenant) -> dict:
    statements: list[dict] = []
    for location in tenant.locations:
        statements.extend(_location_statements(location))
    return {"Version": "2012-10-17", "Statement": statements}


def _location_statements(location: BucketLocation) -> list[dict]:
    sid = location.purpose.capitalize()
    listing: dict = {
        "Sid": f"List{sid}",
        "Effect": "Allow",
        "Action": list(LIST_ACTIONS),
        "Resource": [location.bucket_arn],
    }
    if location.key_prefix:
        # Without the condition, ListBucket would reveal every key of a shared bucket.
        listing["Condition"] = {"StringLike": {"s3:prefix": [location.key_prefix, f"{location.key_prefix}*"]}}
    objects = {
        "Sid": f"Objects{sid}",
        "Effect": "Allow",
        "Action": list(OBJECT_ACTIONS),
        "Resource": [location.objects_arn],
    }
    return [listing, objects]
