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
