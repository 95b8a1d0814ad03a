"""Every upstream limit a registration's derived values can reach, each with where it comes from.

Mocks enforce none of these: a name one character too long passes the offline plan and fails in the
cluster, in AWS or on Pulumi's wire, often for every tenant of the stack at once. Each limit is checked
where the value is derived (tenancy.loading.rules for names, tenancy.manifests.sizes for built objects),
and tested on both sides of its boundary (tests/model/test_limits.py).
"""

from __future__ import annotations

import json
import re

# --- Kubernetes (k8s.io/apimachinery/pkg/util/validation/validation.go) ---------------------------------
# DNS1123LabelMaxLength: namespaces, Service names, volume names, most object names that are labels.
DNS1123_LABEL_MAX = 63
# DNS1123SubdomainMaxLength: names of most objects (Secrets, ConfigMaps, custom resources).
DNS1123_SUBDOMAIN_MAX = 253
# LabelValueMaxLength.
LABEL_VALUE_MAX = 63
# A pod's volume names are DNS-1123 labels (k8s.io/kubernetes/pkg/apis/core/validation/validation.go,
# ValidateVolumes: IsDNS1123Label): the Deployment is refused, so the pod never exists.
VOLUME_NAME_MAX = DNS1123_LABEL_MAX
# etcd refuses a request over --max-request-bytes, 1.5 MiB by default
# (https://etcd.io/docs/v3.5/dev-guide/limit/): the API server then refuses the object.
ETCD_OBJECT_BYTES_MAX = 1_572_864
# All of an object's annotations together (k8s.io/apimachinery/pkg/api/validation/objectmeta.go,
# TotalAnnotationSizeLimitB): the SSO accounts carry their people's emails in one annotation.
ANNOTATIONS_BYTES_MAX = 256 * 1024

# --- Argo Events ---------------------------------------------------------------------------------------
# Each Secret an EventSource names is mounted into its pod as the volume `secret-<Secret name>` ('_' made
# '-'): argo-events pkg/shared/util/util.go, GenerateSecretVolumeSpecs.
ARGO_EVENTS_SECRET_VOLUME_PREFIX = "secret-"
# An EventSource's Service is `<EventSource name>-eventsource-svc`, a DNS-1035 label:
# argo-events pkg/reconciler/eventsource/resource.go, buildService.
ARGO_EVENTS_SERVICE_SUFFIX = "-eventsource-svc"
# The controller hands the pod its whole EventSource (or Sensor) as one environment variable, base64 of its
# JSON (ARGO_EVENTS_EVENTSOURCE_OBJECT: pkg/reconciler/eventsource/resource.go, buildDeployment; the Sensor
# reconciler does the same). Linux refuses to exec a process with one environment string over
# MAX_ARG_STRLEN, 32 pages of 4 KiB (include/uapi/linux/binfmts.h): the pod never starts.
ENV_STRING_BYTES_MAX = 131_072

# --- Argo Workflows -------------------------------------------------------------------------------------
# Each Workflow submitted from a template carries the label workflows.argoproj.io/workflow-template with the
# template's name (argo-workflows workflow/common/common.go, LabelKeyWorkflowTemplate; set from
# workflowTemplateRef on every submit from 4.1): a label value, so at most LABEL_VALUE_MAX, or every submit fails.
WORKFLOW_TEMPLATE_LABEL_MAX = LABEL_VALUE_MAX
# A CronWorkflow's runs are named `<name>-<10-digit timestamp>`, so Argo refuses a CronWorkflow name over 52
# (argo-workflows workflow/validate/validate.go, maxCharsInCronWorkflowName): what a repository's own
# definitions (spec.definitions) may sync is held to it by the admission policy.
CRON_WORKFLOW_NAME_MAX = 52

# --- Argo CD --------------------------------------------------------------------------------------------
# Where Argo CD tracks resources by label (app.kubernetes.io/instance, the default before 3.0), every
# synced object carries its Application's name as a label value (argo-cd util/argo/resource_tracking.go).
ARGO_CD_APPLICATION_NAME_MAX = LABEL_VALUE_MAX

# --- AWS ------------------------------------------------------------------------------------------------
# IAM and STS quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
# "User policy size: 2,048 characters", all of a user's inline policies together; whitespace is not counted.
IAM_USER_INLINE_POLICIES_CHARS_MAX = 2_048
IAM_USER_NAME_MAX = 64
IAM_POLICY_NAME_MAX = 128
# General purpose bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
S3_BUCKET_NAME_MIN = 3
S3_BUCKET_NAME_MAX = 63
# Region codes AWS has (every partition: aws, aws-cn, aws-us-gov, the ISO ones, the European Sovereign Cloud).
# To update: compare with botocore's endpoint data, which tests/model/test_limits.py does on every run, and
# add what a newer botocore lists (`python -c "import botocore.session as s; ss = s.get_session();
# print(sorted({r for p in ss.get_available_partitions() for r in ss.get_available_regions('s3', p)}))"`).
AWS_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "cn-north-1",
        "cn-northwest-1",
        "eu-central-1",
        "eu-central-2",
        "eu-isoe-west-1",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eusc-de-east-1",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-gov-east-1",
        "us-gov-west-1",
        "us-iso-east-1",
        "us-iso-west-1",
        "us-isob-east-1",
        "us-isob-west-1",
        "us-isof-east-1",
        "us-isof-south-1",
        "us-west-1",
        "us-west-2",
    }
)

# --- Pulumi ---------------------------------------------------------------------------------------------
# Pulumi carries numbers as google.protobuf.Value number_value, a double: integers are exact up to 2**53 - 1
# (an int beyond a double's range fails the program with OverflowError; beyond 2**53 it silently rounds).
MAX_SAFE_INTEGER = 2**53 - 1


def too_long(value: str, limit: int, what: str) -> str | None:
    """'<what> '<value>' is N characters, over the limit of M' or None."""
    if len(value) <= limit:
        return None
    return f"{what} '{value}' is {len(value)} characters, over the limit of {limit}"


_WHITESPACE = re.compile(r"\s")


def iam_policy_chars(*policies: dict) -> int:
    """What IAM counts of inline policies against IAM_USER_INLINE_POLICIES_CHARS_MAX: their JSON without whitespace."""
    return sum(len(_WHITESPACE.sub("", json.dumps(policy))) for policy in policies)


def serialized_bytes(manifest: dict) -> int:
    """A Kubernetes object's size as the API server stores it, near enough: its compact JSON, in bytes."""
    return len(json.dumps(manifest, separators=(",", ":")).encode())


def base64_bytes(size: int) -> int:
    """The length of `size` bytes in base64."""
    return 4 * ((size + 2) // 3)
