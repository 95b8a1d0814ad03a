"""The plan's AWS side on moto with IAM enforced: each registration's key reaches its own objects only,
and an Argo artifact upload with the credentials ESO delivers lands where the registration's files go."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.integration.aws_checks import Credentials, attempt, artifact_upload_problems, run_in_aws, s3_access_problems
from tests.integration.plan import IAM_USER_POLICY, Plan
from tests.integration.vault_checks import eso_secret_value, fake_value

pytestmark = pytest.mark.integration


@pytest.fixture
def aws(settings_dev, fallback_buckets):
    """run(plan, body): body(account) with the plan applied to a fresh moto account, IAM enforced."""

    def run(plan: Plan, body):
        return run_in_aws(plan, settings_dev.aws_region, fallback_buckets, body)

    return run


def test_the_integration_tenants_cover_what_the_checks_claim(plan):
    locations = {(loc.tenant, loc.purpose): loc for loc in plan.locations()}
    beta, beta_2 = locations[("beta", "artifacts")], locations[("beta-2", "artifacts")]
    assert beta.bucket == beta_2.bucket and beta_2.prefix.startswith(beta.prefix.rstrip("/"))
    assert locations[("alpha", "artifacts")].prefix == "workflows/" and ("alpha", "data") in locations
    assert locations[("gamma", "artifacts")].prefix == ""
    assert "delta" not in plan.tenants  # prod only


def test_moto_enforces_iam_on_every_request(plan, aws):
    def outcomes(account):
        stranger = Credentials("nobody", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        beta = account.keys["beta"]
        return (
            attempt(lambda: account.client("s3", stranger).list_buckets()),
            attempt(lambda: account.client("s3", beta).list_buckets()),
            attempt(lambda: account.client("iam", beta).create_access_key(UserName=beta.user)),
            attempt(lambda: account.client("s3", account.admin).list_buckets()),
        )

    assert aws(plan, outcomes) == ("InvalidAccessKeyId", "AccessDenied", "AccessDenied", "allowed")


def test_each_key_reaches_its_own_locations_and_nothing_else(plan, aws):
    assert aws(plan, lambda account: s3_access_problems(account, plan)) == []


def test_bucket_settings_are_accepted_and_kept_by_s3(plan, aws):
    def settings_of(account):
        found = {}
        for resource in plan.of_type("aws:s3/bucket:Bucket"):
            bucket, region = resource["inputs"]["bucket"], resource["inputs"]["region"]
            s3 = account.client("s3", account.admin, region)
            found[bucket] = (
                s3.get_bucket_versioning(Bucket=bucket)["Status"],
                s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
                all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values()),
                s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
                s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
                s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] or "us-east-1",
            )
        return found

    found = aws(plan, settings_of)
    assert found == {
        "alpha-artifacts-dev": ("Enabled", "AES256", True, "BucketOwnerEnforced", 7, "us-west-2"),
        "alpha-data-dev": ("Enabled", "AES256", True, "BucketOwnerEnforced", 7, "us-east-1"),
        "gamma-artifacts-dev": ("Enabled", "AES256", True, "BucketOwnerEnforced", 7, "us-west-2"),
    }


def _upload(plan, aws, vault, openbao, token_review):
    """Argo's log upload for every registration, with the key ESO would deliver from Vault."""

    def body(account):
        def values(mount, path, key):
            credentials = account.keys.get(plan.secret_owner(mount, path))
            real = {"AWS_ACCESS_KEY_ID": credentials.access_key_id, "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key}
            return real.get(key) or fake_value(mount, path, key)

        vault(plan, values)
        problems = artifact_upload_problems(account, plan, eso_secret_value(openbao, token_review, plan))
        keys = {}
        for bucket, region in account.bucket_regions.items():
            listing = account.client("s3", account.admin, region).list_objects_v2(Bucket=bucket)
            keys[bucket] = sorted(item["Key"] for item in listing.get("Contents", []))
        return problems, keys

    return aws(plan, body)


def test_an_argo_artifact_upload_lands_under_the_registration_prefix(plan, aws, vault, openbao, token_review):
    problems, keys = _upload(plan, aws, vault, openbao, token_review)
    assert problems == []
    assert keys == {
        "alpha-artifacts-dev": ["workflows/alpha-x7k2p/alpha-x7k2p-run-2719425813/main.log"],
        "alpha-data-dev": [],
        "calypr-dev-argo-artifacts": [
            "beta-2/beta-2-x7k2p/beta-2-x7k2p-run-2719425813/main.log",
            "beta/beta-x7k2p/beta-x7k2p-run-2719425813/main.log",
        ],
        "gamma-artifacts-dev": ["gamma-x7k2p/gamma-x7k2p-run-2719425813/main.log"],
    }


# --- each property, broken on purpose, is caught ---------------------------------------------


def _edit_policy(broken, tenant, edit):
    resource = broken.resource(IAM_USER_POLICY, tenant)
    policy = json.loads(resource["inputs"]["policy"])
    for statement in policy["Statement"]:
        edit(statement)
    resource["inputs"]["policy"] = json.dumps(policy)


def test_a_policy_on_the_whole_fallback_bucket_is_caught(broken, aws):
    def widen(statement):
        statement.pop("Condition", None)
        statement["Resource"] = [r.replace("/beta/*", "/*") for r in statement["Resource"]]

    _edit_policy(broken, "beta", widen)
    problems = aws(broken, lambda account: s3_access_problems(account, broken))
    assert "beta: put under beta-2's s3://calypr-dev-argo-artifacts/beta-2/ is allowed, not AccessDenied" in problems
    assert "beta: get under beta-2's s3://calypr-dev-argo-artifacts/beta-2/ is allowed, not AccessDenied" in problems
    assert "beta: put s3://calypr-dev-argo-artifacts/outside/beta.txt is allowed, not AccessDenied (outside its prefix beta/)" in problems


def test_a_prefix_without_its_slash_is_caught(broken, aws):
    # `beta*` instead of `beta/*` also matches beta-2/.
    def loosen(statement):
        statement["Resource"] = [r.replace("/beta/*", "/beta*") for r in statement["Resource"]]

    _edit_policy(broken, "beta", loosen)
    problems = aws(broken, lambda account: s3_access_problems(account, broken))
    assert "beta: put under beta-2's s3://calypr-dev-argo-artifacts/beta-2/ is allowed, not AccessDenied" in problems
    assert all("alpha" not in p and "gamma" not in p for p in problems)


def test_a_listing_without_the_prefix_condition_is_caught(broken, aws):
    _edit_policy(broken, "beta-2", lambda statement: statement.pop("Condition", None))
    problems = aws(broken, lambda account: s3_access_problems(account, broken))
    assert problems == [
        "beta-2: list under beta's s3://calypr-dev-argo-artifacts/beta/ is allowed, not AccessDenied",
        "beta-2: list s3://calypr-dev-argo-artifacts/ (no prefix) is allowed, not AccessDenied (outside its prefix beta-2/)",
        "beta-2: list s3://calypr-dev-argo-artifacts/beta-2 is allowed, not AccessDenied (outside its prefix beta-2/)",
    ]


def test_a_policy_missing_an_action_is_caught(broken, aws):
    def no_delete(statement):
        statement["Action"] = [a for a in statement["Action"] if a != "s3:DeleteObject"]

    _edit_policy(broken, "gamma", no_delete)
    problems = aws(broken, lambda account: s3_access_problems(account, broken))
    assert problems == ["gamma: delete under its own s3://gamma-artifacts-dev/ fails: AccessDenied"]


def _repository(broken, namespace):
    configmap = broken.object("ConfigMap", namespace, "artifact-repositories")
    return configmap, yaml.safe_load(configmap["data"]["default-v1"])


def test_an_artifact_endpoint_with_a_scheme_is_caught(broken, aws, vault, openbao, token_review):
    configmap, repository = _repository(broken, "wf-acme-beta")
    repository["s3"]["endpoint"] = "https://s3.us-west-2.amazonaws.com"
    configmap["data"]["default-v1"] = yaml.safe_dump(repository)
    problems, _ = _upload(broken, aws, vault, openbao, token_review)
    assert problems == [
        "ConfigMap wf-acme-beta/artifact-repositories: s3.endpoint 'https://s3.us-west-2.amazonaws.com' is not host[:port] "
        "(Argo's S3 client refuses a scheme or a path)"
    ]


def test_an_artifact_repository_naming_the_wrong_secret_key_is_caught(broken, aws, vault, openbao, token_review):
    configmap, repository = _repository(broken, "wf-gammalab-gamma")
    repository["s3"]["secretKeySecret"]["key"] = "secretKey"
    configmap["data"]["default-v1"] = yaml.safe_dump(repository)
    problems, _ = _upload(broken, aws, vault, openbao, token_review)
    assert problems == ["ConfigMap wf-gammalab-gamma/artifact-repositories: ExternalSecret wf-gammalab-gamma/s3-credentials-gamma produces no key secretKey"]


def test_an_artifact_key_outside_the_prefix_is_caught(broken, aws, vault, openbao, token_review):
    configmap, repository = _repository(broken, "wf-acme-alpha-pipeline")
    repository["s3"]["keyFormat"] = "{{workflow.name}}/{{pod.name}}"
    configmap["data"]["default-v1"] = yaml.safe_dump(repository)
    problems, _ = _upload(broken, aws, vault, openbao, token_review)
    assert len(problems) == 1 and problems[0].startswith(
        "ConfigMap wf-acme-alpha-pipeline/artifact-repositories: uploading s3://alpha-artifacts-dev/alpha-x7k2p/alpha-x7k2p-run-2719425813/main.log failed"
    )
    assert "AccessDenied" in problems[0]
