from tenancy.model import naming


def test_namespace_keeps_the_chart_form():
    assert naming.tenant_namespace("myorg", "genomics-pipeline") == "wf-myorg-genomics-pipeline"


def test_namespace_lowercases_and_replaces_characters_kubernetes_refuses():
    assert naming.tenant_namespace("My-Org", "Repo_1.x") == "wf-my-org-repo-1-x"
    assert naming.tenant_namespace("acme", "a__b") == "wf-acme-a-b"


def test_long_namespaces_are_cut_and_hashed_so_they_stay_distinct():
    first = naming.tenant_namespace("an-organisation-with-a-long-name", "a-repository-with-a-long-name-one")
    second = naming.tenant_namespace("an-organisation-with-a-long-name", "a-repository-with-a-long-name-two")
    assert len(first) <= 63 and len(second) <= 63
    assert first != second
    assert first[-9] == "-" and first.startswith("wf-an-organisation")


def test_every_derived_name_fits_its_limit_at_the_longest_allowed_names():
    name = "n" * naming.MAX_REGISTRATION_NAME_LENGTH
    environment = "e" * naming.MAX_ENVIRONMENT_LENGTH
    assert len(naming.iam_user_name(environment, name)) <= 64
    # Argo Events names the EventSource's Service `<name>-eventsource-svc` and its Deployment
    # `<name>-eventsource-<5 random>` (a Sensor's: `<name>-sensor-<5>`); Services are 63-character labels.
    for kubernetes_name in (
        naming.artifact_secret_name(name),
        naming.data_secret_name(name),
        naming.webhook_secret_name(name),
        naming.webhook_secret_volume_name(name),
        naming.event_source_service_name(name),
        naming.event_route_name(name) + "-eventsource-xxxxx",
        naming.event_route_name(name) + "-sensor-xxxxx",
        naming.workflow_generate_name(name) + "xxxxx",
    ):
        assert len(kubernetes_name) <= 63, kubernetes_name


def test_one_name_longer_would_overflow_a_limit():
    # The limit is the tightest one, not an arbitrary number: the volume Argo Events mounts the webhook Secret as.
    assert len(naming.webhook_secret_volume_name("n" * naming.MAX_REGISTRATION_NAME_LENGTH)) == 63
    assert len(naming.webhook_secret_volume_name("n" * (naming.MAX_REGISTRATION_NAME_LENGTH + 1))) == 64


def test_sensor_dependency_names_have_no_minus():
    assert naming.sensor_dependency_name("genomics-pipeline") == "repo_genomics_pipeline"


def test_webhook_endpoint_keeps_the_base_path():
    assert naming.webhook_endpoint("", "x") == "/github/x"
    assert naming.webhook_endpoint("/events/", "x") == "/events/github/x"


def test_physical_bucket_names_carry_the_environment_affix():
    assert naming.physical_bucket_name("data", "", "-dev") == "data-dev"
    assert naming.physical_bucket_name("data", "acme-", "") == "acme-data"


# Stack-level names: unsharded as they always were, one set per shard otherwise.

STACK_LEVEL = (
    naming.sensor_service_account_name,
    naming.webhook_service_account_name,
    naming.webhook_secret_store_name,
)


def test_unsharded_stack_level_names_are_unchanged():
    assert [name(None) for name in STACK_LEVEL] == [
        "argo-tenants-sensor", "argo-tenants-webhooks", "argo-tenants-webhooks",
    ]
    assert naming.webhook_vault_name("dev", None) == "argo-tenants-dev-webhooks"


def test_each_shard_gets_its_own_stack_level_names():
    assert [name("b") for name in STACK_LEVEL] == [
        "argo-tenants-sensor-b", "argo-tenants-webhooks-b", "argo-tenants-webhooks-b",
    ]
    assert naming.webhook_vault_name("dev", "b") == "argo-tenants-dev-webhooks-b"


def test_stack_level_names_fit_their_limits_at_the_longest_shard_and_environment():
    shard = "s" * naming.MAX_SHARD_LENGTH
    environment = "e" * naming.MAX_ENVIRONMENT_LENGTH
    derived = (
        naming.sensor_service_account_name(shard),
        naming.webhook_service_account_name(shard),
        naming.webhook_secret_store_name(shard),
        naming.webhook_vault_name(environment, shard),
    )
    assert max(len(name) for name in derived) <= 63, derived


def test_minio_names_stay_apart_when_environment_names_hold_hyphens():
    # IAM-style joining with '-' would give argo-tenants-dev-a-b for both.
    assert naming.minio_user_name("dev-a", "b") != naming.minio_user_name("dev", "a-b")
    assert naming.minio_user_name("dev", "a-b") == "argo-tenants.dev.a-b"
    assert naming.minio_policy_name("dev", "a-b") == naming.minio_user_name("dev", "a-b")


def test_the_sso_token_secret_fits_kubernetes_names():
    assert naming.service_account_token_secret_name(naming.ADMIN_SERVICE_ACCOUNT) == "tenant-admin.service-account-token"
    assert len(naming.service_account_token_secret_name(naming.READER_SERVICE_ACCOUNT)) <= 253


def test_the_seed_artifact_repository_key_is_a_valid_configmap_key():
    key = naming.artifact_repository_ref_key("n" * naming.MAX_REGISTRATION_NAME_LENGTH)
    assert key.startswith("artifactRepositories.") and len(key) <= 253
    assert all(char.isalnum() or char in "-._" for char in key)
