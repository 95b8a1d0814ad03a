import pytest

from tenancy.model.endpoint import Endpoint
from tenancy.model.problems import SettingsError
from tenancy.model.settings import StackSettings
from tests.support.program import GITHUB_APP, PROJECT_DIR, make_settings


def test_defaults():
    settings = make_settings()
    assert settings.environment == "dev"
    assert settings.vault.kv_mount == "kv" and settings.vault.path_prefix == "argo/apps"
    assert settings.vault.kubernetes_auth_mount == "kubernetes"
    assert settings.namespaces.argo_events == "argo-events" and settings.namespaces.argo_workflows == "argo-workflows"
    assert settings.protect_buckets is False


def test_protect_data_buckets_is_read_as_its_new_name_protect_buckets():
    assert make_settings(protectDataBuckets="true").protect_buckets is True
    assert make_settings(protectDataBuckets="false").protect_buckets is False


def test_old_and_new_name_of_a_setting_together_are_refused():
    with pytest.raises(SettingsError, match=r"^argo-tenants:protectDataBuckets: is the former name of argo-tenants:protectBuckets"):
        make_settings(protectDataBuckets="true", protectBuckets="true")


def test_structured_values_may_arrive_as_json_text():
    settings = make_settings(vault='{"address": "https://v.example.org", "kvMount": "secret"}')
    assert settings.vault.kv_mount == "secret"


def test_missing_setting_names_its_key():
    with pytest.raises(SettingsError, match=r"^argo-tenants:webhookBaseUrl: is required"):
        make_settings(webhookBaseUrl=None)


def test_missing_nested_setting_names_its_path():
    with pytest.raises(SettingsError, match=r"^argo-tenants:vault\.address: is required"):
        make_settings(vault={"kvMount": "kv"})


def test_missing_aws_region_names_the_provider_key():
    with pytest.raises(SettingsError, match=r"^aws:region: is required"):
        make_settings(**{"aws:region": None})


def test_unknown_setting_is_an_error():
    with pytest.raises(SettingsError, match=r"argo-tenants:webhookBaseURL: unknown setting"):
        make_settings(webhookBaseURL="https://x.org")


def test_unknown_nested_setting_is_an_error():
    with pytest.raises(SettingsError, match=r"argo-tenants:vault\.kvmount: unknown setting"):
        make_settings(vault={"address": "https://v.example.org", "kvmount": "kv"})


def test_malformed_setting_says_what_is_wrong():
    with pytest.raises(SettingsError, match=r"argo-tenants:webhookBaseUrl: .*absolute URL"):
        make_settings(webhookBaseUrl="events.example.org")


def test_environment_must_be_declared_in_the_project():
    with pytest.raises(SettingsError, match="not one of the project's environments"):
        make_settings("staging")


def test_the_github_token_is_not_a_setting_of_the_model():
    assert make_settings(githubToken="[secret]").environment == "dev"


def test_webhook_base_url_with_and_without_a_path():
    assert make_settings(webhookBaseUrl="https://x.org/events").webhook_base == Endpoint("https", "x.org", "/events")
    assert make_settings().webhook_base == Endpoint("https", "events.example.org")


def test_s3_endpoint_is_parsed_once_set():
    assert make_settings(s3Endpoint="http://minio.minio.svc:9000/").s3_service == Endpoint("http", "minio.minio.svc:9000")
    assert make_settings().s3_service is None


def test_a_settings_error_carries_the_key_as_its_field_and_the_fix_as_its_hint():
    with pytest.raises(SettingsError) as err:
        make_settings(webhookBaseURL="https://x.org")
    problem = err.value.problem
    assert (problem.field, problem.hint) == ("argo-tenants:webhookBaseURL", "check its spelling")
    assert problem.message.startswith("unknown setting (known: ")


def test_the_known_keys_are_the_models_fields_by_their_aliases():
    with pytest.raises(SettingsError) as err:
        make_settings(webhookBaseURL="https://x.org")
    known = err.value.problem.message.removeprefix("unknown setting (known: ").removesuffix(")").split(", ")
    fields = {field.alias for field in StackSettings.model_fields.values()} - {"awsRegion"}  # aws:region
    assert set(known) == fields | {"githubToken", "githubAppPrivateKey"}


def test_committed_stack_files_keep_dev_and_prod_bucket_names_apart():
    from tenancy.project.stacks import stack_config
    from tenancy.model.settings import settings_from_config
    from tests.support.program import PROJECT_DIR

    affixes = set()
    for stack in ("dev", "prod"):
        settings = settings_from_config(stack_config(PROJECT_DIR, stack), stack)
        affixes.add((settings.bucket_names.prefix, settings.bucket_names.suffix))
    assert len(affixes) == 2


# A stack that is one shard of its environment (docs/sharding.md).

SHARD = {"name": "a", "of": ["a", "b", "c"]}


def test_a_shard_stack_knows_its_shard():
    settings = make_settings("dev-a", environment="dev", shard=SHARD)
    assert (settings.environment, settings.shard_name, settings.shard.of) == ("dev", "a", ("a", "b", "c"))


def test_an_unsharded_stack_has_no_shard():
    assert make_settings().shard_name is None


def test_a_shard_stack_must_name_its_environment():
    with pytest.raises(SettingsError, match=r"^argo-tenants:environment: is required in a shard stack .*Pulumi\.dev-a\.yaml"):
        make_settings("dev-a", shard=SHARD)


def test_a_stack_named_unlike_any_environment_is_told_to_set_it():
    with pytest.raises(SettingsError, match=r"^argo-tenants:environment: is not set, .*'dev-a'.*; set argo-tenants:environment in Pulumi\.dev-a\.yaml$"):
        make_settings("dev-a")


def test_the_shard_name_must_be_listed_in_of():
    with pytest.raises(SettingsError, match=r"^argo-tenants:shard: name 'd' is not listed in of"):
        make_settings("dev-d", environment="dev", shard={"name": "d", "of": ["a", "b"]})


def test_of_lists_at_least_one_shard():
    with pytest.raises(SettingsError, match=r"^argo-tenants:shard\.of: lists no shard"):
        make_settings("dev-a", environment="dev", shard={"name": "a", "of": []})


def test_of_lists_each_shard_once():
    with pytest.raises(SettingsError, match=r"^argo-tenants:shard\.of: lists a more than once"):
        make_settings("dev-a", environment="dev", shard={"name": "a", "of": ["a", "b", "a"]})


def test_shard_names_are_short_dns_labels():
    with pytest.raises(SettingsError, match=r"^argo-tenants:shard\.name: 'Shard_A' is not a valid shard name"):
        make_settings("dev-a", environment="dev", shard={"name": "Shard_A", "of": ["Shard_A"]})
    too_long = "s" * 13
    with pytest.raises(SettingsError, match=r"at most 12"):
        make_settings("dev-a", environment="dev", shard={"name": too_long, "of": [too_long]})


def test_the_shard_setting_may_arrive_as_json_text():
    assert make_settings("dev-a", environment="dev", shard='{"name": "a", "of": ["a"]}').shard_name == "a"


def test_committed_stacks_are_unsharded():
    from tests.support.program import stack_settings

    assert [stack_settings(stack).shard for stack in ("dev", "prod")] == [None, None]


def test_storage_is_aws_unless_set():
    assert make_settings().storage == "aws"
    assert make_settings(storage="minio", s3Endpoint="http://minio.minio-system.svc:9000").storage == "minio"


def test_minio_storage_needs_its_endpoint():
    with pytest.raises(SettingsError, match="storage minio needs s3Endpoint"):
        make_settings(storage="minio")


def test_an_unknown_storage_is_refused():
    with pytest.raises(SettingsError, match="argo-tenants:storage"):
        make_settings(storage="ceph")


def test_the_removed_user_prefix_says_why():
    with pytest.raises(SettingsError) as err:
        make_settings(userPrefix="oidc:")
    assert "SSO RBAC" in str(err.value) and "remove argo-tenants:userPrefix" in str(err.value)


def test_the_github_app_is_optional_and_has_defaults():
    assert make_settings().github_app is None
    app = make_settings(githubApp=GITHUB_APP).github_app
    assert (app.app_id, app.namespace, app.private_key_secret, app.private_key_key) == (123456, "argo-tenants-github", "github-app", "private-key")
    assert app.installation_of("ACME") == 1111 and app.installation_of("gammalab") == 3333 and app.installation_of("x") is None


def test_an_owner_listed_twice_in_two_cases_is_an_error():
    with pytest.raises(SettingsError, match=r"argo-tenants:githubApp\.installations: lists owner 'Acme' twice"):
        make_settings(githubApp={"appId": 1, "installations": {"acme": 1, "Acme": 2}})


def test_an_installation_owner_must_be_a_github_name():
    with pytest.raises(SettingsError, match="not a GitHub user or organization name"):
        make_settings(githubApp={"appId": 1, "installations": {"acme/alpha": 1}})


def test_the_argo_ui_url_is_checked():
    assert make_settings(argoWorkflowsUrl="https://argo.example.org").argo_workflows_url == "https://argo.example.org"
    with pytest.raises(SettingsError, match="argo-tenants:argoWorkflowsUrl: must not end with '/'"):
        make_settings(argoWorkflowsUrl="https://argo.example.org/")


def test_the_app_private_key_is_a_secret_the_model_never_holds():
    assert make_settings(githubAppPrivateKey="[secret]").github_app is None


@pytest.mark.parametrize("key", ["argoEvents", "argoWorkflows", "argoCd"])
def test_a_platform_namespace_inside_a_tenant_namespace_is_refused(key):
    # The webhook secrets and the Sensor (which submits workflows in every tenant namespace) would
    # live where that tenant's admins run any pod.
    with pytest.raises(SettingsError) as err:
        make_settings(namespaces={key: "wf-acme-alpha"})
    assert "could be a tenant namespace" in err.value.problem.message


# ConfigMaps the program changes are updated in place (pulumi-kubernetes' enableConfigMapMutable).


def test_every_committed_stack_updates_configmaps_in_place():
    # Pulumi.yaml sets it for every stack (project-level provider config takes `value:`).
    from tenancy.project.stacks import stack_config, stack_names

    for directory in (PROJECT_DIR, PROJECT_DIR / "examples" / "minio"):
        for stack in stack_names(directory):
            assert stack_config(directory, stack)["kubernetes:enableConfigMapMutable"] is True, (directory, stack)


@pytest.mark.parametrize("value", [None, False, "false"])
def test_a_stack_that_would_replace_its_configmaps_is_refused(value):
    with pytest.raises(SettingsError, match=r"kubernetes:enableConfigMapMutable: is .*deleted and created again"):
        make_settings(**{"kubernetes:enableConfigMapMutable": value})
