"""Math functions.

Integer arithmetic stays integer (`div(7, 2)` is 3, truncating toward zero like
.NET); one float operand makes the result a float. Division by zero is an error,
never Infinity. Booleans are not numbers.
"""

from __future__ import annotations

import math as pymath
import operator
import random
from typing import Any

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions._args import need_int, need_number
from workflows.expressions.registry import function
from workflows.expressions.values import DecimalNumber, as_decimal

MAX_RANGE_COUNT = 100_000
MAX_INT32 = 2_147_483_647


def _numbers(name: str, values: tuple[Any, ...]) -> list[int | float]:
    items = values[0] if len(values) == 1 and isinstance(values[0], list) else list(values)
    if not items:
        raise ExpressionError(f"The function '{name}' needs at least one number")
    return [need_number(name, item, i) for i, item in enumerate(items)]


@function("min", "min(value_1: array|number, ...)", min_args=1, max_args=None)
def min_(*values: Any) -> int | float:
    return min(_numbers("min", values))


@function("max", "max(value_1: array|number, ...)", min_args=1, max_args=None)
def max_(*values: Any) -> int | float:
    return max(_numbers("max", values))


@function("rand", "rand(minValue: integer, maxValue: integer)", min_args=2)
def rand(low: Any, high: Any) -> int:
    start, stop = need_int("rand", low, 0), need_int("rand", high, 1)
    if start >= stop:
        raise ExpressionError(f"The 'minValue' ({start}) must be less than 'maxValue' ({stop})")
    return random.randrange(start, stop)


def _operands(name: str, left: Any, right: Any) -> tuple[int | float, int | float]:
    return need_number(name, left, 0), need_number(name, right, 1)


def _exact(a: int | float, b: int | float) -> bool:
    return isinstance(a, DecimalNumber) or isinstance(b, DecimalNumber)


def _decimal_op(name: str, a: int | float, b: int | float, op: Any) -> DecimalNumber:
    try:
        return DecimalNumber(op(as_decimal(a), as_decimal(b)))
    except ArithmeticError as exc:
        raise ExpressionError(f"The result of '{name}' is not a valid number: {exc}") from None


def _finite(name: str, value: int | float) -> int | float:
    """Overflowing float arithmetic is an error, never Infinity/NaN (not JSON)."""
    if isinstance(value, float) and not pymath.isfinite(value):
        raise ExpressionError(f"The result of '{name}' is outside the range of a number")
    return value


@function("add", "add(summand_1: number, summand_2: number)", min_args=2)
def add(left: Any, right: Any) -> int | float:
    a, b = _operands("add", left, right)
    if _exact(a, b):
        return _decimal_op("add", a, b, operator.add)
    return _finite("add", a + b)


@function("sub", "sub(minuend: number, subtrahend: number)", min_args=2)
def sub(left: Any, right: Any) -> int | float:
    a, b = _operands("sub", left, right)
    if _exact(a, b):
        return _decimal_op("sub", a, b, operator.sub)
    return _finite("sub", a - b)


@function("mul", "mul(multiplicand_1: number, multiplicand_2: number)", min_args=2)
def mul(left: Any, right: Any) -> int | float:
    a, b = _operands("mul", left, right)
    if _exact(a, b):
        return _decimal_op("mul", a, b, operator.mul)
    return _finite("mul", a * b)


def _divisor(name: str, value: int | float) -> int | float:
    if value == 0:
        raise ExpressionError(f"The function '{name}' cannot divide by zero")
    return value


@function("div", "div(dividend: number, divisor: number)", min_args=2)
def div(left: Any, right: Any) -> int | float:
    a, b = _operands("div", left, right)
    b = _divisor("div", b)
    if _exact(a, b):
        return _decimal_op("div", a, b, operator.truediv)
    if isinstance(a, int) and isinstance(b, int):
        quotient = abs(a) // abs(b)
        return quotient if (a >= 0) == (b >= 0) else -quotient
    return _finite("div", a / b)


@function("mod", "mod(dividend: number, divisor: number)", min_args=2)
def mod(left: Any, right: Any) -> int | float:
    a, b = _operands("mod", left, right)
    b = _divisor("mod", b)
    if _exact(a, b):
        return _decimal_op("mod", a, b, operator.mod)  # Decimal %: sign of the dividend
    if isinstance(a, int) and isinstance(b, int):
        remainder = abs(a) % abs(b)
        return remainder if a >= 0 else -remainder
    return pymath.fmod(a, b)


@function("range", "range(startIndex: integer, count: integer)", min_args=2)
def range_(start: Any, count: Any) -> list[int]:
    first, total = need_int("range", start, 0), need_int("range", count, 1)
    if total < 0 or total > MAX_RANGE_COUNT:
        raise ExpressionError(f"The 'count' of 'range' must be between 0 and {MAX_RANGE_COUNT}")
    if first + total > MAX_INT32:
        raise ExpressionError(f"The sum of 'startIndex' and 'count' must not exceed {MAX_INT32}")
    return list(range(first, first + total))
