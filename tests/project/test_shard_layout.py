"""How stacks divide environments: one rule per test, on stack entries built by hand."""

from tenancy.model.registration import RepoRegistration
from tenancy.project.shard_layout import Place, StackEntry, placement, problems
from tests.support.program import registration


def stack(name, environment="dev", shard=None, of=None, url=None):
    return StackEntry(name, environment, shard, tuple(of) if of else None, url or f"https://events.example.org/{name}")


def shards(*names, of=("a", "b")):
    return [stack(f"dev-{name}", shard=name, of=of) for name in names]


def test_one_unsharded_stack_per_environment_is_fine():
    assert problems([stack("dev"), stack("prod", "prod")]) == []


def test_one_stack_per_shard_is_fine():
    assert problems([*shards("a", "b"), stack("prod", "prod")]) == []


def test_two_unsharded_stacks_of_one_environment():
    [found] = problems([stack("dev"), stack("dev2")])
    assert (found.file, found.field) == ("Pulumi.dev2.yaml", "argo-tenants:environment")
    assert "also deployed by Pulumi.dev.yaml" in found.message


def test_an_unsharded_stack_beside_shard_stacks():
    [found] = problems([stack("dev"), *shards("a", "b")])
    assert (found.file, found.field) == ("Pulumi.dev.yaml", "argo-tenants:shard")
    assert "stacks dev-a, dev-b split environment dev into shards" in found.message


def test_shard_stacks_that_list_different_shards():
    found = problems([stack("dev-a", shard="a", of=["a", "b"]), stack("dev-b", shard="b", of=["b", "c"])])
    [differs] = [p for p in found if "differs" in p.message]
    assert (differs.file, differs.field) == ("Pulumi.dev-b.yaml", "argo-tenants:shard.of")
    assert differs.message.startswith("[b, c] differs from [a, b] in Pulumi.dev-a.yaml")


def test_the_order_of_the_shards_does_not_matter():
    assert problems([stack("dev-a", shard="a", of=["a", "b"]), stack("dev-b", shard="b", of=["b", "a"])]) == []


def test_two_stacks_for_one_shard():
    found = problems([stack("dev-a", shard="a", of=["a", "b"]), stack("dev-a2", shard="a", of=["a", "b"]), stack("dev-b", shard="b", of=["a", "b"])])
    assert [(p.file, p.field) for p in found] == [("Pulumi.dev-a2.yaml", "argo-tenants:shard.name")]
    assert "'a' is also the shard of Pulumi.dev-a.yaml" in found[0].message


def test_a_shard_without_a_stack_names_the_file_to_add():
    [found] = problems(shards("a", of=("a", "b")))
    assert (found.file, found.field) == ("Pulumi.dev-a.yaml", "argo-tenants:shard.of")
    assert found.message == "lists shard 'b', which has no stack, so its registrations would never be deployed"
    assert found.hint.startswith("add Pulumi.dev-b.yaml (with environment: dev and shard: {name: b, of: [a, b]})")


def test_two_stacks_of_one_environment_with_one_webhook_url():
    [found] = problems([stack("dev-a", shard="a", of=["a", "b"], url="https://e.org"), stack("dev-b", shard="b", of=["a", "b"], url="https://e.org")])
    assert (found.file, found.field) == ("Pulumi.dev-b.yaml", "argo-tenants:webhookBaseUrl")
    assert "also the webhookBaseUrl of Pulumi.dev-a.yaml" in found.message


def test_a_stack_name_ci_could_not_pass_on():
    [found] = problems([stack("dev$(id)")])
    assert "is not a Pulumi stack name" in found.message


def test_a_registration_is_placed_on_the_stack_of_its_shard():
    stacks = [*shards("a", "b"), stack("prod", "prod")]
    registered = RepoRegistration.model_validate(registration("x", shard="b"))
    assert placement(stacks, "dev", registered) == Place("dev-b", "b")
    assert placement(stacks, "prod", registered) == Place("prod", None)


def test_a_registration_outside_the_environment_is_placed_nowhere():
    registered = RepoRegistration.model_validate(registration("x", shard="a", environments=["prod"]))
    assert placement(shards("a", "b"), "dev", registered) is None
