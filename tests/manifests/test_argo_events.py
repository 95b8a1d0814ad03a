from tenancy.manifests import argo_events
from tests.support.program import make_settings, registration, tenant_of

SETTINGS = make_settings(webhookBaseUrl="https://argo.example.org/events")
ALPHA = tenant_of(registration("alpha-pipeline"), SETTINGS)
BETA = tenant_of(registration("beta", repoUrl="https://github.com/other/beta.git"), SETTINGS)


def test_each_registration_has_its_own_event_source_without_api_token():
    es = argo_events.event_source(ALPHA)
    assert es["metadata"]["name"] == "github-alpha-pipeline" and es["metadata"]["namespace"] == "argo-events"
    assert set(es["spec"]["github"]) == {"alpha-pipeline"}
    entry = es["spec"]["github"]["alpha-pipeline"]
    assert "apiToken" not in entry and "githubApp" not in entry
    assert entry["repositories"] == [{"owner": "acme", "names": ["alpha-pipeline"]}]
    assert entry["webhook"] == {"endpoint": "/events/github/alpha-pipeline", "port": "12000", "method": "POST", "url": "https://argo.example.org/events"}
    assert entry["webhookSecret"] == {"name": "argo-tenants-webhook-alpha-pipeline", "key": "secret"}
    # One Secret per EventSource pod: another registration's Secret never holds this one's pod back.
    assert "argo-tenants-webhook-beta" not in str(es)


def test_webhook_url_is_served_by_the_event_source_endpoint():
    es = argo_events.event_source(ALPHA)
    assert ALPHA.webhook_url == "https://argo.example.org" + es["spec"]["github"]["alpha-pipeline"]["webhook"]["endpoint"]


def test_the_ingress_routes_exactly_the_webhook_path_to_the_registrations_event_source():
    ingress = argo_events.webhook_ingress(ALPHA)
    assert ingress["metadata"]["name"] == "github-alpha-pipeline" and ingress["metadata"]["namespace"] == "argo-events"
    [rule] = ingress["spec"]["rules"]
    assert rule["host"] == "argo.example.org"
    [path] = rule["http"]["paths"]
    # Argo Events names the EventSource's Service <name>-eventsource-svc; the path goes through unchanged.
    assert path == {
        "path": "/events/github/alpha-pipeline",
        "pathType": "Exact",
        "backend": {"service": {"name": "github-alpha-pipeline-eventsource-svc", "port": {"number": 12000}}},
    }
    assert "ingressClassName" not in ingress["spec"] and "tls" not in ingress["spec"]


def test_the_ingress_takes_its_class_tls_and_annotations_from_the_stack():
    settings = make_settings(
        webhookBaseUrl="https://events.example.org:8443",
        webhookIngress={"className": "nginx", "tlsSecret": "events-tls", "annotations": {"cert-manager.io/cluster-issuer": "le"}},
    )
    ingress = argo_events.webhook_ingress(tenant_of(registration("alpha"), settings))
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["tls"] == [{"hosts": ["events.example.org"], "secretName": "events-tls"}]
    assert ingress["spec"]["rules"][0]["host"] == "events.example.org"
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "le"}


def test_each_registration_has_its_own_sensor_on_its_own_event_source():
    sensor = argo_events.sensor(ALPHA)
    assert sensor["metadata"]["name"] == "github-alpha-pipeline"
    [dep] = sensor["spec"]["dependencies"]
    assert dep["name"] == "repo_alpha_pipeline"
    assert (dep["eventSourceName"], dep["eventName"]) == ("github-alpha-pipeline", "alpha-pipeline")
    [trigger] = sensor["spec"]["triggers"]
    assert trigger["template"]["conditions"] == "repo_alpha_pipeline"


def test_trigger_submits_the_tenant_template_in_its_namespace():
    trigger = argo_events.sensor(ALPHA)["spec"]["triggers"][0]["template"]["argoWorkflow"]
    workflow = trigger["source"]["resource"]
    assert trigger["operation"] == "submit"
    assert workflow["metadata"]["namespace"] == "wf-acme-alpha-pipeline"
    assert workflow["spec"]["workflowTemplateRef"] == {"name": "nextflow-repo-runner"}
    names = [p["name"] for p in workflow["spec"]["arguments"]["parameters"]]
    mapping = {names[int(p["dest"].split(".")[3])]: p["src"] for p in trigger["parameters"]}
    assert {name: src.get("dataKey") for name, src in mapping.items()} == {
        "git_revision": "body.head_commit.id",
        "git_ref": "body.ref",
        "git_ref_name": None,
    }
    assert mapping["git_ref_name"]["dataTemplate"] == '{{ .Input.body.ref | trimPrefix "refs/heads/" | trimPrefix "refs/tags/" }}'
    assert all(p["src"]["dependencyName"] == "repo_alpha_pipeline" for p in trigger["parameters"])


def test_only_pushes_that_are_not_deletions_trigger():
    dep = argo_events.sensor(ALPHA)["spec"]["dependencies"][0]
    assert {"path": "body.X-GitHub-Event", "type": "string", "value": ["push"]} in dep["filters"]["data"]
    assert {"path": "body.deleted", "type": "bool", "value": ["false"]} in dep["filters"]["data"]


def test_sensor_runs_as_the_service_account_tenant_namespaces_trust():
    assert argo_events.sensor(ALPHA)["spec"]["template"] == {"serviceAccountName": "argo-tenants-sensor"}


def ref_filter(document: dict, settings=SETTINGS) -> list[str]:
    dep = argo_events.sensor(tenant_of(document, settings))["spec"]["dependencies"][0]
    [found] = [f for f in dep["filters"]["data"] if f["path"] == "body.ref"]
    assert (found["path"], found["type"]) == ("body.ref", "string")
    return found["value"]


def test_by_default_a_stack_tracking_branches_runs_the_default_branch_only():
    assert ref_filter(registration("alpha", defaultBranch="release/1.x")) == [r"^refs/heads/release/1\.x$"]


def test_a_stack_tracking_tags_runs_tags_only():
    settings = make_settings("prod", tracks="tags")
    assert ref_filter(registration("alpha", defaultBranch="release/1.x"), settings) == ["^refs/tags/"]


def test_a_stack_tracking_both_runs_the_branch_and_tags():
    settings = make_settings(tracks="branch-and-tags")
    assert ref_filter(registration("alpha"), settings) == [r"^refs/heads/main$", "^refs/tags/"]


def test_a_registration_names_the_ref_each_environment_tracks():
    refs = {"dev": {"branch": "develop"}, "prod": {"branch": "release", "tags": True}}
    assert ref_filter(registration("alpha", refs=refs)) == [r"^refs/heads/develop$"]
    assert ref_filter(registration("alpha", refs=refs), make_settings("prod", tracks="tags")) == [r"^refs/heads/release$", "^refs/tags/"]


def test_a_branch_name_is_a_literal_in_the_filter_language():
    # Git allows these in branch names; in a Go regular expression each is an operator.
    assert argo_events.go_regex_literal("a+b(c)|d$[e]{f}^g*h?i.j\\k") == r"a\+b\(c\)\|d\$\[e\]\{f\}\^g\*h\?i\.j\\k"


def test_a_push_without_a_commit_starts_nothing():
    dep = argo_events.sensor(ALPHA)["spec"]["dependencies"][0]
    assert {"path": "body.head_commit.id", "type": "string", "value": ["^[0-9a-f]{40}$"]} in dep["filters"]["data"]
