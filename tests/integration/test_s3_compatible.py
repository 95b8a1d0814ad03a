"""The runner's and Argo's S3 settings for an S3-compatible service, against a real one: moto's server
mode on 127.0.0.1, reached by host and port as a MinIO service is (so requests must be path-style).

The program is planned with storage minio and that endpoint, for a registration with the k8s executor; a
client set up exactly as the WorkflowTemplate's Nextflow configuration says (endpoint, path-style, region)
writes Nextflow's work dir where `-w` points, and Argo's artifact repository (host:port, insecure) uploads
a step's log and its `results` output artifact where its keyFormat says.
"""

from __future__ import annotations

import re

import boto3
import botocore.config
import pytest
import yaml

from tests.integration.aws_checks import expand_key_format
from tests.integration.servers import MotoServer
from tests.support.program import registration, run_token_mode

pytestmark = pytest.mark.integration

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = MotoServer(tmp_path_factory.mktemp("moto"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def plan(server, tmp_path_factory):
    tenants = tmp_path_factory.mktemp("tenants")
    document = registration("alpha", artifactBucket={"bucket": "alpha-artifacts", "region": "us-east-1"}, nextflow={"executor": "k8s"})
    (tenants / "alpha.yaml").write_text(yaml.safe_dump(document))
    # The token fallback: one step and one ConfigMap (the App adds the commit status's exit handler).
    overrides = {"argo-tenants:storage": "minio", "argo-tenants:s3Endpoint": server.endpoint}
    result = run_token_mode("dev", tmp_path_factory.mktemp("settings"), tenants, overrides=overrides)
    assert result.error is None, result.error
    return result


def nextflow_settings(config: str) -> dict[str, object]:
    """Dotted names and values of a Nextflow config of nested blocks and `name = value` lines, with
    single-quoted strings and booleans: the shape of the file the runner is handed."""
    settings, scope = {}, []
    for line in (raw.strip() for raw in config.splitlines()):
        if line.endswith("{"):
            scope.append(line[:-1].strip())
        elif line == "}":
            scope.pop()
        elif line:
            name, value = (part.strip() for part in line.split("=", 1))
            quoted = re.fullmatch(r"'((?:[^'\\]|\\.)*)'", value)
            literal = {"true": True, "false": False}.get(value, value)
            settings[".".join([*scope, name])] = re.sub(r"\\(.)", r"\1", quoted[1]) if quoted else literal
    assert not scope, "unbalanced braces"
    return settings


def runner(plan) -> tuple[dict[str, object], str]:
    """(the runner's Nextflow settings, its work dir for one workflow run)."""
    [template] = [r.inputs for r in plan.resources if r.type == "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate"]
    [step] = template["spec"]["templates"]
    [config] = [a["raw"]["data"] for a in step["inputs"]["artifacts"] if a["path"] in step["container"]["args"]]
    args = step["container"]["args"]
    work_dir = args[args.index("-w") + 1].replace("{{workflow.name}}", "alpha-x7k2p")
    return nextflow_settings(config), work_dir


def client(endpoint: str, region: str, path_style: bool):
    addressing = {"addressing_style": "path" if path_style else "virtual"}
    return boto3.client("s3", endpoint_url=endpoint, region_name=region, config=botocore.config.Config(s3=addressing), **CREDENTIALS)


def test_the_runner_is_pointed_at_the_service_path_style(plan, server):
    settings, work_dir = runner(plan)
    aws = {name: value for name, value in settings.items() if name.startswith("aws.")}
    assert aws == {"aws.region": "us-east-1", "aws.client.endpoint": server.endpoint, "aws.client.s3PathStyleAccess": True}
    # Fusion reads the same aws settings for the work dir of the k8s executor's task pods.
    assert settings["fusion.enabled"] is True and settings["process.executor"] == "k8s"
    assert work_dir == "s3://alpha-artifacts-dev/workflows/work/alpha-x7k2p"


def test_the_work_dir_written_as_the_runner_is_configured_lands_under_the_registration_prefix(plan, server):
    settings, work_dir = runner(plan)
    s3 = client(settings["aws.client.endpoint"], settings["aws.region"], settings["aws.client.s3PathStyleAccess"])
    bucket, _, prefix = work_dir.removeprefix("s3://").partition("/")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=f"{prefix}/3a/1f2e/.command.sh", Body=b"echo hello\n")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/")
    assert [item["Key"] for item in listed["Contents"]] == ["workflows/work/alpha-x7k2p/3a/1f2e/.command.sh"]


def test_argos_artifact_repository_reaches_the_same_service(plan, server):
    [configmap] = [r.inputs for r in plan.resources if r.type == "kubernetes:core/v1:ConfigMap"]
    s3 = yaml.safe_load(configmap["data"]["default-v1"])["s3"]
    assert (s3["endpoint"], s3["insecure"]) == (server.endpoint.removeprefix("http://"), True)
    folder = expand_key_format(s3["keyFormat"], {"workflow.name": "alpha-x7k2p", "pod.name": "alpha-x7k2p-run-1"})
    uploader = client(f"http://{s3['endpoint']}", s3["region"], path_style=True)
    # A step's log, and its `results` output artifact (archive none: a folder of objects, one per file).
    for key, body in ((f"{folder}/main.log", b"step log\n"), (f"{folder}/results/multiqc/report.html", b"<html/>")):
        uploader.put_object(Bucket=s3["bucket"], Key=key, Body=body)
        assert uploader.get_object(Bucket=s3["bucket"], Key=key)["Body"].read() == body
    assert folder == "workflows/alpha-x7k2p/alpha-x7k2p-run-1"
