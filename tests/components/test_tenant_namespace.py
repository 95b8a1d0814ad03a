from tests.support.program import children_of, component

NS = "kubernetes:core/v1:Namespace"


def parts(plan, tenant):
    return children_of(plan, component(plan, "TenantNamespace", f"{tenant}-namespace").urn)


def test_namespace_named_after_the_repository(dev_plan):
    [ns] = [r for r in parts(dev_plan, "beta") if r.type == NS]
    assert ns.inputs["metadata"]["name"] == "wf-acme-beta-repo"
    assert ns.inputs["apiVersion"] == "v1" and ns.inputs["kind"] == "Namespace"
    assert ns.inputs["metadata"]["labels"]["calypr.io/public"] == "false"


def test_public_flag_is_recorded(dev_plan):
    [ns] = [r for r in parts(dev_plan, "alpha") if r.type == NS]
    assert ns.inputs["metadata"]["labels"]["calypr.io/public"] == "true"


def test_service_accounts_roles_and_bindings(dev_plan):
    kinds = sorted((r.inputs["kind"], r.inputs["metadata"]["name"]) for r in parts(dev_plan, "alpha") if r.type != NS)
    assert kinds == [
        ("Role", "argo-events-submit"), ("Role", "tenant-admin"), ("Role", "tenant-reader"), ("Role", "wf-runner"),
        ("RoleBinding", "argo-events-submit"), ("RoleBinding", "tenant-admin"), ("RoleBinding", "tenant-reader"), ("RoleBinding", "wf-runner"),
        ("ServiceAccount", "eso-vault"), ("ServiceAccount", "wf-runner"),
    ]


def test_objects_in_the_namespace_wait_for_it(dev_plan):
    found = parts(dev_plan, "alpha")
    [ns] = [r for r in found if r.type == NS]
    for resource in found:
        if resource is not ns:
            assert ns.urn in resource.depends_on, resource.urn
            assert resource.inputs["metadata"]["namespace"] == "wf-acme-alpha-pipeline"


def test_reader_binding_lists_every_reader(dev_plan):
    [binding] = [r for r in parts(dev_plan, "alpha") if r.inputs.get("kind") == "RoleBinding" and r.inputs["metadata"]["name"] == "tenant-reader"]
    assert [s["name"] for s in binding.inputs["subjects"]] == ["viewer@acme.org", "analyst@acme.org"]
