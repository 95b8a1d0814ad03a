from tenancy.authoring import reference
from tests.support.program import PROJECT_DIR


def test_committed_reference_matches_the_models():
    assert reference.is_current(PROJECT_DIR), "docs/reference.md is stale: run `python -m tenancy reference`"


def test_reference_lists_every_tenant_field_and_setting():
    text = reference.render()
    for field in ("spec.repoUrl", "spec.artifactBucket.externalSecretPath", "spec.credentialsRotation", "metadata.name"):
        assert f"`{field}`" in text
    for key in ("aws:region", "argo-tenants:vault.kvMount", "argo-tenants:bucketNames.suffix", "argo-tenants:protectBuckets"):
        assert f"`{key}`" in text
