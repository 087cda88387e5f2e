"""The WDL expression language. Public API: `evaluate(value, context=None)`."""

from workflows.expressions.errors import ExpressionError

__all__ = ["ExpressionError"]
