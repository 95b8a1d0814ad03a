"""Pydantic pieces the tenant file and the stack settings share: one way to refuse a value, a format check as a validator."""

from __future__ import annotations

from typing import Callable

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError


def invalid(reason: str, kind: str = "tenant_format") -> PydanticCustomError:
    """The error whose message is `reason`, word for word.

    The reason goes in as context, not as the template: a value quoted in it (a key prefix `{x}`)
    would otherwise be read as a placeholder.
    """
    return PydanticCustomError(kind, "{reason}", {"reason": reason})


def checked(check: Callable[[str], str | None], kind: str = "tenant_format") -> AfterValidator:
    """A validator from a `formats` check, which returns None when the value is fine or says what is wrong."""

    def validate(value: str) -> str:
        problem = check(value)
        if problem:
            raise invalid(problem, kind)
        return value

    return AfterValidator(validate)


def list_to_tuple(value):
    """YAML and stack config give lists; the frozen, strict models hold tuples."""
    return tuple(value) if isinstance(value, list) else value
