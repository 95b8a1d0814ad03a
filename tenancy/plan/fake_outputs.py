"""What a provider would compute for a created resource, faked: the one table the offline plan's engine
(tenancy.plan.engine) and the benchmark's monitor (bench/language_host.py) both answer from.

A provider returns the resource's inputs plus a few values it computes (an id, an access key's
secret, a password's result, an ARN); the program reads some of them. Both stand-ins take those
from `created`, so the plan and the measured program see the same values. Pure and cheap: the
benchmark calls it once per registration inside its clock.
"""

from __future__ import annotations

import zlib
from typing import Any, Callable, Container


def _key_digits(name: str) -> str:
    # crc32, not hash(): the same program must give the same fakes in every process.
    return f"{zlib.crc32(name.encode()) % 10**12:012d}"


# Type token -> the outputs its provider computes, from the resource's logical name ("id": its id).
COMPUTED: dict[str, Callable[[str], dict[str, Any]]] = {
    "aws:iam/accessKey:AccessKey": lambda name: {"id": f"AKIAMOCK{_key_digits(name)}", "secret": f"mock-secret-{name}"},
    "minio:index/iamServiceAccount:IamServiceAccount": lambda name: {
        "accessKey": f"MOCK{_key_digits(name)}",
        "secretKey": f"mock-secret-{name}",
    },
    "random:index/randomPassword:RandomPassword": lambda name: {"result": f"mock-password-{name}"},
    "github:index/repositoryWebhook:RepositoryWebhook": lambda name: {
        "url": f"https://api.github.com/repos/mock/{name}/hooks/1"
    },
}


def created(type_: str, name: str, inputs: Container[str]) -> tuple[str, dict[str, Any]]:
    """The id a provider gives resource `name` of `type_` at create, and the outputs it computes
    beyond the inputs (`inputs` holds the names of those given: a dict, or a protobuf Struct)."""
    compute = COMPUTED.get(type_)
    if compute is not None:
        outputs = compute(name)
        return outputs.pop("id", f"{name}-id"), outputs
    if type_.startswith("aws:") and "arn" not in inputs:
        # The other AWS resources the program makes (buckets, users, ...): an ARN, which it reads.
        return f"{name}-id", {"arn": f"arn:aws:mock:::{name}"}
    return f"{name}-id", {}
