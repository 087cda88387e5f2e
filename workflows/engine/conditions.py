"""The `If` action's condition: a string expression (`"@equals(1, 1)"`) or the
designer's object form (`{"and": [{"greater": ["@variables('x')", 0]}]}`).

The object form is a tiny boolean language of its own (and/or/not over
comparisons); operands are ordinary values evaluated by the expression language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workflows.engine.graph import DefinitionError

Evaluate = Callable[[Any], Any]


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return str(item) in container
    if isinstance(container, dict):
        return item in container
    if isinstance(container, list):
        return item in container
    return False


def _order(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(left: Any, right: Any) -> bool:
        try:
            return op(left, right)
        except TypeError:
            raise DefinitionError(f"cannot compare {left!r} with {right!r}") from None

    return compare


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda a, b: a == b,
    "greater": _order(lambda a, b: a > b),
    "greaterorequals": _order(lambda a, b: a >= b),
    "less": _order(lambda a, b: a < b),
    "lessorequals": _order(lambda a, b: a <= b),
    "contains": _contains,
    "startswith": lambda a, b: isinstance(a, str) and a.lower().startswith(str(b).lower()),
    "endswith": lambda a, b: isinstance(a, str) and a.lower().endswith(str(b).lower()),
}


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def evaluate_condition(condition: Any, evaluate: Evaluate) -> bool:
    """True or False; raises `DefinitionError` for an unknown operator."""
    if isinstance(condition, dict):
        return _evaluate_object(condition, evaluate)
    if isinstance(condition, list):
        return all(evaluate_condition(item, evaluate) for item in condition)
    return truthy(evaluate(condition))


def _evaluate_object(condition: dict[str, Any], evaluate: Evaluate) -> bool:
    if len(condition) != 1:
        raise DefinitionError("a condition object must have exactly one operator")
    operator, operand = next(iter(condition.items()))
    key = operator.lower()
    if key == "and":
        return all(evaluate_condition(item, evaluate) for item in operand)
    if key == "or":
        return any(evaluate_condition(item, evaluate) for item in operand)
    if key == "not":
        return not evaluate_condition(operand, evaluate)
    if key not in COMPARISONS:
        raise DefinitionError(f"unknown condition operator '{operator}'")
    if not isinstance(operand, list) or len(operand) != 2:
        raise DefinitionError(f"'{operator}' takes a list of two operands")
    return COMPARISONS[key](evaluate(operand[0]), evaluate(operand[1]))
