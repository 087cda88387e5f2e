"""The function registry: every WDL function registered with its arity and signature.

Function modules in `workflows/expressions/functions/` register plain Python
callables with `@function(...)`. A function receives already-evaluated arguments
(Python values: None, bool, int, float, str, list, dict) and returns one. With
`context=True` it also receives the evaluation context as its first argument (an
object with at least `.now`, an aware UTC `datetime`, plus whatever the workflow
functions need). Names are matched case-insensitively, as in Logic Apps.

Functions report bad arguments by raising `ExpressionError` without a position;
the evaluator adds the position of the call and the signature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workflows.expressions.errors import ExpressionError


@dataclass(frozen=True)
class Function:
    name: str
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None  # None = variadic
    signature: str
    context: bool = False

    def check_arity(self, count: int) -> None:
        if count < self.min_args or (self.max_args is not None and count > self.max_args):
            expected = (
                f"at least {self.min_args}"
                if self.max_args is None
                else str(self.min_args)
                if self.min_args == self.max_args
                else f"{self.min_args} to {self.max_args}"
            )
            raise ExpressionError(
                f"The function '{self.name}' expects {expected} argument(s) but got {count}",
                signature=self.signature,
            )


FUNCTIONS: dict[str, Function] = {}


def function(
    name: str,
    signature: str,
    *,
    min_args: int,
    max_args: int | None = -1,
    context: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a WDL function. `max_args=-1` (the default) means "same as min_args"."""

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        upper = min_args if max_args == -1 else max_args
        FUNCTIONS[name.lower()] = Function(name, impl, min_args, upper, signature, context)
        return impl

    return register


def lookup(name: str) -> Function | None:
    return FUNCTIONS.get(name.lower())
