"""`Input[T]`: a builder's argument that may wait on another resource, a plain value or its Output.

Pulumi's own `pulumi.Input` spelt without the SDK, since this layer never imports Pulumi
(tests/test_layers.py): a builder only places such a value in the manifest it returns, never reads it,
so the object registered from that manifest waits for the resource the Output came from.
"""

from __future__ import annotations

from typing import Any, TypeVar, Union

T = TypeVar("T")

# pulumi.Input is Union[T, Awaitable[T], Output[T]]; an Output is all this layer cannot name.
Input = Union[T, Any]
