"""The public API of `workflows.expressions`: evaluate, parse, is_template,
find_references, the context object and error details."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from workflows.expressions import (
    EvalContext,
    ExpressionError,
    evaluate,
    find_references,
    is_template,
    parse,
)


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


def test_it_caches_compiled_templates() -> None:
    assert parse("@add(1, 2)") is parse("@add(1, 2)")
    assert parse("@add(1, 2)").kind == "expression"
    assert parse("a @{1} b").kind == "interpolation"
    assert parse("plain").kind == "literal"


def test_it_evaluates_a_parsed_template_against_a_plain_dict() -> None:
    assert parse("@variables('x')").evaluate({"variables": {"x": [1]}}) == [1]


def test_it_detects_templates_exactly_as_logic_apps_does() -> None:
    assert is_template("@x")
    assert is_template("a@{b}")
    assert not is_template(" @x")
    assert not is_template("user@example.com")
    assert not is_template("")


def test_it_finds_action_references() -> None:
    value = {
        "a": "@body('Get_order')?['id']",
        "b": ["x @{outputs('Http')} y", "@actions('Scope_1').status"],
        "c": "@concat(result('Try'), actionBody('A2'), body(variables('dynamic')))",
        "d": "text that mentions body('Not_an_expression')",
    }
    assert find_references(value) == {"Get_order", "Http", "Scope_1", "Try", "A2"}


def test_it_reports_position_expression_and_signature() -> None:
    with pytest.raises(ExpressionError) as raised:
        evaluate("Total: @{substring('abc', 5)}")
    error = raised.value
    assert error.position == 9
    assert error.expression == "Total: @{substring('abc', 5)}"
    assert error.signature == "substring(text: string, startIndex: integer, length?: integer)"
    assert "at position 9" in str(error)


def test_it_reports_the_position_of_a_syntax_error() -> None:
    with pytest.raises(ExpressionError) as raised:
        parse("@concat('a', ]")
    assert raised.value.position == 13


def test_it_uses_the_fixed_now() -> None:
    ctx = EvalContext({"now": "2018-04-15T13:00:00.1234567Z"})
    assert ctx.now == dt.datetime(2018, 4, 15, 13, 0, 0, 123456, tzinfo=dt.UTC)
    aware = dt.datetime(2020, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert EvalContext({"now": aware}).now == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def test_it_defaults_now_to_the_current_time_once_per_context() -> None:
    ctx = EvalContext({})
    assert ctx.now is ctx.now
    assert abs(ctx.now - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_it_rejects_a_bad_now() -> None:
    with pytest.raises(ExpressionError, match="not an ISO-8601 time"):
        evaluate("@utcNow()", {"now": "yesterday"})


def test_it_rejects_a_context_that_is_not_a_mapping() -> None:
    with pytest.raises(ExpressionError, match="must be a dict"):
        evaluate("@add(1, 1)", [1, 2])  # type: ignore[arg-type]


class LazyActions(Mapping[str, Any]):
    """An actions mapping that loads records on demand and refuses to be listed."""

    def __init__(self) -> None:
        self.loaded: list[str] = []

    def __getitem__(self, name: str) -> Any:
        if name != "Get":
            raise KeyError(name)
        self.loaded.append(name)
        return {"outputs": {"body": {"id": 1}}}

    def __contains__(self, name: object) -> bool:
        return name == "Get"

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("the whole actions mapping must never be iterated")

    def __len__(self) -> int:
        raise AssertionError("the whole actions mapping must never be sized")


def test_it_reads_a_lazy_actions_mapping_by_name_only() -> None:
    actions = LazyActions()
    assert evaluate("@body('Get').id", {"actions": actions}) == 1
    assert actions.loaded == ["Get"]
    with pytest.raises(ExpressionError, match="'Other' doesn't exist"):
        evaluate("@body('Other')", {"actions": actions})


def test_it_returns_the_innermost_loop_item() -> None:
    items = {"Outer": {"level": 1}, "Inner": {"level": 2}}
    assert evaluate("@item().level", {"items": items}) == 2
    assert evaluate("@items('Outer').level", {"items": items}) == 1


def test_it_does_not_mutate_its_inputs() -> None:
    original = {"a": 1}
    context = {"variables": {"obj": original}}
    assert evaluate("@setProperty(variables('obj'), 'a', 2)", context) == {"a": 2}
    assert evaluate("@removeProperty(variables('obj'), 'a')", context) == {}
    assert original == {"a": 1}
