"""Applies a plan's Vault side to a real OpenBao, then reads secrets the way External Secrets Operator does.

ESO's Vault provider (providers/v1/vault in external-secrets): it logs in with a service account
token at `auth/<mountPath>/login` with the store's role, validates the store by looking the token up
(`auth/token/lookup-self`; a store that fails this never becomes Ready, and ExternalSecrets of a
store that is not Ready are not synced), reads `<path>/data/<remoteRef.key>` for KV v2 and takes
`property` from the data, and revokes the token when done (`auth/token/revoke-self`).

Each check returns a list of problems (strings) so the same function runs on the real plan (expect
none) and on a copy broken on purpose (expect the specific one).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from tenancy.model import naming
from tenancy.model.settings import StackSettings
from tests.integration.plan import VAULT_POLICY, VAULT_ROLE, Plan, manifest_id
from tests.integration.servers import OpenBao, TokenReviewAPI

FAKE_CA = Path(__file__).resolve().parent / "fake-kubernetes-ca.pem"

# What each component writes into its KV secret (the values are secret in the plan, the keys are not).
KEYS_OF_COMPONENT = {
    "argo-tenants:index:TenantCredentials": (naming.ACCESS_KEY_ID_KEY, naming.SECRET_ACCESS_KEY_KEY),
    "argo-tenants:index:TenantWebhook": (naming.WEBHOOK_SECRET_KEY,),
}
_BUILTIN_MOUNTS = {"sys/", "cubbyhole/", "identity/", "secret/"}
_BUILTIN_POLICIES = {"default", "root"}

Values = Callable[[str, str, str], str]


def fake_value(mount: str, path: str, key: str) -> str:
    """A value that tells which secret and key it came from, so a read of the wrong one shows."""
    return f"{mount}/{path}#{key}"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def reset(bao: OpenBao) -> None:
    """Back to a fresh dev server: every check applies its plan from scratch."""
    for mount in bao.ok("GET", "sys/mounts")["data"]:
        if mount not in _BUILTIN_MOUNTS:
            bao.ok("DELETE", f"sys/mounts/{mount.rstrip('/')}")
    for mount in bao.ok("GET", "sys/auth")["data"]:
        if mount != "token/":
            bao.ok("DELETE", f"sys/auth/{mount.rstrip('/')}")
    for name in bao.ok("GET", "sys/policies/acl?list=true")["data"]["keys"]:
        if name not in _BUILTIN_POLICIES:
            bao.ok("DELETE", f"sys/policies/acl/{name}")


def apply(bao: OpenBao, kube: TokenReviewAPI, plan: Plan, settings: StackSettings, values: Values = fake_value) -> list[str]:
    """What `pulumi up` does to Vault, plus the platform's one-time setup (the KV mount and the
    Kubernetes auth method, pointed at the TokenReview stand-in). Returns the warnings Vault gave."""
    reset(bao)
    vault = settings.vault
    bao.ok("POST", f"sys/mounts/{vault.kv_mount}", {"type": "kv", "options": {"version": "2"}})
    bao.ok("POST", f"sys/auth/{vault.kubernetes_auth_mount}", {"type": "kubernetes"})
    bao.ok(
        "POST",
        f"auth/{vault.kubernetes_auth_mount}/config",
        {
            "kubernetes_host": kube.url,
            "kubernetes_ca_cert": FAKE_CA.read_text(),
            "disable_local_ca_jwt": True,
            "token_reviewer_jwt": "token-reviewer",
        },
    )
    warnings = []
    for policy in plan.of_type(VAULT_POLICY):
        bao.ok("PUT", f"sys/policies/acl/{policy['inputs']['name']}", {"policy": policy["inputs"]["policy"]})
    for role in plan.of_type(VAULT_ROLE):
        inputs = dict(role["inputs"])
        path = f"auth/{inputs.pop('backend')}/role/{inputs.pop('roleName')}"
        answer = bao.ok("POST", path, {_snake(key): value for key, value in inputs.items()})
        warnings += [f"{path}: {w}" for w in (answer or {}).get("warnings") or []]
    for mount, path, component in plan.secret_paths():
        data = {key: values(mount, path, key) for key in KEYS_OF_COMPONENT[component]}
        bao.ok("POST", f"{mount}/data/{path}", {"data": data})
    return warnings


def role_problems(bao: OpenBao, plan: Plan) -> list[str]:
    """Each Kubernetes auth role reads back from Vault as the plan wrote it."""
    problems = []
    for role in plan.of_type(VAULT_ROLE):
        inputs = dict(role["inputs"])
        path = f"auth/{inputs.pop('backend')}/role/{inputs.pop('roleName')}"
        status, answer = bao.request("GET", path)
        if status != 200:
            problems.append(f"{path}: not readable ({status})")
            continue
        stored = answer["data"]
        for key, value in inputs.items():
            got = stored.get(_snake(key))
            if isinstance(value, list):
                value, got = sorted(value), sorted(got or [])
            if got != value:
                problems.append(f"{path}: {_snake(key)} is {got!r} in Vault, the plan says {value!r}")
    return problems


def _login(bao: OpenBao, mount: str, role: str, jwt: str) -> tuple[int, dict]:
    return bao.request("POST", f"auth/{mount}/login", token=None, body={"role": role, "jwt": jwt})


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def eso_problems(bao: OpenBao, kube: TokenReviewAPI, plan: Plan, values: Values = fake_value) -> list[str]:
    """For every SecretStore: log in as ESO would, validate the store, read every key its
    ExternalSecrets name, and be refused everything else (other registrations' secrets, the paths
    above its own, writes). Identities other than the store's own must not log in with its role."""
    problems = []
    written = plan.secret_paths()
    for store in plan.vault_stores():
        where = manifest_id(store)
        namespace = store["metadata"]["namespace"]
        provider = store["spec"]["provider"]["vault"]
        mount = provider["path"]
        auth = provider["auth"]["kubernetes"]
        account = auth["serviceAccountRef"]
        audiences = account.get("audiences") or []
        jwt = kube.mint(namespace, account["name"], audiences)
        status, answer = _login(bao, auth["mountPath"], auth["role"], jwt)
        if status != 200:
            problems.append(f"{where}: ESO cannot log in with role {auth['role']}: {status} {answer}")
            continue
        token = answer["auth"]["client_token"]
        policies = sorted(answer["auth"]["policies"])
        role = bao.ok("GET", f"auth/{auth['mountPath']}/role/{auth['role']}")["data"]
        if policies != sorted(role["token_policies"]):
            problems.append(f"{where}: token carries policies {policies}, not only its role's {role['token_policies']}")

        status, _ = bao.request("GET", "auth/token/lookup-self", token=token)
        if status != 200:
            problems.append(f"{where}: ESO's token lookup-self is refused ({status}): the store would never become Ready")

        needed: set[str] = set()
        for external, _ in plan.vault_external_secrets(namespace):
            ref = external["spec"]["secretStoreRef"]
            if ref.get("kind", "SecretStore") != "SecretStore" or ref["name"] != store["metadata"]["name"]:
                continue
            for item in external["spec"]["data"]:
                key, prop = item["remoteRef"]["key"], item["remoteRef"].get("property")
                needed.add(key)
                status, read = bao.request("GET", f"{mount}/data/{key}", token=token)
                if status != 200:
                    problems.append(f"{manifest_id(external)}: reading {mount}/{key} fails ({status})")
                    continue
                data = read["data"]["data"]
                if prop not in data:
                    problems.append(f"{manifest_id(external)}: {mount}/{key} has no key {prop} (it has {sorted(data)})")
                elif data[prop] != values(mount, key, prop):
                    problems.append(f"{manifest_id(external)}: {mount}/{key}#{prop} is not the value written there")
            for key in needed:
                status, _ = bao.request("POST", f"{mount}/data/{key}", token=token, body={"data": {"x": "y"}})
                if status != 403:
                    problems.append(f"{where}: may write {mount}/{key} ({status}); it must only read")

        for other_mount, path, _ in written:
            if other_mount == mount and path in needed:
                continue
            status, _ = bao.request("GET", f"{other_mount}/data/{path}", token=token)
            if status != 403:
                problems.append(f"{where}: reads {other_mount}/{path} ({status}), which none of its ExternalSecrets needs")
        for above in sorted({a for key in needed for a in _ancestors(key)}):
            for method, api_path in (("GET", f"{mount}/data/{above}"), ("LIST", f"{mount}/metadata/{above}")):
                status, _ = bao.request(method, api_path, token=token)
                if status != 403:
                    problems.append(f"{where}: {method} {api_path} answers {status}; everything above its own paths must be refused")

        status, _ = bao.request("POST", "auth/token/revoke-self", token=token)
        if status not in (200, 204):
            problems.append(f"{where}: ESO's token revoke-self is refused ({status}): every reconcile would leave a live token")

        for label, other_jwt in (
            ("the same service account in another namespace", kube.mint(f"{namespace}-other", account["name"], audiences)),
            ("another service account of the namespace", kube.mint(namespace, "default", audiences)),
            ("a token for another audience", kube.mint(namespace, account["name"], ["kubernetes"])),
        ):
            status, _ = _login(bao, auth["mountPath"], auth["role"], other_jwt)
            if status == 200:
                problems.append(f"{where}: role {auth['role']} also logs in {label}")
    return problems


def eso_secret_value(bao: OpenBao, kube: TokenReviewAPI, plan: Plan) -> Callable[[str, str, str], str]:
    """The value a key of a Kubernetes Secret gets when ESO syncs it: the ExternalSecret that targets
    the Secret, its store's login, the Vault read. Raises LookupError naming the missing link."""

    def value(namespace: str, secret: str, key: str) -> str:
        for external in plan.manifests("ExternalSecret", namespace):
            spec = external["spec"]
            if spec.get("target", {}).get("name", external["metadata"]["name"]) != secret:
                continue
            entry = next((item for item in spec["data"] if item["secretKey"] == key), None)
            if entry is None:
                raise LookupError(f"{manifest_id(external)} produces no key {key}")
            store = plan.manifest("SecretStore", namespace, spec["secretStoreRef"]["name"])
            if store is None:
                raise LookupError(f"{manifest_id(external)}: SecretStore {spec['secretStoreRef']['name']} is missing")
            provider = store["spec"]["provider"]["vault"]
            auth = provider["auth"]["kubernetes"]
            account = auth["serviceAccountRef"]
            jwt = kube.mint(namespace, account["name"], account.get("audiences") or [])
            status, answer = _login(bao, auth["mountPath"], auth["role"], jwt)
            if status != 200:
                raise LookupError(f"{manifest_id(store)}: login refused ({status})")
            token = answer["auth"]["client_token"]
            status, read = bao.request("GET", f"{provider['path']}/data/{entry['remoteRef']['key']}", token=token)
            bao.request("POST", "auth/token/revoke-self", token=token)
            if status != 200:
                raise LookupError(f"{manifest_id(external)}: reading {entry['remoteRef']['key']} refused ({status})")
            data = read["data"]["data"]
            if entry["remoteRef"].get("property") not in data:
                raise LookupError(f"{manifest_id(external)}: {entry['remoteRef']['key']} has no {entry['remoteRef'].get('property')}")
            return data[entry["remoteRef"]["property"]]
        raise LookupError(f"no ExternalSecret produces Secret {namespace}/{secret}")

    return value
