"""`find_references()`: the action names a value's expressions read."""

from __future__ import annotations

import pytest

from workflows.expressions import ExpressionError, find_references


def test_it_finds_action_references_in_nested_values() -> None:
    value = {
        "a": "@body('Get_order')?['id']",
        "b": ["x @{outputs('Http')} y", "@actions('Scope_1').status"],
        "c": "@concat(result('Try'), actionBody('A2'), actionOutputs('A3'))",
    }
    assert find_references(value) == {"Get_order", "Http", "Scope_1", "Try", "A2", "A3"}


def test_it_ignores_text_that_is_not_an_expression() -> None:
    assert find_references("text mentioning body('Not_this') and @{'body(''Nor_this'')'}") == set()


def test_it_ignores_computed_names() -> None:
    assert find_references("@body(variables('dynamic'))") == set()


def test_it_finds_form_data_references() -> None:
    value = "@{formDataValue('Mail', 'k')}@{multipartBody('Upload', 0)}"
    assert find_references(value) == {"Mail", "Upload"}


def test_it_raises_for_a_broken_expression() -> None:
    with pytest.raises(ExpressionError):
        find_references({"x": "@body('A'"})
