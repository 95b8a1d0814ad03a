import json

import pulumi
import pytest

from components.tenant_credentials import TenantCredentials, TenantCredentialsArgs, active_slot, slot_generation
from tests.support.one_component import StandIn, build_alone, child_types, children, stand_in_urn
from tenancy.manifests.iam_policy import s3_access_policy
from tests.support.program import FIXTURE_TENANTS, children_of, component, of_tenant, stack_settings
from tenancy.loading.loader import load_tenants


def parts(plan, tenant):
    return {r.name: r for r in children_of(plan, component(plan, "TenantCredentials", f"{tenant}-credentials").urn)}


def test_one_iam_user_per_registration_and_environment(dev_plan, prod_plan):
    assert parts(dev_plan, "alpha")["alpha-credentials-user"].inputs["name"] == "argo-tenants-dev-alpha"
    assert parts(prod_plan, "alpha")["alpha-credentials-user"].inputs["name"] == "argo-tenants-prod-alpha"
    assert parts(dev_plan, "alpha")["alpha-credentials-user"].inputs["path"] == "/argo-tenants/"


def test_user_policy_is_the_computed_least_privilege_policy(dev_plan):
    policy = parts(dev_plan, "beta")["beta-credentials-s3"]
    [beta] = [t for t in load_tenants(FIXTURE_TENANTS, stack_settings("dev")) if t.name == "beta"]
    assert json.loads(policy.inputs["policy"]) == s3_access_policy(beta)
    assert policy.inputs["user"] == "argo-tenants-dev-beta"


def test_two_key_slots_replaced_one_at_a_time(dev_plan):
    found = parts(dev_plan, "gamma")  # credentialsRotation: 3
    assert found["gamma-credentials-key-a"].replacement_trigger == 2
    assert found["gamma-credentials-key-b"].replacement_trigger == 3
    assert all(found[f"gamma-credentials-key-{s}"].delete_before_replace for s in "ab")


def test_rotation_alternates_slots_and_keeps_the_previous_key():
    for rotation in range(6):
        active = active_slot(rotation)
        other = "b" if active == "a" else "a"
        assert slot_generation(rotation, active) == rotation
        # The standby slot holds the key that was active one rotation ago.
        assert slot_generation(rotation, other) == rotation - 1
        if rotation:
            assert active_slot(rotation - 1) == other


def test_vault_gets_the_active_key_as_a_secret_at_each_location(dev_plan):
    found = parts(dev_plan, "gamma")
    secret = found["gamma-credentials-artifacts"]
    assert secret.inputs == {"mount": "kv", "name": "argo/apps/gamma/s3/artifacts", "dataJson": "[secret]"}
    assert found["gamma-credentials-key-b"].urn in secret.depends_on
    assert found["gamma-credentials-key-a"].urn not in secret.depends_on
    alpha = parts(dev_plan, "alpha")
    assert alpha["alpha-credentials-data"].inputs["name"] == "argo/apps/alpha/s3/data"


def test_no_credential_value_appears_in_any_registration(dev_plan):
    text = json.dumps([r.inputs for r in dev_plan.resources]) + json.dumps(dev_plan.outputs)
    assert "mock-secret" not in text and "mock-password" not in text and "AKIAMOCK" not in text


def test_the_grant_waits_for_every_bucket_the_program_creates(dev_plan):
    # A bucket that cannot be created (its name taken) must leave no policy naming it behind.
    policy = parts(dev_plan, "alpha")["alpha-credentials-s3"]
    buckets = [r.urn for r in of_tenant(dev_plan, "alpha") if r.type == "aws:s3/bucket:Bucket"]
    assert len(buckets) == 2 and set(buckets) <= set(policy.depends_on)


def test_every_tenant_has_its_own_user(dev_plan):
    users = [r.inputs["name"] for r in dev_plan.by_type("aws:iam/user:User")]
    assert sorted(users) == ["argo-tenants-dev-alpha", "argo-tenants-dev-beta", "argo-tenants-dev-gamma"]
    [beta_user] = [r for r in of_tenant(dev_plan, "beta") if r.type == "aws:iam/user:User"]
    assert beta_user.inputs["name"] == "argo-tenants-dev-beta"


# Built alone, its arguments written out.

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::lab/*"]}]}
TAGS = {"registration": "lab"}


def credentials_alone(rotation: int, component=TenantCredentials):
    """`component` (TenantCredentials or MinioCredentials, which take the same arguments) built alone."""

    def program():
        credentials = component(
            "lab-credentials",
            TenantCredentialsArgs(
                user_name="argo-tenants-test-lab",
                policy_name="lab-s3",
                policy=POLICY,
                rotation=rotation,
                kv_mount="secrets",
                vault_paths={"artifacts": "apps/lab/s3/artifacts", "data": "apps/lab/s3/data"},
                tags=TAGS,
            ),
        )
        pulumi.export("accessKeyId", credentials.access_key_id)

    return build_alone(program)


@pytest.fixture(scope="module")
def alone():
    return credentials_alone(rotation=3)


def test_alone_a_user_its_policy_two_key_slots_and_a_vault_secret_per_path(alone):
    assert child_types(alone, "TenantCredentials", "lab-credentials") == {
        "lab-credentials-user": "aws:iam/user:User",
        "lab-credentials-s3": "aws:iam/userPolicy:UserPolicy",
        "lab-credentials-key-a": "aws:iam/accessKey:AccessKey",
        "lab-credentials-key-b": "aws:iam/accessKey:AccessKey",
        "lab-credentials-artifacts": "vault:kv/secretV2:SecretV2",
        "lab-credentials-data": "vault:kv/secretV2:SecretV2",
    }


def test_alone_user_and_policy_are_the_arguments(alone):
    found = children(alone, "TenantCredentials", "lab-credentials")
    user, policy = found["lab-credentials-user"], found["lab-credentials-s3"]
    assert user.inputs == {"name": "argo-tenants-test-lab", "path": "/argo-tenants/", "tags": TAGS}
    assert (policy.inputs["name"], policy.inputs["user"], json.loads(policy.inputs["policy"])) == ("lab-s3", "argo-tenants-test-lab", POLICY)
    assert user.urn in policy.depends_on


@pytest.mark.parametrize("rotation, triggers", [(3, {"a": 2, "b": 3}), (4, {"a": 4, "b": 3})])
def test_alone_each_slot_is_replaced_at_its_own_rotation_deleting_first(rotation, triggers):
    found = children(credentials_alone(rotation), "TenantCredentials", "lab-credentials")
    for slot, trigger in triggers.items():
        key = found[f"lab-credentials-key-{slot}"]
        assert (key.replacement_trigger, key.delete_before_replace) == (trigger, True), key.urn


def test_alone_vault_gets_the_active_key_as_a_secret_at_each_path(alone):
    found = children(alone, "TenantCredentials", "lab-credentials")
    for purpose in ("artifacts", "data"):
        secret = found[f"lab-credentials-{purpose}"]
        assert secret.inputs == {"mount": "secrets", "name": f"apps/lab/s3/{purpose}", "dataJson": "[secret]"}
        # Rotation 3: slot b is active, slot a keeps the previous key.
        assert found["lab-credentials-key-b"].urn in secret.depends_on
        assert found["lab-credentials-key-a"].urn not in secret.depends_on


def test_alone_the_policy_waits_for_the_granted_buckets():
    def program():
        bucket = StandIn("lab-bucket", "lab-artifacts")
        TenantCredentials(
            "lab-credentials",
            TenantCredentialsArgs(
                user_name="argo-tenants-test-lab", policy_name="lab-s3", policy=POLICY, rotation=0, kv_mount="secrets",
                vault_paths={"artifacts": "apps/lab/s3/artifacts"}, tags=TAGS, granted_buckets=[bucket.value],
            ),
        )

    plan = build_alone(program)
    policy = children(plan, "TenantCredentials", "lab-credentials")["lab-credentials-s3"]
    assert stand_in_urn(plan, "lab-bucket") in policy.depends_on
    assert json.loads(policy.inputs["policy"]) == POLICY


def test_alone_the_active_key_id_leaves_the_component_as_a_secret(alone):
    assert alone.outputs["accessKeyId"] == "[secret]"
