"""The WDL expression language.

Public API:

* `evaluate(value, context=None)` — evaluate a JSON value as it appears in a
  definition: strings as templates (`"@add(1,2)"`, `"Hi @{parameters('n')}"`,
  `"@@literal"`), dicts and lists recursively, anything else unchanged.
* `parse(text)` — the cached compiled `Template` for one string value.
* `is_template(text)` — whether a string value holds an expression at all.
* `find_references(value)` — action names that body()/outputs()/actions()/result() read.
* `ExpressionError` — the only error any of these raise for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflows.expressions import functions as _functions  # noqa: F401  (registers them)
from workflows.expressions.context import EvalContext, as_context
from workflows.expressions.errors import ExpressionError
from workflows.expressions.references import find_references
from workflows.expressions.template import Template, evaluate_value, is_template, parse


def evaluate(value: Any, context: Mapping[str, Any] | EvalContext | None = None) -> Any:
    """Evaluate `value` (any JSON value) against `context` (see `context.py`)."""
    try:
        return evaluate_value(value, as_context(context))
    except RecursionError:
        raise ExpressionError("The value is nested too deeply to evaluate") from None


__all__ = [
    "EvalContext",
    "ExpressionError",
    "Template",
    "evaluate",
    "find_references",
    "is_template",
    "parse",
]
