"""The AST of one expression: literals, function calls and property/index access.

Every node records `position`, the 0-based offset in the original string value.
Templates (the string-level layer: `@expr`, `text @{expr} text`, `@@`) are in
`template.py`; these nodes only describe what sits after an `@` or inside `@{}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Literal:
    """A string, integer, float, `true`, `false` or `null`."""

    value: Any
    position: int


@dataclass(frozen=True, slots=True)
class Call:
    """`name(arg, …)`; `name` is spelled as written (lookup is case-insensitive)."""

    name: str
    args: tuple[Node, ...]
    position: int


@dataclass(frozen=True, slots=True)
class Access:
    """`target.key`, `target[key]`; `null_safe` when written with `?` (`target?.key`)."""

    target: Node
    key: Node
    null_safe: bool
    position: int


Node = Literal | Call | Access


def walk(node: Node):  # type: ignore[no-untyped-def]
    """Yield `node` and all its descendants, parents first."""
    yield node
    if isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg)
    elif isinstance(node, Access):
        yield from walk(node.target)
        yield from walk(node.key)
