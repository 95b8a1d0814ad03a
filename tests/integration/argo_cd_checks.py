"""What Argo CD lets an Application of an AppProject do, evaluated the way Argo CD does it.

After argoproj/argo-cd pkg/apis/application/v1alpha1/app_project_types.go:
- `IsSourcePermitted`: the Application's repoURL and each `sourceRepos` entry go through util/git
  `NormalizeGitURL` (trimmed, lower case, a trailing `.git` removed); an entry matches with
  util/glob `Match(pattern, url, '/')` (gobwas/glob with '/' as the separator); `*` alone matches
  anything; an entry starting with `!` is a deny pattern, and a deny pattern that does not match
  refuses the source.
- `isDestinationMatched`: an entry matches when its server (or name) and its namespace glob-match
  (no separators); deny patterns as above.
- `IsGroupKindPermitted`: a namespaced kind is allowed when `namespaceResourceWhitelist` is unset
  (nil) or lists it, and the blacklist does not; a cluster-scoped kind only when
  `clusterResourceWhitelist` lists it. Entries match with Go's `filepath.Match` on kind and group.
- `IsResourcePermitted`: the kind, then (for a namespaced object) the destination with the object's
  namespace.

gobwas/glob's syntax: `*` any run of non-separator characters, `**` any run, `?` one non-separator
character, `[...]` / `[!...]` classes and ranges, `{a,b}` alternatives, `\\` escapes. Go's
filepath.Match: `*` any run of non-'/' characters, `?` one, `[...]` / `[^...]` classes, `\\` escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

# Kinds Kubernetes (and the Argo projects) define cluster-scoped: what Argo CD learns from API discovery.
CLUSTER_SCOPED = frozenset(
    {
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("argoproj.io", "ClusterWorkflowTemplate"),
        ("external-secrets.io", "ClusterSecretStore"),
    }
)


def normalize_git_url(url: str) -> str:
    """util/git NormalizeGitURL for https URLs."""
    url = url.strip().lower()
    return url[: -len(".git")] if url.endswith(".git") else url


def _class(body: str, negated: bool) -> str:
    return ("[^" if negated else "[") + body.replace("\\", "\\\\").replace("^", "\\^") + "]"


def gobwas_regex(pattern: str, separators: str = "") -> str:
    """gobwas/glob's pattern as a Python regular expression matching the whole text."""
    any_but = f"[^{re.escape(separators)}]" if separators else "."
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append(f"{any_but}*")
        elif char == "?":
            out.append(any_but)
        elif char == "[":
            end = pattern.index("]", index + 1)
            body = pattern[index + 1 : end]
            negated = body.startswith("!")
            out.append(_class(body[1:] if negated else body, negated))
            index = end + 1
            continue
        elif char == "{":
            end = pattern.index("}", index + 1)
            alternatives = pattern[index + 1 : end].split(",")
            out.append("(?:" + "|".join(gobwas_regex(a, separators) for a in alternatives) + ")")
            index = end + 1
            continue
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def glob_match(pattern: str, text: str, allow_negation: bool = True, separators: str = "") -> bool:
    """app_project_types.go globMatch."""
    if allow_negation and pattern.startswith("!"):
        return not glob_match(pattern[1:], text, False, separators)
    if pattern == "*":
        return True
    return re.fullmatch(gobwas_regex(pattern, separators), text, re.DOTALL) is not None


def filepath_match(pattern: str, name: str) -> bool:
    """Go's path/filepath.Match on Unix."""
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.index("]", index + 1)
            body = pattern[index + 1 : end]
            negated = body.startswith("^")
            out.append(_class(body[1:] if negated else body, negated))
            index = end + 1
            continue
        else:
            out.append(re.escape(char))
        index += 1
    return re.fullmatch("".join(out), name, re.DOTALL) is not None


@dataclass(frozen=True)
class Project:
    spec: dict[str, Any]

    def source_permitted(self, repo_url: str) -> bool:
        source = normalize_git_url(repo_url)
        matched = False
        for entry in self.spec.get("sourceRepos") or []:
            normalized = "!" + normalize_git_url(entry[1:]) if entry.startswith("!") else normalize_git_url(entry)
            if glob_match(normalized, source, True, "/"):
                matched = True
            elif normalized.startswith("!"):
                return False
        return matched

    def destination_permitted(self, namespace: str, server: str = "", name: str = "") -> bool:
        matched_any, no_deny = False, True
        for item in self.spec.get("destinations") or []:
            name_ok = bool(name) and glob_match(item.get("name", ""), name)
            server_ok = bool(server) and glob_match(item.get("server", ""), server)
            namespace_ok = glob_match(item.get("namespace", ""), namespace)
            if (server_ok or name_ok) and namespace_ok:
                matched_any = True
            elif (
                (not name_ok and item.get("name", "").startswith("!"))
                or (not server_ok and item.get("server", "").startswith("!"))
                or (not namespace_ok and item.get("namespace", "").startswith("!"))
            ):
                no_deny = False
        return matched_any and no_deny

    def group_kind_permitted(self, group: str, kind: str, namespaced: bool) -> bool:
        def listed(entries: Iterable[dict]) -> bool:
            return any(filepath_match(e.get("kind", ""), kind) and filepath_match(e.get("group", ""), group) for e in entries)

        if namespaced:
            whitelist = self.spec.get("namespaceResourceWhitelist")
            blacklist = self.spec.get("namespaceResourceBlacklist") or []
            white = whitelist is None or (len(whitelist) != 0 and listed(whitelist))
            return white and not (blacklist and listed(blacklist))
        whitelist = self.spec.get("clusterResourceWhitelist") or []
        blacklist = self.spec.get("clusterResourceBlacklist") or []
        return bool(whitelist) and listed(whitelist) and not (blacklist and listed(blacklist))


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def application_problems(project: Project, application: dict) -> list[str]:
    """Why Argo CD would refuse the Application itself (its source, its destination) under `project`."""
    spec = application["spec"]
    problems = []
    if not project.source_permitted(spec["source"]["repoURL"]):
        problems.append(f"source {spec['source']['repoURL']} is not permitted")
    destination = spec["destination"]
    if not project.destination_permitted(destination.get("namespace", ""), destination.get("server", ""), destination.get("name", "")):
        problems.append(f"destination {destination} is not permitted")
    return problems


def synced_object_problem(project: Project, application: dict, manifest: dict) -> str | None:
    """Why Argo CD would refuse to sync `manifest` from the Application's folder, or None (IsResourcePermitted).
    A namespaced object without a namespace goes to the Application's destination namespace."""
    group, kind = group_of(manifest["apiVersion"]), manifest["kind"]
    namespaced = (group, kind) not in CLUSTER_SCOPED
    if not project.group_kind_permitted(group, kind, namespaced):
        return f"{group or 'core'}/{kind} is not permitted in project"
    if namespaced:
        destination = application["spec"]["destination"]
        namespace = manifest.get("metadata", {}).get("namespace") or destination["namespace"]
        if not project.destination_permitted(namespace, destination.get("server", ""), destination.get("name", "")):
            return f"namespace {namespace} is not permitted in project"
    return None


def credential_template(templates: list[str], repo_url: str) -> str | None:
    """The credential template URL Argo CD uses for `repo_url` (util/db getRepositoryCredentialIndex): the
    longest template URL that is a prefix of the repository's, both normalized."""
    repo = normalize_git_url(repo_url)
    matching = [url for url in templates if repo.startswith(normalize_git_url(url))]
    return max(matching, key=lambda url: len(normalize_git_url(url)), default=None)
