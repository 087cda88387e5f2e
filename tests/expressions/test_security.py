"""Resource limits and the absence of any escape hatch to Python (cf. simpleeval)."""

from __future__ import annotations

import pytest

from workflows.expressions import ExpressionError, evaluate, parse
from workflows.expressions.lexer import MAX_EXPRESSION_LENGTH
from workflows.expressions.parser import MAX_NESTING


@pytest.mark.parametrize(
    "expression",
    [
        "@__import__('os')",
        "@eval('1')",
        "@getattr(json('{}'), 'keys')",
        "@json('{}').__class__",
        "@json('{}')['__class__']",
        "@string('x').upper",
    ],
)
def test_it_offers_no_way_into_python(expression: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(expression)


def test_it_limits_the_expression_length() -> None:
    too_long = "@concat('" + "x" * MAX_EXPRESSION_LENGTH + "')"
    with pytest.raises(ExpressionError, match="the limit is 8192"):
        parse(too_long)


def test_it_does_not_limit_plain_strings() -> None:
    text = "x" * (MAX_EXPRESSION_LENGTH * 2)
    assert evaluate(text) == text


def test_it_limits_nesting_depth() -> None:
    deep = "@" + "not(" * (MAX_NESTING + 1) + "true" + ")" * (MAX_NESTING + 1)
    with pytest.raises(ExpressionError, match="nested more than"):
        parse(deep)


def test_it_evaluates_nesting_up_to_the_limit() -> None:
    depth = MAX_NESTING - 1
    assert evaluate("@" + "not(" * depth + "true" + ")" * depth) is (depth % 2 == 0)


def test_it_limits_range_sizes() -> None:
    with pytest.raises(ExpressionError, match="between 0 and 100000"):
        evaluate("@range(0, 1000000000)")


def test_it_limits_concat_results() -> None:
    context = {"variables": {"big": "x" * 60_000_000}}
    with pytest.raises(ExpressionError, match="exceeds 104857600 characters"):
        evaluate("@concat(variables('big'), variables('big'))", context)


def test_it_turns_unexpected_function_failures_into_expression_errors() -> None:
    with pytest.raises(ExpressionError, match="could not be evaluated"):
        evaluate("@decodeXmlName('_xFFFFFFFF_')")


def test_it_reports_values_nested_too_deeply() -> None:
    value: object = "@add(1, 1)"
    for _ in range(5000):
        value = [value]
    with pytest.raises(ExpressionError, match="nested too deeply"):
        evaluate(value)
