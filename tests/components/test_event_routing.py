from components.event_routing import EventRouting, EventRoutingArgs
from tenancy.manifests import rbac
from tests.support.one_component import build_alone, child_types, children
from tests.support.program import children_of, component


def parts(plan):
    return {r.inputs["kind"]: r for r in children_of(plan, component(plan, "EventRouting", "event-routing").urn)}


def test_the_stack_holds_only_the_sensors_account_each_registration_its_own_route(dev_plan):
    assert set(parts(dev_plan)) == {"ServiceAccount"}
    sources = [r.inputs for r in dev_plan.resources if r.type == "kubernetes:argoproj.io/v1alpha1:EventSource"]
    assert sorted(s["metadata"]["name"] for s in sources) == ["github-alpha", "github-beta", "github-gamma"]
    assert all(len(s["spec"]["github"]) == 1 for s in sources)


def test_paused_registrations_keep_their_route(dev_plan):
    assert any(r.inputs["metadata"]["name"] == "github-gamma" for r in dev_plan.resources if r.type.endswith(":EventSource"))


def test_sensor_service_account(dev_plan):
    sa = parts(dev_plan)["ServiceAccount"].inputs["metadata"]
    assert (sa["name"], sa["namespace"]) == ("argo-tenants-sensor", "argo-events")


# Built alone, its arguments written out.


def test_alone_the_sensor_account_as_given():
    alone = build_alone(lambda: EventRouting("routing", EventRoutingArgs(service_account=rbac.platform_service_account("sensor", "events"))))
    assert child_types(alone, "EventRouting", "routing") == {"routing-sensor-service-account": "kubernetes:core/v1:ServiceAccount"}
    found = children(alone, "EventRouting", "routing")
    assert found["routing-sensor-service-account"].inputs["metadata"] == rbac.platform_service_account("sensor", "events")["metadata"]
