"""The value model shared by the evaluator and the functions.

Values are plain JSON-shaped Python objects (None, bool, int, float, str, list,
dict). Binary content is a dict `{"$content-type": …, "$content": <base64>}`, the
shape Logic Apps itself uses in run history. This module holds the conversions
every family needs, written once so that `string()`, `@{…}` interpolation and
implicit conversions agree:

* strings render the .NET way: `True`/`False`, floats without a trailing `.0`,
  exponents as `E+nn`; objects and arrays as compact JSON; null as "".
* comparisons convert null to "" (spec §2.2, [FN] "implicit conversion").
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from workflows.expressions.errors import ExpressionError

CONTENT_TYPE = "$content-type"
CONTENT = "$content"
OCTET_STREAM = "application/octet-stream"
MAX_JOIN_LENGTH = 104_857_600  # concat()/join() result limit ([FN])


def type_name(value: Any) -> str:
    """The Logic Apps name of a value's type, for error messages."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if is_binary(value):
        return "Binary"
    if isinstance(value, Mapping):
        return "Object"
    if isinstance(value, list | tuple):
        return "Array"
    return type(value).__name__


class DecimalNumber(float):
    """What `decimal()` returns: a float (so JSON, comparisons and every function
    treat it as a number) that keeps its exact decimal value. Arithmetic involving
    one is done in `decimal.Decimal` and `string()` prints the exact digits, as .NET's
    decimal does (`add(decimal('1.2345678912312131'), 1)` → 2.2345678912312131)."""

    exact: Decimal

    def __new__(cls, exact: Decimal) -> DecimalNumber:
        number = super().__new__(cls, float(exact))
        number.exact = exact
        return number


def as_decimal(value: int | float) -> Decimal:
    if isinstance(value, DecimalNumber):
        return value.exact
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_binary(value: Any) -> bool:
    return isinstance(value, Mapping) and CONTENT in value and CONTENT_TYPE in value


def make_binary(data: bytes, content_type: str = OCTET_STREAM) -> dict[str, str]:
    return {CONTENT_TYPE: content_type, CONTENT: base64.b64encode(data).decode("ascii")}


def binary_bytes(value: Mapping[str, Any]) -> bytes:
    try:
        return base64.b64decode(str(value[CONTENT]), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ExpressionError(f"The binary content is not valid base64: {exc}") from None


def to_bytes(value: Any) -> bytes:
    """Bytes of a string (UTF-8) or binary value; other values via `to_string`."""
    if is_binary(value):
        return binary_bytes(value)
    return to_string(value).encode("utf-8")


def format_float(value: float) -> str:
    """A float as .NET's `double.ToString()` writes it (shortest round-trip)."""
    if isinstance(value, DecimalNumber):
        return str(value.exact)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        digits = exponent.lstrip("+-").rjust(2, "0")
        mantissa = mantissa.removesuffix(".0")
        return f"{mantissa}E{sign}{digits}"
    return text


def to_json(value: Any) -> str:
    """Compact JSON, as Logic Apps embeds objects and arrays into strings."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Value of type {type(value).__name__} is not JSON serializable")


def to_string(value: Any) -> str:
    """The string form used by `string()` and `@{…}` interpolation."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if is_binary(value):
        return binary_bytes(value).decode("utf-8", errors="replace")
    return to_json(value)


def null_to_empty(value: Any) -> Any:
    return "" if value is None else value


def values_equal(left: Any, right: Any) -> bool:
    """Deep equality: 1 == 1.0; null equals ""; a boolean equals the number 1 or 0
    (the function reference: `equals(true, 1)` is true); strings never equal
    booleans or numbers."""
    left, right = null_to_empty(left), null_to_empty(right)
    if isinstance(left, bool) or isinstance(right, bool):
        if isinstance(left, bool) and isinstance(right, bool):
            return left == right
        flag, other = (left, right) if isinstance(left, bool) else (right, left)
        return is_number(other) and other == int(flag)
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(values_equal(left[k], right[k]) for k in left)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(map(values_equal, left, right))
    return type(left) is type(right) and bool(left == right)


def compare(left: Any, right: Any) -> int:
    """-1/0/1 for two numbers or two strings (null counts as ""); else an error."""
    left, right = null_to_empty(left), null_to_empty(right)
    comparable = (is_number(left) and is_number(right)) or (
        isinstance(left, str) and isinstance(right, str)
    )
    if not comparable:
        raise ExpressionError(
            f"Cannot compare a value of type '{type_name(left)}' "
            f"with a value of type '{type_name(right)}'; expected two numbers or two strings"
        )
    return (left > right) - (left < right)
