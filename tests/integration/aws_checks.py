"""Applies a plan's AWS side to moto with IAM authorization enforced, then probes S3 with each registration's key.

moto (in-process `mock_aws`) checks every request's signature and evaluates the caller's IAM
policies on the action and the resource ARN once `set_initial_no_auth_action_count` is in force. It
does not know S3's condition keys: it passes no request context and ignores operators other than
StringEquals, so `s3:prefix` on ListBucket would always pass. `_s3_condition_keys` teaches it the
one key and operators our policies use, as AWS evaluates them: `s3:prefix` is the ListObjects
`prefix` parameter (absent when the request has none, and then the condition does not hold), and an
Allow statement whose condition does not hold simply does not apply.

Each check returns a list of problems, so the same function runs on the real plan (expect none)
and on a copy broken on purpose (expect the specific one).
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Callable, Iterator, TypeVar
from urllib.parse import parse_qs, urlparse

import boto3
import botocore.exceptions
import yaml
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count
from moto.iam import access_control

from tenancy.manifests.argo_workflows import DEFAULT_REPOSITORY_ANNOTATION
from tests.integration.plan import BUCKET, IAM_ACCESS_KEY, IAM_USER, IAM_USER_POLICY, Location, Plan

T = TypeVar("T")
ADMIN = "integration-admin"
# Requests moto lets through unauthenticated: exactly the three that create the admin and its key.
_ADMIN_SETUP_REQUESTS = 3

_CONDITIONS = {
    "StringLike": lambda pattern, value: fnmatchcase(value, pattern),
    "StringEquals": lambda expected, value: value == expected,
}


def _conditions_hold(statement: dict, context: dict[str, str]) -> bool:
    for operator, keys in statement.get("Condition", {}).items():
        compare = _CONDITIONS.get(operator)
        if compare is None:
            raise NotImplementedError(f"the moto extension does not evaluate {operator}")
        for key, expected in keys.items():
            value = context.get(key)
            expected = [expected] if isinstance(expected, str) else expected
            if value is None or not any(compare(e, value) for e in expected):
                return False
    return True


@contextlib.contextmanager
def _s3_condition_keys() -> Iterator[None]:
    original_statement = access_control.IAMPolicyStatement.is_action_permitted
    original_check = access_control.S3IAMRequest.check_action_permitted

    def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
        if "Condition" in self._statement:
            if not _conditions_hold(self._statement, incoming_condition_values or {}):
                return access_control.PermissionResult.NEUTRAL
            statement = {k: v for k, v in self._statement.items() if k != "Condition"}
            return original_statement(access_control.IAMPolicyStatement(statement), action, resource, principal)
        return original_statement(self, action, resource, principal, incoming_condition_values)

    def check_action_permitted(self, resource):
        query = parse_qs(urlparse(self._path).query, keep_blank_values=True)
        context = {"s3:prefix": query["prefix"][0]} if "prefix" in query else {}
        permitted = False
        for policy in self._access_key.collect_policies():
            result = access_control.IAMPolicy(policy).is_action_permitted(self._action, resource, None, context)
            if result == access_control.PermissionResult.DENIED:
                self._raise_access_denied()
            permitted = permitted or result == access_control.PermissionResult.PERMITTED
        if not permitted:
            self._raise_access_denied()

    access_control.IAMPolicyStatement.is_action_permitted = is_action_permitted
    access_control.S3IAMRequest.check_action_permitted = check_action_permitted
    try:
        yield
    finally:
        access_control.IAMPolicyStatement.is_action_permitted = original_statement
        access_control.S3IAMRequest.check_action_permitted = original_check


def _pascal(key: str) -> str:
    return {"id": "ID", "sseAlgorithm": "SSEAlgorithm"}.get(key, key[:1].upper() + key[1:])


def _api_shape(value):
    """Pulumi's camelCase inputs in the S3 API's PascalCase."""
    if isinstance(value, dict):
        return {_pascal(k): _api_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_api_shape(v) for v in value]
    return value


# Bucket settings resources -> (S3 call, its parameter, how the resource's inputs become that parameter).
_BUCKET_SETTINGS = {
    "aws:s3/bucketVersioning:BucketVersioning": (
        "put_bucket_versioning", "VersioningConfiguration", lambda i: _api_shape(i["versioningConfiguration"])),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "put_bucket_encryption", "ServerSideEncryptionConfiguration", lambda i: {"Rules": _api_shape(i["rules"])}),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        "put_public_access_block", "PublicAccessBlockConfiguration",
        lambda i: {_pascal(k): v for k, v in i.items() if k not in ("bucket", "region")}),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (
        "put_bucket_ownership_controls", "OwnershipControls", lambda i: {"Rules": [_api_shape(i["rule"])]}),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        "put_bucket_lifecycle_configuration", "LifecycleConfiguration", lambda i: {"Rules": _api_shape(i["rules"])}),
}


@dataclass(frozen=True)
class Credentials:
    user: str
    access_key_id: str
    secret_access_key: str


class Account:
    """One moto AWS account with the plan applied; clients sign with the credentials given."""

    def __init__(self, region: str):
        self.region = region
        self.admin: Credentials | None = None
        self.keys: dict[str, Credentials] = {}
        self.bucket_regions: dict[str, str] = {}

    def client(self, service: str, credentials: Credentials, region: str | None = None, endpoint_url: str | None = None):
        return boto3.client(
            service,
            region_name=region or self.region,
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            endpoint_url=endpoint_url,
        )

    def bootstrap_admin(self) -> None:
        iam = boto3.client("iam", region_name=self.region, aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
        iam.create_user(UserName=ADMIN)
        iam.put_user_policy(
            UserName=ADMIN,
            PolicyName="all",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        )
        key = iam.create_access_key(UserName=ADMIN)["AccessKey"]
        self.admin = Credentials(ADMIN, key["AccessKeyId"], key["SecretAccessKey"])

    def apply(self, plan: Plan, fallback_buckets: dict[str, str]) -> None:
        """What `pulumi up` creates, signed by an administrator; the platform's fallback bucket(s) too."""
        iam = self.client("iam", self.admin)
        for bucket, region in sorted(fallback_buckets.items()):
            self._create_bucket(bucket, region)
        for resource in plan.of_type(BUCKET):
            self._create_bucket(resource["inputs"]["bucket"], resource["inputs"]["region"])
        for resource in plan.resources:
            setting = _BUCKET_SETTINGS.get(resource["type"])
            if setting:
                call, parameter, shape = setting
                inputs = resource["inputs"]
                s3 = self.client("s3", self.admin, inputs["region"])
                getattr(s3, call)(Bucket=inputs["bucket"], **{parameter: shape(inputs)})
        for resource in plan.of_type(IAM_USER):
            inputs = resource["inputs"]
            tags = [{"Key": k, "Value": v} for k, v in inputs.get("tags", {}).items()]
            iam.create_user(UserName=inputs["name"], Path=inputs.get("path", "/"), Tags=tags)
        for resource in plan.of_type(IAM_USER_POLICY):
            inputs = resource["inputs"]
            iam.put_user_policy(UserName=inputs["user"], PolicyName=inputs["name"], PolicyDocument=inputs["policy"])
        for resource in plan.of_type(IAM_ACCESS_KEY):
            user = resource["inputs"]["user"]
            key = iam.create_access_key(UserName=user)["AccessKey"]
            tenant = resource["tenant"]
            self.keys.setdefault(tenant, Credentials(user, key["AccessKeyId"], key["SecretAccessKey"]))

    def _create_bucket(self, bucket: str, region: str) -> None:
        self.bucket_regions[bucket] = region
        s3 = self.client("s3", self.admin, region)
        extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **extra)


def run_in_aws(plan: Plan, region: str, fallback_buckets: dict[str, str], body: Callable[[Account], T]) -> T:
    """moto with the plan applied and authorization enforced from the fourth request on; `body` runs
    while enforcement lasts (set_initial_no_auth_action_count wraps a function)."""
    with mock_aws(), _s3_condition_keys():

        @set_initial_no_auth_action_count(_ADMIN_SETUP_REQUESTS)
        def run() -> T:
            account = Account(region)
            account.bootstrap_admin()
            account.apply(plan, fallback_buckets)
            return body(account)

        return run()


def _error_code(err: botocore.exceptions.ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "?")


_ALLOWED = "allowed"


def attempt(call) -> str:
    try:
        call()
        return _ALLOWED
    except botocore.exceptions.ClientError as err:
        return _error_code(err)


def probe_location(s3, location: Location, probe: str, seed: str) -> dict[str, str]:
    """put, get, list and delete under a location; the outcome of each ("allowed" or an error code)."""
    key = f"{location.prefix}{probe}"
    return {
        "put": attempt(lambda: s3.put_object(Bucket=location.bucket, Key=key, Body=b"probe")),
        "get": attempt(lambda: s3.get_object(Bucket=location.bucket, Key=f"{location.prefix}{seed}")),
        "list": attempt(lambda: s3.list_objects_v2(Bucket=location.bucket, Prefix=location.prefix)),
        "delete": attempt(lambda: s3.delete_object(Bucket=location.bucket, Key=key)),
    }


def _outside_probes(s3, location: Location, probe: str) -> dict[str, str]:
    """Beside and above a prefix: the bucket root, and the prefix without its '/' (beta vs beta-2)."""
    stem = location.prefix.rstrip("/")
    return {
        f"put s3://{location.bucket}/{probe}": attempt(lambda: s3.put_object(Bucket=location.bucket, Key=probe, Body=b"x")),
        f"list s3://{location.bucket}/ (no prefix)": attempt(lambda: s3.list_objects_v2(Bucket=location.bucket)),
        f"list s3://{location.bucket}/{stem}": attempt(lambda: s3.list_objects_v2(Bucket=location.bucket, Prefix=stem)),
        f"put s3://{location.bucket}/{stem}-other/{probe}": attempt(
            lambda: s3.put_object(Bucket=location.bucket, Key=f"{stem}-other/{probe}", Body=b"x")
        ),
    }


def s3_access_problems(account: Account, plan: Plan) -> list[str]:
    """Each registration's key: everything under its own locations works; nothing under another's,
    nor beside or above its own prefix."""
    problems = []
    locations = plan.locations()
    admin_s3 = {}
    seed = "seed/object.txt"
    for location in locations:
        s3 = admin_s3.setdefault(location.bucket, account.client("s3", account.admin, account.bucket_regions[location.bucket]))
        s3.put_object(Bucket=location.bucket, Key=f"{location.prefix}{seed}", Body=b"seed")
    for tenant in plan.tenants:
        credentials = account.keys.get(tenant)
        if credentials is None:
            problems.append(f"{tenant}: the plan creates no access key")
            continue
        for location in locations:
            s3 = account.client("s3", credentials, account.bucket_regions[location.bucket])
            outcome = probe_location(s3, location, f"probe/{tenant}.txt", seed)
            own = location.tenant == tenant
            for operation, result in outcome.items():
                if own and result != _ALLOWED:
                    problems.append(f"{tenant}: {operation} under its own {location.uri} fails: {result}")
                if not own and result != "AccessDenied":
                    problems.append(f"{tenant}: {operation} under {location.tenant}'s {location.uri} is {result}, not AccessDenied")
            if own and location.prefix:
                for what, result in _outside_probes(s3, location, f"outside/{tenant}.txt").items():
                    if result != "AccessDenied":
                        problems.append(f"{tenant}: {what} is {result}, not AccessDenied (outside its prefix {location.prefix})")
    return problems


_TEMPLATE_VARIABLE = re.compile(r"\{\{\s*([^}\s]+)\s*\}\}")
_HOST_PORT = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?")
# What Argo fills in a keyFormat for a step's outputs (workflow/pod variables it documents).
_KEY_FORMAT_VARIABLES = ("workflow.name", "workflow.namespace", "workflow.uid", "pod.name")

SecretValue = Callable[[str, str, str], str]


def artifact_repository_problems(repository: dict, where: str) -> list[str]:
    """What Argo's S3 driver needs of an ArtifactRepository beyond its schema."""
    problems = []
    s3 = repository.get("s3")
    if not s3:
        return [f"{where}: no s3 repository"]
    endpoint = s3.get("endpoint", "")
    # minio-go (Argo's S3 client) takes host[:port] and refuses a scheme or a path ("Endpoint url
    # cannot have fully qualified paths"); `insecure` chooses http or https.
    if not _HOST_PORT.fullmatch(endpoint):
        problems.append(f"{where}: s3.endpoint {endpoint!r} is not host[:port] (Argo's S3 client refuses a scheme or a path)")
    for variable in _TEMPLATE_VARIABLE.findall(s3.get("keyFormat", "")):
        if variable not in _KEY_FORMAT_VARIABLES:
            problems.append(f"{where}: s3.keyFormat uses {{{{{variable}}}}}, which Argo does not fill in for artifacts")
    for field in ("bucket", "region", "accessKeySecret", "secretKeySecret"):
        if not s3.get(field):
            problems.append(f"{where}: s3.{field} is missing")
    return problems


def expand_key_format(key_format: str, variables: dict[str, str]) -> str:
    return _TEMPLATE_VARIABLE.sub(lambda m: variables[m.group(1)], key_format)


def artifact_upload_problems(account: Account, plan: Plan, secret_value: SecretValue, suffix: str = "x7k2p") -> list[str]:
    """As Argo archives a step's log: expand the namespace's default repository's keyFormat for a
    workflow and pod name (`<registration>-<suffix>`, as the Sensor's generateName gives), and put the object there with the credentials its Secret would hold."""
    problems = []
    for configmap in plan.manifests("ConfigMap"):
        annotations = configmap["metadata"].get("annotations", {})
        if DEFAULT_REPOSITORY_ANNOTATION not in annotations:
            continue
        where = f"ConfigMap {configmap['metadata']['namespace']}/{configmap['metadata']['name']}"
        namespace = configmap["metadata"]["namespace"]
        tenant = configmap["metadata"]["labels"]["calypr.io/application"]
        repository = yaml.safe_load(configmap["data"][annotations[DEFAULT_REPOSITORY_ANNOTATION]])
        found = artifact_repository_problems(repository, where)
        if found:
            problems += found
            continue
        s3 = repository["s3"]
        name = f"{tenant}-{suffix}"
        pod = f"{name}-run-2719425813"
        variables = {"workflow.name": name, "workflow.namespace": namespace, "workflow.uid": "0f1e2d3c", "pod.name": pod}
        key = f"{expand_key_format(s3['keyFormat'], variables)}/main.log"
        try:
            credentials = Credentials(
                "from-secret",
                secret_value(namespace, s3["accessKeySecret"]["name"], s3["accessKeySecret"]["key"]),
                secret_value(namespace, s3["secretKeySecret"]["name"], s3["secretKeySecret"]["key"]),
            )
        except LookupError as err:
            problems.append(f"{where}: {err}")
            continue
        scheme = "http" if s3.get("insecure") else "https"
        try:
            client = account.client("s3", credentials, s3["region"], endpoint_url=f"{scheme}://{s3['endpoint']}")
            client.put_object(Bucket=s3["bucket"], Key=key, Body=b"step log\n")
        except (botocore.exceptions.ClientError, ValueError) as err:
            problems.append(f"{where}: uploading s3://{s3['bucket']}/{key} failed: {err}")
            continue
        expected = plan.tenant_summary(tenant)["artifacts"]
        if not f"s3://{s3['bucket']}/{key}".startswith(f"{expected}{name}/"):
            problems.append(f"{where}: the log went to s3://{s3['bucket']}/{key}, not under {expected}{name}/")
    return problems
