"""The If action's object-form conditions."""

from __future__ import annotations

import pytest

from workflows.engine.conditions import evaluate_condition
from workflows.engine.graph import DefinitionError


def same(value):
    return value


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"and": [{"greater": [3, 2]}, {"less": [1, 2]}]}, True),
        ({"and": [{"greater": [3, 2]}, {"less": [3, 2]}]}, False),
        ({"or": [{"equals": ["a", "b"]}, {"equals": ["a", "a"]}]}, True),
        ({"not": {"equals": [1, 1]}}, False),
        ({"greaterOrEquals": [2, 2]}, True),
        ({"lessOrEquals": [3, 2]}, False),
        ({"contains": ["hello world", "world"]}, True),
        ({"contains": [[1, 2], 3]}, False),
        ({"contains": [{"k": 1}, "k"]}, True),
        ({"startsWith": ["Hello", "he"]}, True),
        ({"endsWith": ["Hello", "LO"]}, True),
        (True, True),
        ("false", False),
    ],
)
def test_it_evaluates_object_form_conditions(condition, expected) -> None:
    assert evaluate_condition(condition, same) is expected


def test_it_refuses_unknown_operators_and_bad_operands() -> None:
    with pytest.raises(DefinitionError, match="unknown condition operator 'between'"):
        evaluate_condition({"between": [1, 2]}, same)
    with pytest.raises(DefinitionError, match="two operands"):
        evaluate_condition({"equals": [1]}, same)
    with pytest.raises(DefinitionError, match="cannot compare"):
        evaluate_condition({"greater": ["a", 1]}, same)
