"""Argument checks shared by the function families.

Messages follow Logic Apps' wording ("The template language function 'x' expects
its first parameter to be of type string. The provided value is of type 'Integer'.")
so that users searching for an error find the Microsoft explanation too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from workflows.expressions.errors import ExpressionError
from workflows.expressions.values import is_binary, is_number, type_name

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def _which(index: int | None) -> str:
    if index is None:
        return "its parameter"
    name = _ORDINALS[index] if index < len(_ORDINALS) else f"#{index + 1}"
    return f"its {name} parameter"


def fail(function: str, index: int | None, expected: str, value: Any) -> NoReturn:
    raise ExpressionError(
        f"The template language function '{function}' expects {_which(index)} to be "
        f"{expected}. The provided value is of type '{type_name(value)}'."
    )


def need_str(function: str, value: Any, index: int | None = None) -> str:
    if not isinstance(value, str):
        fail(function, index, "of type string", value)
    return value


def need_int(function: str, value: Any, index: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        fail(function, index, "of type integer", value)
    return value


def need_number(function: str, value: Any, index: int | None = None) -> int | float:
    if not is_number(value):
        fail(function, index, "an integer or a decimal number", value)
    return value  # type: ignore[no-any-return]


def need_bool(function: str, value: Any, index: int | None = None) -> bool:
    if not isinstance(value, bool):
        fail(function, index, "of type boolean", value)
    return value


def need_array(function: str, value: Any, index: int | None = None) -> list[Any]:
    if not isinstance(value, list):
        fail(function, index, "of type array", value)
    return value


def need_object(function: str, value: Any, index: int | None = None) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or is_binary(value):
        fail(function, index, "of type object", value)
    return value


def error(message: str) -> ExpressionError:
    return ExpressionError(message)
