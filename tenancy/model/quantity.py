"""Kubernetes resource quantities (CPU and memory) as the tenant file and the stack settings write them, compared by value.

Only the forms this project accepts: CPU as cores or millicores ("2", "0.5", "500m"); memory as bytes with
a binary or decimal suffix ("512Mi", "8Gi", "1G"). Kubernetes reads more (exponents, "u", "n"); a value
here is always one it reads the same way (k8s.io/apimachinery/pkg/api/resource, quantity.go).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from tenancy.model.validators import checked

_CPU = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]{1,3})?)(?P<suffix>m?)", re.ASCII)
_MEMORY = re.compile(r"(?P<number>[0-9]+)(?P<suffix>Ki|Mi|Gi|Ti|k|M|G|T)?", re.ASCII)
_MEMORY_FACTORS = {
    None: 1,
    "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
}
CPU_PATTERN = _CPU.pattern.replace("?P<number>", "").replace("?P<suffix>", "")
MEMORY_PATTERN = _MEMORY.pattern.replace("?P<number>", "").replace("?P<suffix>", "")


def cpu_millicores(value: str) -> Decimal | None:
    """"2" -> 2000, "500m" -> 500; None when `value` is not a CPU quantity of the accepted forms."""
    match = _CPU.fullmatch(value)
    if match is None:
        return None
    number = Decimal(match["number"])
    return number if match["suffix"] else number * 1000


def memory_bytes(value: str) -> int | None:
    """"8Gi" -> 8589934592; None when `value` is not a memory quantity of the accepted forms."""
    match = _MEMORY.fullmatch(value)
    if match is None:
        return None
    return int(match["number"]) * _MEMORY_FACTORS[match["suffix"]]


def cpu_problem(value: str) -> str | None:
    millicores = cpu_millicores(value)
    if millicores is None:
        return f"'{value}' is not a CPU quantity: write cores ('2', '0.5') or millicores ('500m')"
    return "must be more than 0" if millicores == 0 else None


def memory_problem(value: str) -> str | None:
    amount = memory_bytes(value)
    if amount is None:
        return f"'{value}' is not a memory quantity: write a whole number with Ki, Mi, Gi, Ti (or k, M, G, T), e.g. '8Gi'"
    return "must be more than 0" if amount == 0 else None


Cpu = Annotated[str, checked(cpu_problem), Field(json_schema_extra={"pattern": f"^{CPU_PATTERN}$"})]
Memory = Annotated[str, checked(memory_problem), Field(json_schema_extra={"pattern": f"^{MEMORY_PATTERN}$"})]


def exceeding(asked, limit) -> list[str]:
    """Which of `asked`'s cpu and memory are more than `limit`'s (any two objects with those quantities)."""
    over = []
    if cpu_millicores(asked.cpu) > cpu_millicores(limit.cpu):
        over.append("cpu")
    if memory_bytes(asked.memory) > memory_bytes(limit.memory):
        over.append("memory")
    return over
