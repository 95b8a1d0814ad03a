"""Every upstream limit a registration can reach, on both sides of its boundary, checked on the derived value
(tenancy.model.limits; names in tenancy.loading.rules.derived_limits, sizes in tenancy.manifests.sizes)."""

from __future__ import annotations

import base64
import json

import pytest

from tenancy.loading import rules
from tenancy.manifests import iam_policy, sizes
from tenancy.model import limits, naming
from tenancy.model.problems import TenantValidationError
from tenancy.model.registration import RepoRegistration
from tenancy.model.tenant import Tenant
from tests.support.program import make_settings, registration, tenant_of

SETTINGS = make_settings()


def problems_of(load, settings=None):
    with pytest.raises(TenantValidationError) as err:
        load(settings)
    return err.value.problems


def named(name: str) -> Tenant:
    """A registration named `name` past the model's own length check, to show the derived check on its own."""
    valid = RepoRegistration.model_validate(registration("a"))
    metadata = valid.metadata.model_copy(update={"name": name})
    return Tenant(registration=valid.model_copy(update={"metadata": metadata}), settings=SETTINGS, source="tenants/x.yaml")


# --- Kubernetes names: the webhook Secret's volume in the EventSource pod is the tightest -------------


def test_the_webhook_secret_volume_fits_at_the_longest_name_and_not_one_longer():
    longest = "n" * naming.MAX_REGISTRATION_NAME_LENGTH
    assert len(naming.webhook_secret_volume_name(longest)) == limits.VOLUME_NAME_MAX
    assert list(rules.derived_limits(named(longest))) == []
    [problem] = [p for p in rules.derived_limits(named(longest + "n")) if "volume" in p.message]
    assert problem.loc == ("metadata", "name")
    assert problem.message == (
        f"the volume Argo Events mounts its webhook Secret as 'secret-argo-tenants-webhook-{longest}n' is 64 characters, "
        "over the limit of 63"
    )


def test_the_model_refuses_the_first_name_whose_volume_would_not_fit(write_tenant, load):
    write_tenant(registration("n" * (naming.MAX_REGISTRATION_NAME_LENGTH + 1)), "long.yaml")
    assert any(p.field == "metadata.name" and "at most 35" in p.message for p in problems_of(load))


# --- Argo Workflows 4.1+: the workflow-template label of every run ------------------------------------


@pytest.mark.parametrize("length, refused", [(63, False), (64, True)])
def test_the_workflow_template_name_is_a_label_value(write_tenant, load, length, refused):
    write_tenant(registration("a", workflowTemplateRef="t" * length))
    if not refused:
        assert load()[0].workflow_template == "t" * length
        return
    [problem] = problems_of(load)
    assert problem.field == "spec.workflowTemplateRef"
    assert problem.message.startswith("the label workflows.argoproj.io/workflow-template of each run 'ttt")
    assert problem.message.endswith("is 64 characters, over the limit of 63")


# --- IAM: 2,048 characters of inline policy per user, whitespace not counted --------------------------


def policy_chars(prefix_length: int) -> int:
    tenant = tenant_of(registration("a", artifactBucket={"bucket": "a-artifacts", "keyPrefix": "k" * prefix_length}))
    return limits.iam_policy_chars(iam_policy.s3_access_policy(tenant))


def longest_prefix_within_the_policy_limit() -> int:
    length = 1
    while policy_chars(length + 1) <= limits.IAM_USER_INLINE_POLICIES_CHARS_MAX:
        length += 1
    return length


def test_whitespace_is_not_counted_in_the_policy_size():
    policy = {"Version": "2012-10-17", "Statement": []}
    assert limits.iam_policy_chars(policy) == len(json.dumps(policy, separators=(",", ":")))


def test_the_key_prefix_that_fills_the_policy_exactly_is_accepted_and_one_more_refused(write_tenant, load):
    length = longest_prefix_within_the_policy_limit()
    assert policy_chars(length) <= limits.IAM_USER_INLINE_POLICIES_CHARS_MAX < policy_chars(length + 1)
    write_tenant(registration("a", artifactBucket={"bucket": "a-artifacts", "keyPrefix": "k" * length}))
    assert [t.name for t in load(checks=(sizes.registration_problems,))]
    write_tenant(registration("a", artifactBucket={"bucket": "a-artifacts", "keyPrefix": "k" * (length + 1)}))
    with pytest.raises(TenantValidationError) as err:
        load(checks=(sizes.registration_problems,))
    [problem] = err.value.problems
    assert problem.field == "spec.artifactBucket.keyPrefix"
    assert f"{policy_chars(length + 1)} characters (whitespace not counted), over IAM's 2048" in problem.message


# --- Kubernetes objects: etcd's 1.5 MiB, the pod environment's 128 KiB, 256 KiB of annotations --------


def padded(kind: str, size: int, field: str = "spec") -> dict:
    """A manifest of `kind` whose compact JSON is exactly `size` bytes."""
    manifest = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}, "spec": {"pad": ""}}
    manifest["spec"]["pad"] = "p" * (size - limits.serialized_bytes(manifest))
    assert limits.serialized_bytes(manifest) == size
    return manifest


def test_an_object_etcd_stores_is_accepted_and_one_byte_more_refused():
    assert list(sizes._object_problems(padded("ConfigMap", limits.ETCD_OBJECT_BYTES_MAX))) == []
    [problem] = sizes._object_problems(padded("ConfigMap", limits.ETCD_OBJECT_BYTES_MAX + 1))
    assert problem.message == "makes ConfigMap x 1572865 bytes, over the 1572864 etcd stores"


def test_an_event_source_its_pod_can_carry_is_accepted_and_one_more_refused():
    # base64 of N bytes is 4 * ceil(N / 3): 98,304 bytes are exactly 131,072 in the environment.
    fits = limits.ENV_STRING_BYTES_MAX // 4 * 3
    assert len(base64.b64encode(b"x" * fits)) == limits.ENV_STRING_BYTES_MAX
    assert list(sizes._object_problems(padded("EventSource", fits))) == []
    [problem] = sizes._object_problems(padded("EventSource", fits + 1))
    assert "131076 bytes in its pod's environment, over Linux's 131072" in problem.message


def test_annotations_up_to_256_kib_are_accepted_and_one_byte_more_refused():
    key = "workflows.argoproj.io/rbac-rule"
    for extra, refused in ((0, False), (1, True)):
        manifest = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "tenant-admin", "annotations": {key: "e" * (limits.ANNOTATIONS_BYTES_MAX - len(key) + extra)}}}
        found = list(sizes._object_problems(manifest))
        assert bool(found) is refused
        if refused:
            assert found[0].loc == ("spec", "adminUsers")


# --- AWS regions: real codes only ---------------------------------------------------------------------


@pytest.mark.parametrize("region, refused", [("us-west-2", False), ("eu-central-2", False), ("us-west-9", True), ("xx-north-1", True)])
def test_a_region_must_be_one_aws_has(write_tenant, load, region, refused):
    write_tenant(registration("a", artifactBucket={"bucket": "a-artifacts", "region": region}))
    if not refused:
        assert load()[0].artifacts.region == region
        return
    [problem] = problems_of(load)
    assert problem.field == "spec.artifactBucket.region"
    assert "is not an AWS region; if AWS has opened it since, add it to AWS_REGIONS in tenancy/model/limits.py" in problem.message


def test_the_region_list_knows_every_region_botocore_knows():
    # How the list is kept current: a newer botocore (a dev dependency) lists a new region, and this fails.
    import botocore.session

    session = botocore.session.get_session()
    known = {region for partition in session.get_available_partitions() for region in session.get_available_regions("s3", partition)}
    assert known - limits.AWS_REGIONS == set()


# --- Integers: Pulumi carries numbers as doubles -------------------------------------------------------


def test_the_largest_rotation_pulumi_carries_exactly_is_accepted(write_tenant, load):
    write_tenant(registration("a", credentialsRotation=limits.MAX_SAFE_INTEGER))
    assert load()[0].spec.credentials_rotation == 2**53 - 1


@pytest.mark.parametrize("value", [2**53, int("9" * 400)])
def test_a_rotation_beyond_it_is_refused_with_a_message_not_a_crash(write_tenant, load, value):
    write_tenant(registration("a", credentialsRotation=value))
    [problem] = problems_of(load)
    assert problem.field == "spec.credentialsRotation"
    assert "less than or equal to 9007199254740991" in problem.message


# --- Emails: as the sign-in service reports them -------------------------------------------------------


@pytest.mark.parametrize("email, refused", [("lead@acme.org", False), ("Lead@acme.org", True), ("lead@ACME.org", True)])
def test_an_email_is_written_in_lower_case(write_tenant, load, email, refused):
    write_tenant(registration("a", adminUsers=[email]))
    if not refused:
        assert load()[0].spec.admin_users == (email,)
        return
    [problem] = problems_of(load)
    assert problem.field == "spec.adminUsers[0]"
    assert problem.message.endswith(f"has capital letters; write it as the sign-in service reports it, '{email.lower()}'")


# --- S3: the physical bucket name, affix included ------------------------------------------------------


@pytest.mark.parametrize("length, refused", [(59, False), (60, True)])
def test_a_bucket_name_fits_with_the_environments_affix(write_tenant, load, length, refused):
    # dev's suffix is -dev: 59 + 4 = 63, the S3 maximum.
    write_tenant(registration("a", artifactBucket={"bucket": "b" * length}))
    if not refused:
        assert len(load()[0].artifacts.bucket) == limits.S3_BUCKET_NAME_MAX
        return
    [problem] = problems_of(load)
    assert problem.field == "spec.artifactBucket.bucket" and "it must be 3 to 63 characters long (it is 64)" in problem.message
