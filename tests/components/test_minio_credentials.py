"""MinioCredentials built alone, with the arguments TenantCredentials' tests write out: the same
credentials, through MinIO."""

import json

import pytest

from components.minio_credentials import MinioCredentials
from tests.components.test_tenant_credentials import POLICY, TAGS, credentials_alone
from tests.support.one_component import child_types, children


@pytest.fixture(scope="module")
def alone():
    return credentials_alone(rotation=3, component=MinioCredentials)


def test_alone_a_user_its_policy_attached_two_key_slots_and_a_vault_secret_per_path(alone):
    assert child_types(alone, "MinioCredentials", "lab-credentials") == {
        "lab-credentials-user": "minio:index/iamUser:IamUser",
        "lab-credentials-s3": "minio:index/iamPolicy:IamPolicy",
        "lab-credentials-s3-attachment": "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
        "lab-credentials-key-a": "minio:index/iamServiceAccount:IamServiceAccount",
        "lab-credentials-key-b": "minio:index/iamServiceAccount:IamServiceAccount",
        "lab-credentials-artifacts": "vault:kv/secretV2:SecretV2",
        "lab-credentials-data": "vault:kv/secretV2:SecretV2",
    }


def test_alone_user_and_policy_are_the_arguments(alone):
    found = children(alone, "MinioCredentials", "lab-credentials")
    assert found["lab-credentials-user"].inputs == {"name": "argo-tenants-test-lab", "tags": TAGS}
    policy, attachment = found["lab-credentials-s3"], found["lab-credentials-s3-attachment"]
    assert (policy.inputs["name"], json.loads(policy.inputs["policy"])) == ("lab-s3", POLICY)
    assert attachment.inputs == {"userName": "argo-tenants-test-lab", "policyName": "lab-s3"}


@pytest.mark.parametrize("rotation, triggers", [(3, {"a": 2, "b": 3}), (4, {"a": 4, "b": 3})])
def test_alone_slots_rotate_as_with_aws_but_the_successor_comes_first(rotation, triggers):
    found = children(credentials_alone(rotation, component=MinioCredentials), "MinioCredentials", "lab-credentials")
    for slot, trigger in triggers.items():
        key = found[f"lab-credentials-key-{slot}"]
        assert (key.replacement_trigger, key.delete_before_replace) == (trigger, False), key.urn
        assert found["lab-credentials-s3-attachment"].urn in key.depends_on


def test_alone_vault_gets_the_active_key_and_it_leaves_as_a_secret(alone):
    found = children(alone, "MinioCredentials", "lab-credentials")
    for purpose in ("artifacts", "data"):
        assert found[f"lab-credentials-{purpose}"].inputs["dataJson"] == "[secret]"
        assert found["lab-credentials-key-b"].urn in found[f"lab-credentials-{purpose}"].depends_on
    assert alone.outputs["accessKeyId"] == "[secret]"
