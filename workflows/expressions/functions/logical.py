"""Logical comparison functions.

`and`/`or`/`not`/`if` want real booleans (no truthiness: `and(1, true)` is an
error, as in Logic Apps). Comparisons take two numbers or two strings and treat
null as "" (the function reference's implicit conversion rule). All arguments
are evaluated, left to right, before the function runs — `if` included.
"""

from __future__ import annotations

import re
from typing import Any

from workflows.expressions.functions._args import need_bool, need_str
from workflows.expressions.registry import function
from workflows.expressions.values import compare, values_equal


@function("if", "if(expression: boolean, valueIfTrue: any, valueIfFalse: any)", min_args=3)
def if_(condition: Any, when_true: Any, when_false: Any) -> Any:
    return when_true if need_bool("if", condition, 0) else when_false


@function("equals", "equals(object1: any, object2: any)", min_args=2)
def equals(left: Any, right: Any) -> bool:
    return values_equal(left, right)


@function("and", "and(expression1: boolean, expression2: boolean, ...)", min_args=2, max_args=None)
def and_(*values: Any) -> bool:
    return all([need_bool("and", value, i) for i, value in enumerate(values)])


@function("or", "or(expression1: boolean, expression2: boolean, ...)", min_args=2, max_args=None)
def or_(*values: Any) -> bool:
    return any([need_bool("or", value, i) for i, value in enumerate(values)])


@function("not", "not(expression: boolean)", min_args=1)
def not_(value: Any) -> bool:
    return not need_bool("not", value)


@function("less", "less(value: integer|float|string, compareTo: integer|float|string)", min_args=2)
def less(left: Any, right: Any) -> bool:
    return compare(left, right) < 0


@function(
    "lessOrEquals",
    "lessOrEquals(value: integer|float|string, compareTo: integer|float|string)",
    min_args=2,
)
def less_or_equals(left: Any, right: Any) -> bool:
    return compare(left, right) <= 0


@function(
    "greater", "greater(value: integer|float|string, compareTo: integer|float|string)", min_args=2
)
def greater(left: Any, right: Any) -> bool:
    return compare(left, right) > 0


@function(
    "greaterOrEquals",
    "greaterOrEquals(value: integer|float|string, compareTo: integer|float|string)",
    min_args=2,
)
def greater_or_equals(left: Any, right: Any) -> bool:
    return compare(left, right) >= 0


_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")
# Languages that write the decimal separator as ',' and group digits with '.' or a space.
_COMMA_DECIMAL = {
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "pt",
    "ru",
    "pl",
    "sv",
    "da",
    "nb",
    "fi",
    "tr",
    "cs",
}


@function("isInt", "isInt(value: string)", min_args=1)
def is_int(value: Any) -> bool:
    text = need_str("isInt", value)
    return bool(_INTEGER.fullmatch(text)) and -(2**31) <= int(text) < 2**31


def parse_culture_float(text: str, locale: str | None) -> float | None:
    """`text` as .NET `double.TryParse(Float | AllowThousands, culture)`; None if invalid."""
    language = (locale or "en-us").split("-")[0].lower()
    decimal, group = (",", ".") if language in _COMMA_DECIMAL else (".", ",")
    candidate = text.strip().replace("\u00a0", " ")
    if language in _COMMA_DECIMAL:
        candidate = candidate.replace(" ", group)
    number = re.compile(
        rf"[+-]?(?:[0-9]{{1,3}}(?:{re.escape(group)}[0-9]{{3}})+|[0-9]*)"
        rf"(?:{re.escape(decimal)}[0-9]+)?(?:[eE][+-]?[0-9]+)?"
    )
    if not candidate or not number.fullmatch(candidate) or not any(c.isdigit() for c in candidate):
        return None
    return float(candidate.replace(group, "").replace(decimal, "."))


@function("isFloat", "isFloat(value: string, locale?: string)", min_args=1, max_args=2)
def is_float(value: Any, locale: Any = None) -> bool:
    text = need_str("isFloat", value, 0)
    culture = None if locale is None else need_str("isFloat", locale, 1)
    return parse_culture_float(text, culture) is not None
