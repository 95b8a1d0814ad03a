"""Checks for the formats tenant files and stack settings use: each returns None when fine or a message saying what is wrong."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from tenancy.model import limits
from tenancy.model.text import shown

# Patterns are public so the tenant file's JSON Schema can offer them to editors.
DNS_LABEL_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS_SUBDOMAIN_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
LABEL_VALUE_PATTERN = r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
S3_BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$"
AWS_REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$"
# Characters AWS lists as safe in object keys; anything else (notably '{' and '}', which Argo
# would read as a template) is refused in key prefixes.
KEY_PREFIX_PATTERN = r"^[A-Za-z0-9!_.*'()/-]*$"
GITHUB_REPO_URL_PATTERN = (
    r"^https://github\.com/(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})/(?P<repo>[A-Za-z0-9._-]{1,100})\.git$"
)

GITHUB_OWNER_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$"


def _whole(pattern: str) -> re.Pattern:
    r"""A pattern to check with `fullmatch`, against ASCII only.

    The public patterns keep `^...$` for JSON Schema, where `$` is the end of the value; in Python
    `$` also matches before a final newline (so "alpha\n" passed), and `\d` is any Unicode digit.
    """
    return re.compile(pattern, re.ASCII)


_DNS_LABEL = _whole(DNS_LABEL_PATTERN)
_GITHUB_OWNER = _whole(GITHUB_OWNER_PATTERN)
_DNS_SUBDOMAIN = _whole(DNS_SUBDOMAIN_PATTERN)
_LABEL_VALUE = _whole(LABEL_VALUE_PATTERN)
_S3_BUCKET = _whole(S3_BUCKET_PATTERN)
_EMAIL = _whole(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_AWS_REGION = _whole(AWS_REGION_PATTERN)
_PATH_SEGMENT = _whole(r"^[A-Za-z0-9_.-]+$")
_KEY_PREFIX = _whole(KEY_PREFIX_PATTERN)
_GITHUB_REPO_URL = _whole(GITHUB_REPO_URL_PATTERN)
_S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_S3_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def dns_label_problem(value: str, what: str = "name", max_length: int = 63) -> str | None:
    if not _DNS_LABEL.fullmatch(value) or len(value) > max_length:
        return (
            f"{shown(value)} is not a valid {what}: use at most {max_length} lowercase letters, "
            "digits and '-', starting and ending with a letter or digit"
        )
    return None


def dns_subdomain_problem(value: str, what: str = "Kubernetes name") -> str | None:
    if not _DNS_SUBDOMAIN.fullmatch(value) or len(value) > 253:
        return f"{shown(value)} is not a valid {what}: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
    return None


def label_value_problem(value: str, what: str) -> str | None:
    if not _LABEL_VALUE.fullmatch(value) or len(value) > 63:
        return (
            f"{shown(value)} is not a valid {what}: use at most 63 letters, digits, '-', '_' and '.', "
            "starting and ending with a letter or digit (it becomes a Kubernetes label)"
        )
    return None


def s3_bucket_problem(name: str) -> str | None:
    """The S3 general purpose bucket naming rules."""
    if not 3 <= len(name) <= 63:
        return f"{shown(name)} is not a valid S3 bucket name: it must be 3 to 63 characters long (it is {len(name)})"
    if not _S3_BUCKET.fullmatch(name):
        return (
            f"{shown(name)} is not a valid S3 bucket name (lowercase letters, digits, '.', '-'; "
            "starting and ending with a letter or digit)"
        )
    if ".." in name or ".-" in name or "-." in name:
        return f"{shown(name)} is not a valid S3 bucket name: no '..', '.-' or '-.'"
    if _is_ip_address(name):
        return f"{shown(name)} is not a valid S3 bucket name: it must not look like an IP address"
    for prefix in _S3_RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"{shown(name)} is not a valid S3 bucket name: the prefix '{prefix}' is reserved by AWS"
    for suffix in _S3_RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"{shown(name)} is not a valid S3 bucket name: the suffix '{suffix}' is reserved by AWS"
    return None


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
        return True
    except ValueError:
        return False


def email_problem(value: str) -> str | None:
    if not _EMAIL.fullmatch(value) or len(value) > 254:
        return f"{shown(value)} is not an email address"
    if value != value.lower():
        # Argo's rbac-rule compares the sign-in service's `email` claim exactly, and the platform's sign-in
        # reports addresses in lower case (docs/operations.md, the Argo UI): a capital would match nobody.
        return f"{shown(value)} has capital letters; write it as the sign-in service reports it, '{value.lower()}'"
    return None


def aws_region_problem(value: str) -> str | None:
    if not _AWS_REGION.fullmatch(value):
        return f"{shown(value)} is not an AWS region name (like us-west-2)"
    if value not in limits.AWS_REGIONS:
        return (
            f"{shown(value)} is not an AWS region; if AWS has opened it since, add it to AWS_REGIONS in "
            "tenancy/model/limits.py"
        )
    return None


def branch_problem(value: str) -> str | None:
    """Git's ref-name rules (git check-ref-format --branch)."""
    reason = None
    if not value:
        reason = "it is empty"
    elif value.startswith("-"):
        reason = "it starts with '-'"
    elif value.startswith("/") or value.endswith("/") or "//" in value:
        reason = "it has an empty path component ('/' at the start or end, or '//')"
    elif ".." in value:
        reason = "it contains '..'"
    elif "@{" in value or value == "@":
        reason = "it contains '@{' or is '@'"
    elif value.endswith(".") or value.endswith(".lock"):
        reason = "it ends with '.' or '.lock'"
    elif any(part.startswith(".") for part in value.split("/")):
        reason = "a component starts with '.'"
    elif any(ord(ch) < 0x20 or ch == "\x7f" or ch in " ~^:?*[\\" for ch in value):
        reason = "it contains a space, a control character or one of ~ ^ : ? * [ \\"
    elif value.startswith("refs/"):
        reason = "give the branch name without 'refs/heads/'"
    elif "{{" in value or "}}" in value:
        # Git allows them, but the branch becomes a WorkflowTemplate parameter, where Argo reads them as a tag.
        reason = "it contains '{{' or '}}', which Argo Workflows reads as a template tag"
    return f"{shown(value)} is not a valid git branch name: {reason}" if reason else None


def relative_path_problem(value: str, what: str) -> str | None:
    """A '/'-separated path without '..', '.', empty or absolute parts."""
    if value.startswith("/"):
        return f"{shown(value)} is not a valid {what}: it must be relative (no leading '/')"
    parts = value.rstrip("/").split("/")
    for part in parts:
        if part in ("", ".", ".."):
            return f"{shown(value)} is not a valid {what}: no empty, '.' or '..' path components"
        if not _PATH_SEGMENT.fullmatch(part):
            return f"{shown(value)} is not a valid {what}: use letters, digits, '_', '.', '-' and '/'"
    return None


def key_prefix_problem(value: str) -> str | None:
    if value.startswith("/"):
        return f"{shown(value)} is not a valid key prefix: it must be relative (no leading '/')"
    if not value or not _KEY_PREFIX.fullmatch(value):
        return f"{shown(value)} is not a valid key prefix: use letters, digits and ! _ . * ' ( ) / -"
    if any(part in ("", ".", "..") for part in value.rstrip("/").split("/")):
        return f"{shown(value)} is not a valid key prefix: no empty, '.' or '..' path components"
    return None


def github_owner_problem(value: str) -> str | None:
    """A GitHub user or organization name: letters, digits and single inner '-', at most 39 characters."""
    if _GITHUB_OWNER.fullmatch(value):
        return None
    return f"{shown(value)} is not a GitHub user or organization name"


# A CODEOWNERS owner as GitHub writes it: `@login`, or `@org/team-slug` (team slugs: lower-case letters,
# digits, '-' and '_'; docs.github.com, "About code owners").
_CODE_OWNER = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[a-z0-9_][a-z0-9_-]{0,99})?", re.ASCII)


def code_owner_problem(value: str) -> str | None:
    """A GitHub user (`@login`) or team (`@org/team`), as CODEOWNERS names them."""
    if _CODE_OWNER.fullmatch(value):
        return None
    return f"{shown(value)} is not a GitHub user (@login) or team (@org/team)"


def github_repo_url_parts(value: str) -> tuple[str, str] | None:
    """(owner, repo) of `https://github.com/<owner>/<repo>.git`, or None when the URL is not one."""
    match = _GITHUB_REPO_URL.fullmatch(value)
    if not match or match["repo"] in (".", "..") or _ends_in_git(match["repo"]):
        return None
    return match["owner"], match["repo"]


def _ends_in_git(repo: str) -> bool:
    """GitHub serves `<repo>.git` as `<repo>` and keeps no repository name ending in `.git` (it drops the
    suffix when one is created so), so `…/repo.git.git` would be a second spelling of `…/repo.git`: one
    repository, one spelling, and the clash check across files compares spellings."""
    return repo.lower().endswith(".git")


_GITHUB_HOSTS = ("github.com", "www.github.com")
# GitHub's SSH clone address, `git@github.com:<owner>/<repo>.git`: scp syntax, which urlsplit cannot read.
_GITHUB_SCP = re.compile(r"git@github\.com:(?P<path>[^:]+)", re.ASCII | re.IGNORECASE)


def github_clone_url(value: str) -> str | None:
    """`https://github.com/<owner>/<repo>.git` for any address of that repository people copy: the
    browser's (with or without a trailing '/' or a `?tab=...`), the clone URL with or without `.git`,
    the SSH one (`git@github.com:owner/repo.git`, `ssh://git@github.com/owner/repo`). None when it
    names no repository (another host, an owner alone, a page inside the repository)."""
    text = value.strip()
    scp = _GITHUB_SCP.fullmatch(text)
    if scp:
        path = scp["path"]
    else:
        parts = urlsplit(text)
        if parts.scheme not in ("https", "http", "ssh") or (parts.hostname or "") not in _GITHUB_HOSTS:
            return None
        if parts.port is not None or parts.password or parts.username not in (None, "git"):
            return None
        if parts.scheme == "ssh" and (parts.query or parts.fragment):
            return None
        path = parts.path
    segments = path.strip("/").split("/")
    if len(segments) != 2:
        return None
    owner, repo = segments
    while _ends_in_git(repo):
        repo = repo[: -len(".git")]
    candidate = f"https://github.com/{owner}/{repo}.git"
    return candidate if github_repo_url_parts(candidate) else None


def http_url_problem(value: str, what: str, https_only: bool = False) -> str | None:
    parts = urlsplit(value)
    schemes = ("https",) if https_only else ("http", "https")
    if parts.scheme not in schemes or not parts.hostname:
        allowed = " or ".join(f"{scheme}://" for scheme in schemes)
        return f"{shown(value)} is not a valid {what}: it must be an absolute URL starting with {allowed}"
    if parts.query or parts.fragment or parts.username or parts.password:
        return f"{shown(value)} is not a valid {what}: no credentials, query or fragment"
    return None


def cidr_problem(value: str) -> str | None:
    """An IPv4 or IPv6 network in CIDR notation, as a NetworkPolicy's ipBlock.cidr takes it."""
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        return f"{shown(value)} is not a network in CIDR notation (e.g. 10.0.0.0/8), with no host bits set"
    return None if "/" in value else f"{shown(value)} needs its prefix length (e.g. {value}/32)"


NEXTFLOW_PROFILE_PATTERN = r"^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$"
_NEXTFLOW_PROFILE = re.compile(NEXTFLOW_PROFILE_PATTERN, re.ASCII)


def nextflow_profile_problem(value: str) -> str | None:
    """One or more profile names, comma-separated, as `nextflow run -profile` takes them."""
    if not _NEXTFLOW_PROFILE.fullmatch(value):
        return f"{shown(value)} is not a Nextflow profile list: names of letters, digits, '_' and '-', separated by ','"
    return None
