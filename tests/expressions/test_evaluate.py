"""`evaluate()`, `parse()` and `is_template()`: the template layer and error details."""

from __future__ import annotations

import pytest

from workflows.expressions import ExpressionError, evaluate, is_template, parse


def test_it_evaluates_dicts_and_lists_recursively() -> None:
    inputs = {
        "uri": "https://example.com/@{parameters('path')}",
        "retries": "@parameters('retries')",
        "headers": {"x-list": ["@add(1, 1)", "plain", 3, None, True]},
    }
    context = {"parameters": {"path": "orders", "retries": 4}}
    assert evaluate(inputs, context) == {
        "uri": "https://example.com/orders",
        "retries": 4,
        "headers": {"x-list": [2, "plain", 3, None, True]},
    }


def test_it_leaves_keys_and_non_strings_alone() -> None:
    assert evaluate({"@odata.type": 1.5}) == {"@odata.type": 1.5}
    assert evaluate(None) is None
    assert evaluate(False) is False


def test_it_caches_compiled_templates() -> None:
    assert parse("@add(1, 2)") is parse("@add(1, 2)")


def test_it_tells_the_kind_of_template() -> None:
    assert parse("@add(1, 2)").kind == "expression"
    assert parse("a @{1} b").kind == "interpolation"
    assert parse("plain").kind == "literal"
    assert parse("@@x").kind == "literal"


def test_it_keeps_literal_text_and_asts_in_order() -> None:
    parts = parse("a @{1} b").parts
    assert parts[0] == "a "
    assert parts[2] == " b"
    assert len(parse("a @{1} b").nodes) == 1


def test_it_evaluates_a_parsed_template_against_a_plain_dict() -> None:
    assert parse("@variables('x')").evaluate({"variables": {"x": [1]}}) == [1]


def test_it_detects_templates_exactly_as_logic_apps_does() -> None:
    assert is_template("@x")
    assert is_template("a@{b}")
    assert not is_template(" @x")
    assert not is_template("user@example.com")
    assert not is_template("")


def test_it_reports_position_expression_and_signature() -> None:
    with pytest.raises(ExpressionError) as raised:
        evaluate("Total: @{substring('abc', 5)}")
    error = raised.value
    assert error.position == 9
    assert error.expression == "Total: @{substring('abc', 5)}"
    assert error.signature == "substring(text: string, startIndex: integer, length?: integer)"
    assert "at position 9" in str(error)
    assert error.args == (str(error),)


def test_it_reports_the_position_of_a_syntax_error() -> None:
    with pytest.raises(ExpressionError) as raised:
        parse("@concat('a', ]")
    assert raised.value.position == 13


def test_it_quotes_the_expression_in_lookup_errors() -> None:
    with pytest.raises(ExpressionError) as raised:
        evaluate("@triggerBody()['x']", {"trigger": {"outputs": {"body": {"a": 1}}}})
    assert str(raised.value).startswith(
        "The template language expression '@triggerBody()['x']' cannot be evaluated because "
        "property 'x' doesn't exist, available properties are 'a'"
    )


def test_it_does_not_mutate_its_inputs() -> None:
    original = {"a": 1}
    context = {"variables": {"obj": original}}
    assert evaluate("@setProperty(variables('obj'), 'a', 2)", context) == {"a": 2}
    assert evaluate("@removeProperty(variables('obj'), 'a')", context) == {}
    assert original == {"a": 1}


def test_it_never_returns_infinity() -> None:
    with pytest.raises(ExpressionError, match="outside the range of a number"):
        evaluate("@mul(1e308, 10.0)")


def test_it_rejects_parsing_a_non_string() -> None:
    with pytest.raises(ExpressionError, match="Expected a string value but got list"):
        parse(["@add(1, 2)"])  # type: ignore[arg-type]
