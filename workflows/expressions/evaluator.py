"""Phase 3: compile an AST into nested Python closures, then run them.

Compiling once (per distinct expression, see `template.py`'s cache) and calling
closures avoids re-dispatching on node types at every evaluation; this is what
makes evaluation faster than Jinja2's compiled expressions (`bench/expressions.py`).
There is no `eval`: the only things an expression can do are call registered
functions and read properties of the values they return.

Errors: a function raises `ExpressionError` without a position; the call's
closure fills in the call's position, the function's signature and the source
text. Any other exception from a function is turned into an `ExpressionError` so
that bad input never surfaces as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from workflows.expressions.context import EvalContext
from workflows.expressions.errors import ExpressionError
from workflows.expressions.nodes import Access, Call, Literal, Node
from workflows.expressions.registry import Function, lookup
from workflows.expressions.values import type_name

Compiled = Callable[[EvalContext], Any]


def compile_node(node: Node, source: str) -> Compiled:
    if isinstance(node, Literal):
        return _constant(node.value)
    if isinstance(node, Call):
        return _compile_call(node, source)
    return _compile_access(node, source)


def _constant(value: Any) -> Compiled:
    def constant(ctx: EvalContext) -> Any:
        return value

    return constant


_GENERIC = "The template language expression cannot"


def quoted(message: str, source: str) -> str:
    """Logic Apps quotes the expression in its messages:
    "The template language expression '…' cannot be evaluated because …"."""
    if not message.startswith(_GENERIC):
        return message
    snippet = source if len(source) <= 200 else source[:197] + "..."
    return f"The template language expression '{snippet}' cannot" + message[len(_GENERIC) :]


def _annotate(exc: ExpressionError, node: Call, function: Function, source: str) -> None:
    exc.message = quoted(exc.message, source)
    if exc.position is None:
        exc.position = node.position
        exc.signature = exc.signature or function.signature
    if exc.expression is None:
        exc.expression = source
    exc.args = (str(exc),)  # keep repr()/pickling in step with the filled-in details


def _wrap_unexpected(
    exc: Exception, node: Call, function: Function, source: str
) -> ExpressionError:
    return ExpressionError(
        f"The function '{function.name}' could not be evaluated: {exc}",
        node.position,
        source,
        function.signature,
    )


def _compile_call(node: Call, source: str) -> Compiled:
    function = lookup(node.name)
    if function is None:  # the parser checked; guards against a registry change
        raise ExpressionError(f"The template function '{node.name}' is not defined", node.position)
    impl = function.impl
    args = tuple(compile_node(arg, source) for arg in node.args)
    with_context = function.context

    def call(ctx: EvalContext) -> Any:
        try:
            values = [arg(ctx) for arg in args]
            return impl(ctx, *values) if with_context else impl(*values)
        except ExpressionError as exc:
            _annotate(exc, node, function, source)
            raise
        except RecursionError:
            raise ExpressionError("The value is nested too deeply", node.position, source)
        except Exception as exc:
            raise _wrap_unexpected(exc, node, function, source) from exc

    return call


def _compile_access(node: Access, source: str) -> Compiled:
    target = compile_node(node.target, source)
    null_safe = node.null_safe
    if isinstance(node.key, Literal):
        key_value = node.key.value

        def access_constant(ctx: EvalContext) -> Any:
            return select(target(ctx), key_value, null_safe, node.position, source)

        return access_constant
    key = compile_node(node.key, source)

    def access(ctx: EvalContext) -> Any:
        return select(target(ctx), key(ctx), null_safe, node.position, source)

    return access


def select(value: Any, key: Any, null_safe: bool, position: int, source: str) -> Any:
    """`value[key]` with Logic Apps' rules; `null_safe` (`?`) turns misses into null."""
    if type(value) is dict and type(key) is str and key in value:  # the common case, fast
        return value[key]
    if isinstance(value, Mapping) and isinstance(key, str):
        if key in value:
            return value[key]
        if "/" in key:  # Power Automate's alias path: ['body/value'] = ['body']['value']
            found = _alias_path(value, key)
            if found is not _MISSING:
                return found
        if null_safe:
            return None
        available = ", ".join(f"'{k}'" for k in list(value)[:20])
        raise ExpressionError(
            quoted(
                f"The template language expression cannot be evaluated because property "
                f"'{key}' doesn't exist, available properties are {available or 'none'}",
                source,
            ),
            position,
            source,
        )
    if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
        if 0 <= key < len(value):
            return value[key]
        if null_safe:
            return None
        raise ExpressionError(
            quoted(
                f"The template language expression cannot be evaluated because array index "
                f"'{key}' is outside bounds (0, {len(value) - 1}) of array",
                source,
            ),
            position,
            source,
        )
    if value is None and null_safe:
        return None
    raise ExpressionError(
        quoted(
            f"The template language expression cannot be evaluated because property "
            f"'{key}' cannot be selected; property selection is not supported on values "
            f"of type '{type_name(value)}'",
            source,
        ),
        position,
        source,
    )


_MISSING = object()


def _alias_path(value: Mapping[str, Any], path: str) -> Any:
    """Resolve 'a/b/c' through nested objects when no property has that exact name."""
    current: Any = value
    for part in path.split("/"):
        if not isinstance(current, Mapping) or part not in current:
            return _MISSING
        current = current[part]
    return current
