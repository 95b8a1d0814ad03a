"""The onboarding and operator guides say what the code does: their example file, commands, links and
quoted error messages are checked here, so the guides cannot drift from the program."""

import json
import re
import shlex

import pytest
import yaml

from tenancy.loading.loader import TenantFile, registration_of
from tests.support.cli_project import make_project, run_cli
from tests.support.program import PROJECT_DIR, stack_settings

DOCS = PROJECT_DIR / "docs"
ONBOARDING = (DOCS / "onboarding.md").read_text()
OPERATIONS = (DOCS / "operations.md").read_text()


def code_blocks(text, language):
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_readme_links_both_guides():
    readme = (PROJECT_DIR / "README.md").read_text()
    assert "(docs/onboarding.md)" in readme and "(docs/operations.md)" in readme


def _anchors(text):
    """GitHub's heading anchors: lowercase, punctuation dropped, spaces to '-'."""
    return {re.sub(r"[^\w\- ]", "", heading).strip().lower().replace(" ", "-") for heading in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}


MARKDOWN = sorted(path.relative_to(PROJECT_DIR).as_posix() for path in [PROJECT_DIR / "README.md", *DOCS.glob("*.md")])


@pytest.mark.parametrize("doc", MARKDOWN)
def test_relative_links_lead_to_files_and_headings_that_exist(doc):
    source = PROJECT_DIR / doc
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", source.read_text(), flags=re.DOTALL))  # code is not a link
    for target, anchor in re.findall(r"\]\(([^)#:]*)(?:#([^)]*))?\)", prose):
        path = source.parent / target if target else source
        assert path.exists(), f"{doc} links to {target}, which does not exist"
        if anchor:
            assert anchor in _anchors(path.read_text()), f"{doc} links to {target}#{anchor}, which is not a heading there"


def test_the_link_check_reads_every_guide():
    assert {"README.md", "docs/onboarding.md", "docs/operations.md", "docs/architecture.md", "docs/security.md"} <= set(MARKDOWN)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_complete_example_is_valid_for_every_stack(stack):
    [example] = [block for block in code_blocks(ONBOARDING, "yaml") if "kind: RepoRegistration" in block]
    registration, problems = registration_of(TenantFile.parse(example, "tenants/rna-seq.yaml"), stack_settings(stack))
    assert [str(problem) for problem in problems] == []
    assert registration.name == "rna-seq"


def _new_commands():
    return [line for block in code_blocks(ONBOARDING, "bash") for line in block.splitlines() if line.startswith("python -m tenancy new ")]


def test_the_guide_shows_a_new_command():
    assert len(_new_commands()) == 2


@pytest.mark.parametrize("command", _new_commands())
def test_each_new_command_of_the_guide_writes_a_valid_file(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path)
    code, out, err = run_cli(capsys, *shlex.split(command)[3:])
    assert (code, out.strip()) == (0, "tenants/rna-seq.yaml"), err
    code, out, _ = run_cli(capsys, "validate")
    assert code == 0, out


def test_the_guide_names_the_file_new_writes():
    command = _new_commands()[0]
    name = shlex.split(command)[4]
    assert f"tenants/{name}.yaml" in ONBOARDING and f"metadata:\n  name: {name}" in ONBOARDING


def _documented_messages():
    section = OPERATIONS.split("### Messages from `validate`", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE)


def _source_text():
    text = "\n".join(path.read_text() for path in (PROJECT_DIR / "tenancy").rglob("*.py"))
    text = text.replace("{TENANT_SUFFIX}", ".yaml")
    # f-string fields become placeholders; dict literals (which hold quotes) stay as they are.
    return re.sub(r'\{[^{}"\n]*\}', "<>", text)


def test_the_troubleshooting_table_has_messages():
    assert len(_documented_messages()) >= 20


@pytest.mark.parametrize("message", _documented_messages())
def test_each_troubleshooting_message_is_one_the_code_prints(message):
    source = _source_text()
    for fragment in re.split(r"<[^>]*>|;", message):
        fragment = fragment.strip(" '()?")
        if len(fragment) >= 6:
            assert fragment in source, f"'{fragment}' (from `{message}`) is not in tenancy/; update docs/operations.md"


def test_the_json_example_has_every_key_validate_writes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path)
    _, out, _ = run_cli(capsys, "validate", "--format", "json")
    [example] = [block for block in code_blocks(OPERATIONS, "json") if '"version"' in block]
    assert set(json.loads(example)) == set(json.loads(out))


def test_the_bucket_import_file_matches_the_programs_resources(dev_plan):
    [example] = [block for block in code_blocks(OPERATIONS, "json") if '"resources"' in block]
    resources = json.loads(example)["resources"]
    by_name = {resource["name"]: resource for resource in resources}
    registered = {(r.type, r.name) for r in dev_plan.resources}
    for resource in resources:
        logical = resource["logicalName"].replace("<name>", "alpha")
        assert (resource["type"], logical) in registered, resource
        if "parent" in resource:
            parent = by_name[resource["parent"]]
            [child] = [r for r in dev_plan.resources if (r.type, r.name) == (resource["type"], logical)]
            assert child.parent.endswith(f"{parent['type']}::{parent['logicalName'].replace('<name>', 'alpha')}")


def test_every_field_the_onboarding_table_names_exists():
    from tenancy.authoring import json_schema

    schema = json_schema.schema()
    fields = re.findall(r"^\| `((?:metadata|spec)\.[\w.]+)` \|", ONBOARDING, re.MULTILINE)
    assert fields
    for field in fields:
        node = schema
        for part in field.split("."):
            node = _resolve(node["properties"][part], schema)


def test_is_public_means_what_the_guide_and_the_sso_rules_say():
    """isPublic gives every signed-in user the reader account (rule `true`), never anyone without login
    (docs/migration.md). The comment `new` writes, the reference and the editor hover come from this."""
    from tenancy.model.registration import RepoRegistrationSpec

    description = RepoRegistrationSpec.model_fields["is_public"].description
    assert "every signed-in user" in description and "without login" not in description
    assert "every signed-in user of the platform" in ONBOARDING


def _resolve(node, schema):
    for option in node.get("anyOf", []) + node.get("allOf", []):
        if "$ref" in option:
            return schema["$defs"][option["$ref"].split("/")[-1]]
    if "$ref" in node:
        return schema["$defs"][node["$ref"].split("/")[-1]]
    return node


def test_every_yaml_block_of_the_guides_parses():
    for block in code_blocks(ONBOARDING, "yaml") + code_blocks(OPERATIONS, "yaml"):
        yaml.safe_load(block)


def test_the_urns_the_operator_guide_gives_are_the_programs(dev_plan):
    urns = re.findall(r"'?(urn:pulumi:[^'\"\s]+)", OPERATIONS)
    assert len(urns) == 2
    registered = {resource.urn for resource in dev_plan.resources}
    for urn in urns:
        assert urn.replace("<env>", "dev").replace("<name>", "alpha") in registered, urn


def _onboarding_example():
    [example] = [block for block in code_blocks(ONBOARDING, "yaml") if "kind: RepoRegistration" in block]
    return yaml.safe_load(example)


def test_the_artifact_repository_ref_the_guide_shows_is_in_the_namespace_configmap():
    from tenancy.manifests.argo_workflows import artifact_repositories_configmap
    from tests.support.program import tenant_of

    [block] = [yaml.safe_load(b) for b in code_blocks(ONBOARDING, "yaml") if "artifactRepositoryRef" in b]
    ref = block["spec"]["artifactRepositoryRef"]
    configmap = artifact_repositories_configmap(tenant_of(_onboarding_example(), stack_settings("dev")))
    assert ref["configMap"] == configmap["metadata"]["name"]
    assert ref["key"] in configmap["data"] and configmap["data"][ref["key"]] == configmap["data"]["default-v1"]


@pytest.mark.parametrize(
    "row, stack, dedicated",
    [
        ("your `artifactBucket`, dev", "dev", True),
        ("your `artifactBucket`, prod", "prod", True),
        ("without `artifactBucket` (the platform's bucket, dev)", "dev", False),
    ],
)
def test_the_outputs_table_says_where_the_program_puts_them(row, stack, dedicated):
    from tenancy.manifests.argo_workflows import key_format
    from tests.support.program import tenant_of

    document = _onboarding_example()
    if dedicated:
        document["spec"]["artifactBucket"].pop("keyPrefix")  # the guide's point: workflows/ without one
    else:
        document["spec"].pop("artifactBucket")
    artifacts = tenant_of(document, stack_settings(stack)).artifacts
    rows = {line.split("|")[1].strip(): [cell.strip().strip("`") for cell in line.split("|")[2:4]] for line in ONBOARDING.splitlines() if line.startswith("| ")}
    folder, log = rows[row]
    assert folder == f"{artifacts.s3_uri}rna-seq-x7k2p/"
    key = key_format(artifacts).replace("{{workflow.name}}", "rna-seq-x7k2p").replace("{{pod.name}}", "rna-seq-x7k2p-run-2719425813")
    assert log == f"s3://{artifacts.bucket}/{key}/main.log"


def test_the_sso_table_of_the_operator_guide_is_what_the_program_annotates():
    from tenancy.manifests import rbac

    section = OPERATIONS.split("## The Argo UI: SSO RBAC", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| `tenant-")]
    precedences = {cells[0].split("`")[1]: cells[2].strip(" `") for cells in rows}
    assert precedences == {"tenant-admin": str(rbac.ADMIN_PRECEDENCE), "tenant-reader": str(rbac.READER_PRECEDENCE)}
    assert f"`{rbac.RBAC_RULE_ANNOTATION}`" in section and "`<account>.service-account-token`" in section
