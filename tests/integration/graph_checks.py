"""Cross-references between the objects of a plan: every name one object gives for another resolves.

Each function returns problems (strings); none on the real plan, the specific one on a broken copy.
Permissions a component needs come from the components' sources, cited where they are listed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator
from urllib.parse import urlsplit

from tests.integration.plan import REPOSITORY_WEBHOOK, VAULT_POLICY, VAULT_ROLE, VAULT_SECRET, Plan, manifest_id, stack_settings
from tests.integration.schema_checks import artifact_repositories
from tests.support.expr_language import identifier_problem
from tests.support.policy_checks import vault_allows

# What ESO's GithubAccessToken generator puts in the Secret it fills (generators/v1/github/github.go).
GENERATED_TOKEN_KEY = "token"

# (verb, apiGroup, resource) each in-cluster identity uses in its namespace, and why.
# - Argo Events' argoWorkflow trigger (pkg/sensors/triggers/argo-workflow) runs `argo submit`; the
#   CLI validates the Workflow against its WorkflowTemplate first (server/workflow CreateWorkflow:
#   ValidateWorkflow with a WorkflowTemplates getter), creates it, and the trigger then lists
#   Workflows by its labels to report the one created.
# - Argo's executor in each workflow pod reports outputs through WorkflowTaskResults.
SENSOR_NEEDS = (("get", "argoproj.io", "workflowtemplates"), ("create", "argoproj.io", "workflows"), ("list", "argoproj.io", "workflows"))
RUNNER_NEEDS = (("create", "argoproj.io", "workflowtaskresults"), ("patch", "argoproj.io", "workflowtaskresults"))
# The run that waits for Argo CD, then creates the run Workflow and follows it (`kubectl get -w`).
WAITER_NEEDS = (*RUNNER_NEEDS, *((verb, "argoproj.io", "workflows") for verb in ("create", "get", "list", "watch")))


def _secret_keys(plan: Plan, namespace: str) -> dict[str, set[str]]:
    """Secret name -> keys, for every Secret an ExternalSecret produces in `namespace`: a template's keys
    where it has one (ESO's default mergePolicy Replace keeps only those), a generator's `token`, else its data's."""
    produced: dict[str, set[str]] = defaultdict(set)
    for external in plan.manifests("ExternalSecret", namespace):
        target = external["spec"].get("target", {})
        name = target.get("name") or external["metadata"]["name"]
        template = target.get("template", {}).get("data")
        if template:
            produced[name] |= set(template)
        elif any("generatorRef" in item.get("sourceRef", {}) for item in external["spec"].get("dataFrom", [])):
            produced[name].add(GENERATED_TOKEN_KEY)
        else:
            produced[name] |= {item["secretKey"] for item in external["spec"].get("data", [])}
    return produced


def _needs_secret(plan: Plan, where: str, namespace: str, ref: dict) -> Iterator[str]:
    produced = _secret_keys(plan, namespace)
    if ref["name"] not in produced:
        yield f"{where}: Secret {namespace}/{ref['name']} is produced by no ExternalSecret"
    elif ref["key"] not in produced[ref["name"]]:
        yield f"{where}: Secret {namespace}/{ref['name']} gets no key {ref['key']} (its ExternalSecret gives {sorted(produced[ref['name']])})"


def secret_reference_problems(plan: Plan) -> list[str]:
    """Artifact repositories, the EventSource's webhook secrets and the template's env all name
    Secrets that an ExternalSecret in the same namespace produces, with those keys."""
    problems = []
    for where, repository in artifact_repositories(plan):
        namespace = where.split()[1].split("/")[0]
        for field in ("accessKeySecret", "secretKeySecret"):
            problems += _needs_secret(plan, f"{where} s3.{field}", namespace, repository["s3"][field])
    for source in plan.manifests("EventSource"):
        namespace = source["metadata"]["namespace"]
        for entry, github in source["spec"].get("github", {}).items():
            problems += _needs_secret(plan, f"{manifest_id(source)} github.{entry}.webhookSecret", namespace, github["webhookSecret"])
    for template in plan.manifests("WorkflowTemplate"):
        namespace = template["metadata"]["namespace"]
        for step in template["spec"]["templates"]:
            body = step.get("container") or step.get("script") or {}
            for env in body.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    problems += _needs_secret(plan, f"{manifest_id(template)} env {env['name']}", namespace, ref)
            problems += _mounted_secret_problems(plan, manifest_id(template), namespace, step, body)
    return problems


def _mounted_secret_problems(plan: Plan, where: str, namespace: str, step: dict, body: dict) -> list[str]:
    """Each Secret volume is produced in the namespace with the file the step reads from it (a path in its env)."""
    problems = []
    volumes = {v["name"]: v["secret"]["secretName"] for v in step.get("volumes", []) if "secret" in v}
    paths = [e.get("value", "") for e in body.get("env", [])]
    for mount in body.get("volumeMounts", []):
        secret = volumes.get(mount["name"])
        if secret is None:
            continue
        files = [path[len(mount["mountPath"]) + 1 :] for path in paths if path.startswith(mount["mountPath"] + "/")]
        if not files:
            problems.append(f"{where} {step['name']}: nothing in its environment names a file of {mount['mountPath']}")
        for key in files:
            problems += _needs_secret(plan, f"{where} {step['name']} volume {mount['name']}", namespace, {"name": secret, "key": key})
    return problems


def github_token_problems(plan: Plan) -> list[str]:
    """Every GitHub token a tenant namespace reads is minted for its own repository alone: the copy's store reads
    the App's namespace as the namespace's own service account; a Role there lets exactly that account `get`
    the Secret by name; the Secret is filled by a namespaced GithubAccessToken beside it whose one repository is
    the tenant's, under the installation the stack lists for its repository's owner (an installation reaches
    repositories of its own owner by name, so the name alone proves nothing); the App's private key is
    referenced from the App's namespace only."""
    problems = []
    app = stack_settings().github_app
    repository_of = {ns["metadata"]["name"]: ns["metadata"]["annotations"].get("repo-registration/repo-url", "") for ns in plan.manifests("Namespace")}
    for generator in plan.manifests("GithubAccessToken"):
        where = manifest_id(generator)
        if generator["metadata"]["namespace"] in repository_of:
            problems.append(f"{where}: a generator in a tenant namespace would need the App's private key there")
        if len(generator["spec"].get("repositories", [])) != 1 or len(generator["spec"].get("permissions", {})) != 1:
            problems.append(f"{where}: must be limited to one repository and one permission")
    for external in plan.manifests("ExternalSecret"):
        ref = external["spec"].get("secretStoreRef")
        store = plan.manifest("SecretStore", external["metadata"]["namespace"], ref["name"]) if ref else None
        if store is None or "kubernetes" not in store["spec"]["provider"]:
            continue
        where = manifest_id(external)
        namespace = external["metadata"]["namespace"]
        provider = store["spec"]["provider"]["kubernetes"]
        remote = provider["remoteNamespace"]
        account = provider["auth"]["serviceAccount"]["name"]
        if plan.manifest("ServiceAccount", namespace, account) is None:
            problems.append(f"{where}: its store's ServiceAccount {namespace}/{account} does not exist")
        for item in external["spec"]["data"]:
            secret = item["remoteRef"]["key"]
            if not _may_get(plan, remote, (namespace, account), secret):
                problems.append(f"{where}: {namespace}/{account} may not get Secret {remote}/{secret}")
            minting = plan.manifest("ExternalSecret", remote, secret)
            sources = [s["sourceRef"]["generatorRef"] for s in (minting or {}).get("spec", {}).get("dataFrom", []) if "generatorRef" in s.get("sourceRef", {})]
            if not sources:
                problems.append(f"{where}: Secret {remote}/{secret} is minted by no generator")
                continue
            if sources[0]["kind"] != "GithubAccessToken":
                problems.append(f"{where}: Secret {remote}/{secret} comes from a {sources[0]['kind']}, not a namespaced GithubAccessToken")
                continue
            generator = plan.manifest("GithubAccessToken", remote, sources[0]["name"])
            if generator is None:
                problems.append(f"{where}: generator {remote}/{sources[0]['name']} does not exist")
                continue
            owner, repo = repository_of.get(namespace, "").removesuffix(".git").rsplit("/", 2)[-2:]
            if generator["spec"].get("repositories") != [repo]:
                problems.append(f"{where}: reads a token for {generator['spec'].get('repositories')}, not for its own repository {repo}")
            installation = str(app.installation_of(owner))
            if generator["spec"].get("installID") != installation:
                problems.append(
                    f"{where}: reads a token of installation {generator['spec'].get('installID')}, not of {owner}'s ({installation})"
                )
        for granted_to in _readers(plan, remote):
            if granted_to[0] not in repository_of:
                problems.append(f"Role in {remote}: grants {granted_to} outside every tenant namespace")
    return list(dict.fromkeys(problems))


def _readers(plan: Plan, namespace: str) -> set[tuple[str, str]]:
    return {
        (s.get("namespace", namespace), s["name"])
        for binding in plan.manifests("RoleBinding", namespace)
        for s in binding.get("subjects", [])
        if s["kind"] == "ServiceAccount"
    }


def _may_get(plan: Plan, namespace: str, account: tuple[str, str], secret: str) -> bool:
    for binding in plan.manifests("RoleBinding", namespace):
        subjects = {(s.get("namespace", namespace), s["name"]) for s in binding.get("subjects", []) if s["kind"] == "ServiceAccount"}
        if account not in subjects or binding["roleRef"]["kind"] != "Role":
            continue
        role = plan.manifest("Role", namespace, binding["roleRef"]["name"]) or {}
        for rule in role.get("rules", []):
            if "" in rule["apiGroups"] and "secrets" in rule["resources"] and "get" in rule["verbs"]:
                if secret in rule.get("resourceNames", [secret]):
                    return True
    return False


def store_problems(plan: Plan) -> list[str]:
    """Every ExternalSecret's store exists in its namespace and reads the mount its Vault secret
    lives in; the store's role is bound to the store's own service account and namespace, with an
    audience the store asks for, and its policy reads every key the store's ExternalSecrets name."""
    problems = []
    written = {(r["inputs"]["mount"], r["inputs"]["name"]) for r in plan.of_type(VAULT_SECRET)}
    roles = {(r["inputs"]["backend"], r["inputs"]["roleName"]): r["inputs"] for r in plan.of_type(VAULT_ROLE)}
    policies = {r["inputs"]["name"]: r["inputs"]["policy"] for r in plan.of_type(VAULT_POLICY)}
    for external, store in plan.vault_external_secrets():
        where = manifest_id(external)
        namespace = external["metadata"]["namespace"]
        ref = external["spec"]["secretStoreRef"]
        if store is None:
            problems.append(f"{where}: {ref.get('kind', 'SecretStore')} {namespace}/{ref['name']} does not exist")
            continue
        vault = store["spec"]["provider"]["vault"]
        role = roles.get((vault["auth"]["kubernetes"]["mountPath"], vault["auth"]["kubernetes"]["role"]), {})
        for item in external["spec"]["data"]:
            key = item["remoteRef"]["key"]
            if (vault["path"], key) not in written:
                problems.append(f"{where}: {vault['path']}/{key} is not a secret the plan writes (its store reads mount {vault['path']})")
            for policy in role.get("tokenPolicies", []):
                if not vault_allows(policies.get(policy, ""), f"{vault['path']}/data/{key}", "read"):
                    problems.append(f"{where}: policy {policy} of its store's role does not read {vault['path']}/data/{key}")
    problems = list(dict.fromkeys(problems))  # one line per ExternalSecret, not per key read from the same path
    for store in plan.vault_stores():
        where = manifest_id(store)
        namespace = store["metadata"]["namespace"]
        auth = store["spec"]["provider"]["vault"]["auth"]["kubernetes"]
        account = auth["serviceAccountRef"]
        role = roles.get((auth["mountPath"], auth["role"]))
        if role is None:
            problems.append(f"{where}: Vault role {auth['mountPath']}/{auth['role']} is not in the plan")
            continue
        if plan.manifest("ServiceAccount", namespace, account["name"]) is None:
            problems.append(f"{where}: ServiceAccount {namespace}/{account['name']} does not exist")
        if role["boundServiceAccountNames"] != [account["name"]] or role["boundServiceAccountNamespaces"] != [namespace]:
            problems.append(
                f"{where}: role {auth['role']} is bound to {role['boundServiceAccountNames']} in "
                f"{role['boundServiceAccountNamespaces']}, not to {account['name']} in {namespace} only"
            )
        if role.get("audience") not in (account.get("audiences") or []):
            problems.append(f"{where}: role {auth['role']} wants audience {role.get('audience')!r}, the store asks for {account.get('audiences')}")
        for policy in role["tokenPolicies"]:
            if policy not in policies:
                problems.append(f"{where}: role {auth['role']} names policy {policy}, which the plan does not write")
    return problems


def _allowed(plan: Plan, namespace: str, account: tuple[str, str]) -> set[tuple[str, str, str]]:
    """(verb, group, resource) that Roles bound to a service account grant in `namespace`."""
    granted = set()
    for binding in plan.manifests("RoleBinding", namespace):
        subjects = {(s.get("namespace", namespace), s["name"]) for s in binding.get("subjects", []) if s["kind"] == "ServiceAccount"}
        if account not in subjects or binding["roleRef"]["kind"] != "Role":
            continue
        role = plan.manifest("Role", namespace, binding["roleRef"]["name"])
        for rule in (role or {}).get("rules", []):
            for verb in rule["verbs"]:
                for group in rule["apiGroups"]:
                    for resource in rule["resources"]:
                        granted.add((verb, group, resource))
    return granted


def _missing(needs, granted) -> list[str]:
    return [f"{verb} {resource}" for verb, group, resource in needs if (verb, group, resource) not in granted and ("*", group, resource) not in granted]


def trigger_problems(plan: Plan) -> list[str]:
    """Each Sensor trigger fires on a dependency of its own Sensor, on an EventSource entry that
    exists, and submits a Workflow from a WorkflowTemplate of the target namespace that declares
    every parameter the trigger fills; the Sensor's identity may do what submitting takes there."""
    problems = []
    sources = {(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in plan.manifests("EventSource")}
    for sensor in plan.manifests("Sensor"):
        where = manifest_id(sensor)
        namespace = sensor["metadata"]["namespace"]
        identity = (namespace, sensor["spec"].get("template", {}).get("serviceAccountName", "default"))
        if plan.manifest("ServiceAccount", *identity) is None:
            problems.append(f"{where}: ServiceAccount {identity[0]}/{identity[1]} does not exist")
        dependencies = {d["name"]: d for d in sensor["spec"]["dependencies"]}
        for name, dependency in dependencies.items():
            source = sources.get((namespace, dependency["eventSourceName"]))
            if source is None or dependency["eventName"] not in source["spec"].get("github", {}):
                problems.append(f"{where}: dependency {name} waits for {dependency['eventSourceName']}/{dependency['eventName']}, which no EventSource serves")
            problem = identifier_problem(name)
            if problem:
                problems.append(f"{where}: dependency name {name} {problem}, so trigger conditions cannot name it")
        for index, trigger in enumerate(sensor["spec"]["triggers"]):
            template = trigger["template"]
            label = f"{where} trigger {template.get('name', index)}"
            condition = template.get("conditions")
            if condition not in dependencies:
                problems.append(f"{label}: conditions {condition!r} is not exactly one of the Sensor's dependencies")
            workflow = template["argoWorkflow"]["source"]["resource"]
            target = workflow["metadata"].get("namespace", namespace)
            ref = workflow["spec"].get("workflowTemplateRef", {}).get("name")
            declared = None
            if ref is None:
                # A run of its own (spec.definitions: wait for the sync, then start the repository's
                # template, which the plan does not hold): its own parameters, its own service account.
                declared = {p["name"] for p in workflow["spec"].get("arguments", {}).get("parameters", [])}
                account = workflow["spec"].get("serviceAccountName", "default")
                if plan.manifest("ServiceAccount", target, account) is None:
                    problems.append(f"{label}: ServiceAccount {target}/{account} does not exist")
                missing = _missing(WAITER_NEEDS, _allowed(plan, target, (target, account)))
                if missing:
                    problems.append(f"{label}: its pods' service account {account} may not {', '.join(missing)}")
            elif (wftemplate := plan.manifest("WorkflowTemplate", target, ref)) is None:
                problems.append(f"{label}: WorkflowTemplate {target}/{ref} does not exist")
            else:
                declared = {p["name"] for p in wftemplate["spec"].get("arguments", {}).get("parameters", [])}
            arguments = workflow["spec"].get("arguments", {}).get("parameters", [])
            for parameter in template["argoWorkflow"].get("parameters", []):
                if parameter["src"]["dependencyName"] != condition:
                    problems.append(f"{label}: parameter from dependency {parameter['src']['dependencyName']}, but the trigger fires on {condition}")
                parts = parameter["dest"].split(".")
                if parts[:3] != ["spec", "arguments", "parameters"] or len(parts) != 5 or parts[4] != "value":
                    problems.append(f"{label}: dest {parameter['dest']} is not an argument's value")
                    continue
                position = int(parts[3])
                if position >= len(arguments):
                    problems.append(f"{label}: dest {parameter['dest']} points past the Workflow's {len(arguments)} arguments")
                elif declared is not None and arguments[position]["name"] not in declared:
                    problems.append(f"{label}: fills parameter {arguments[position]['name']}, which {ref} does not declare")
            missing = _missing(SENSOR_NEEDS, _allowed(plan, target, identity))
            if missing:
                problems.append(f"{label}: {identity[0]}/{identity[1]} may not {', '.join(missing)} in {target}")
    for template in plan.manifests("WorkflowTemplate"):
        namespace = template["metadata"]["namespace"]
        account = template["spec"].get("serviceAccountName", "default")
        if plan.manifest("ServiceAccount", namespace, account) is None:
            problems.append(f"{manifest_id(template)}: ServiceAccount {namespace}/{account} does not exist")
        missing = _missing(RUNNER_NEEDS, _allowed(plan, namespace, (namespace, account)))
        if missing:
            problems.append(f"{manifest_id(template)}: its pods' service account {account} may not {', '.join(missing)}")
    return problems


def webhook_problems(plan: Plan) -> list[str]:
    """Every repository webhook's URL is served by the EventSource entry of its own registration
    (the ingress passes the path through), for the events it sends, with JSON bodies; no two
    entries share an endpoint on a port, and the EventSource Service exposes every port used."""
    problems = []
    served: dict[str, tuple[str, dict]] = {}
    for source in plan.manifests("EventSource"):
        ports = {str(p["port"]) for p in source["spec"].get("service", {}).get("ports", [])}
        for entry, github in source["spec"].get("github", {}).items():
            hook = github["webhook"]
            origin = urlsplit(hook["url"])
            url = f"{origin.scheme}://{origin.netloc}{hook['endpoint']}"
            if hook["port"] not in ports:
                problems.append(f"{manifest_id(source)} github.{entry}: port {hook['port']} is not exposed by its Service")
            if hook.get("method", "POST") != "POST":
                problems.append(f"{manifest_id(source)} github.{entry}: method {hook['method']}; GitHub POSTs")
            key = f"{hook['port']} {hook['endpoint']}"
            if key in served:
                problems.append(f"{manifest_id(source)} github.{entry}: endpoint {hook['endpoint']} is also {served[key][0]}'s")
            served[key] = (entry, github)
            served[url] = (entry, github)
    for resource in plan.of_type(REPOSITORY_WEBHOOK):
        inputs = resource["inputs"]
        url = inputs["configuration"]["url"]
        where = f"RepositoryWebhook of {resource['tenant']}"
        if url not in served:
            problems.append(f"{where}: {url} is served by no EventSource endpoint")
            continue
        entry, github = served[url]
        if entry != resource["tenant"]:
            problems.append(f"{where}: {url} is served by the entry of {entry}")
        if not set(inputs["events"]) <= set(github.get("events", [])):
            problems.append(f"{where}: sends {inputs['events']}, the entry accepts {github.get('events')}")
        if inputs["configuration"].get("contentType") != github.get("contentType", "json"):
            problems.append(f"{where}: content type {inputs['configuration'].get('contentType')} differs from the entry's")
    return problems


def cross_reference_problems(plan: Plan) -> list[str]:
    return (
        secret_reference_problems(plan)
        + store_problems(plan)
        + github_token_problems(plan)
        + trigger_problems(plan)
        + webhook_problems(plan)
    )
