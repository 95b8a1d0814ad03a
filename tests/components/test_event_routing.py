import pytest

from components.event_routing import EventRouting, EventRoutingArgs
from tenancy.manifests import rbac
from tests.support.one_component import build_alone, child_types, children
from tests.support.program import children_of, component


def parts(plan):
    return {r.inputs["kind"]: r for r in children_of(plan, component(plan, "EventRouting", "event-routing").urn)}


def test_one_entry_and_one_trigger_per_deployed_registration(dev_plan):
    found = parts(dev_plan)
    assert set(found["EventSource"].inputs["spec"]["github"]) == {"alpha", "beta", "gamma"}
    assert [t["template"]["name"] for t in found["Sensor"].inputs["spec"]["triggers"]] == ["alpha", "beta", "gamma"]


def test_paused_registrations_keep_their_route(dev_plan):
    assert "gamma" in parts(dev_plan)["EventSource"].inputs["spec"]["github"]


def test_sensor_service_account(dev_plan):
    sa = parts(dev_plan)["ServiceAccount"].inputs["metadata"]
    assert (sa["name"], sa["namespace"]) == ("argo-tenants-sensor", "argo-events")


# Built alone, its arguments written out.

EVENTS = "argoproj.io/v1alpha1"
EVENT_SOURCE = {"apiVersion": EVENTS, "kind": "EventSource", "metadata": {"name": "pushes", "namespace": "events"}, "spec": {"github": {}}}
SENSOR = {"apiVersion": EVENTS, "kind": "Sensor", "metadata": {"name": "pushes", "namespace": "events"}, "spec": {"triggers": []}}


@pytest.fixture(scope="module")
def alone():
    return build_alone(
        lambda: EventRouting(
            "routing",
            EventRoutingArgs(
                service_account=rbac.platform_service_account("sensor", "events"), event_source=EVENT_SOURCE, sensor=SENSOR
            ),
        )
    )


def test_alone_the_sensor_account_the_event_source_and_the_sensor(alone):
    assert child_types(alone, "EventRouting", "routing") == {
        "routing-sensor-service-account": "kubernetes:core/v1:ServiceAccount",
        "routing-event-source": f"kubernetes:{EVENTS}:EventSource",
        "routing-sensor": f"kubernetes:{EVENTS}:Sensor",
    }


def test_alone_the_manifests_are_registered_as_given(alone):
    found = children(alone, "EventRouting", "routing")
    assert found["routing-sensor-service-account"].inputs["metadata"] == rbac.platform_service_account("sensor", "events")["metadata"]
    assert (found["routing-event-source"].inputs["spec"], found["routing-sensor"].inputs["spec"]) == (EVENT_SOURCE["spec"], SENSOR["spec"])
