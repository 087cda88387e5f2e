"""Conversion functions: JSON, numbers, booleans, base64, data URIs, URI components.

Binary values are `{"$content-type", "$content"}` dicts (see `values.py`).
Wherever a base64 string is expected a binary value is accepted too, its
`$content` being that base64 text: Logic Apps' implicit encoding rule.
`json()` of XML delegates to `functions.xml.xml_to_json` (another module).
"""

from __future__ import annotations

import base64
import binascii
import json as jsonlib
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, unquote, unquote_to_bytes

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions._args import fail, need_str
from workflows.expressions.functions.logical import parse_culture_float
from workflows.expressions.registry import function
from workflows.expressions.values import (
    CONTENT,
    CONTENT_TYPE,
    OCTET_STREAM,
    DecimalNumber,
    as_decimal,
    binary_bytes,
    is_binary,
    is_number,
    make_binary,
    to_bytes,
    to_string,
)

_XML_TYPES = ("application/xml", "text/xml")


def _looks_like_xml(text: str) -> bool:
    return text.lstrip().startswith("<")


def _xml_to_json(value: Any) -> Any:
    from workflows.expressions.functions import xml  # lazy: another engineer's module

    return xml.xml_to_json(value)


@function("json", "json(value: string | xml)", min_args=1)
def json(value: Any) -> Any:
    if value is None:  # the function reference: "If the string is null, … an empty object"
        return {}
    if is_binary(value):
        if str(value.get(CONTENT_TYPE, "")).split(";")[0].strip() in _XML_TYPES:
            return _xml_to_json(value)
        value = binary_bytes(value).decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return value
    if _looks_like_xml(value):
        return _xml_to_json(value)
    try:
        return jsonlib.loads(value)
    except ValueError as exc:
        raise ExpressionError(f"The string is not valid JSON: {exc}") from None


@function("int", "int(value: string)", min_args=1)
def int_(value: Any) -> int:
    if isinstance(value, bool):
        fail("int", None, "a string or a number", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value)
    text = need_str("int", value).strip()
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise ExpressionError(f"The string '{value}' is not a valid integer")
    return int(text)


@function("float", "float(value: string, locale?: string)", min_args=1, max_args=2)
def float_(value: Any, locale: Any = None) -> float:
    if is_number(value):
        return float(value)
    text = need_str("float", value, 0)
    number = parse_culture_float(text, None if locale is None else need_str("float", locale, 1))
    if number is None:
        raise ExpressionError(f"The string '{text}' is not a valid floating-point number")
    return number


@function("decimal", "decimal(value: string)", min_args=1)
def decimal(value: Any) -> DecimalNumber:
    if is_number(value):
        return DecimalNumber(as_decimal(value))
    text = need_str("decimal", value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ExpressionError(f"The string '{text}' is not a valid decimal number") from None
    if not number.is_finite():
        raise ExpressionError(f"The string '{text}' is not a valid decimal number")
    return DecimalNumber(number)


@function("string", "string(value: any)", min_args=1)
def string(value: Any) -> str:
    return to_string(value)


@function("bool", "bool(value: any)", min_args=1)
def bool_(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if is_number(value):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, str):
        raise ExpressionError(f"The string '{value}' is not a valid boolean ('true' or 'false')")
    fail("bool", None, "a boolean, a number or a string", value)


def _base64_text(name: str, value: Any) -> bytes:
    """Decode a base64 string, or take a binary value's bytes."""
    if is_binary(value):
        return binary_bytes(value)
    text = need_str(name, value)
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ExpressionError(f"The string '{text[:50]}' is not valid base64") from None


@function("base64", "base64(value: string)", min_args=1)
def base64_(value: Any) -> str:
    return base64.b64encode(to_bytes(value)).decode("ascii")


@function("base64ToBinary", "base64ToBinary(value: string)", min_args=1)
def base64_to_binary(value: Any) -> dict[str, str]:
    return make_binary(_base64_text("base64ToBinary", value))


@function("base64ToString", "base64ToString(value: string)", min_args=1)
def base64_to_string(value: Any) -> str:
    return _base64_text("base64ToString", value).decode("utf-8", errors="replace")


@function("decodeBase64", "decodeBase64(value: string)", min_args=1)
def decode_base64(value: Any) -> str:
    return _base64_text("decodeBase64", value).decode("utf-8", errors="replace")


@function("binary", "binary(value: string)", min_args=1)
def binary(value: Any) -> dict[str, str]:
    if is_binary(value):
        return dict(value)
    return make_binary(to_bytes(value))


_DATA_URI = re.compile(r"data:(?P<type>[^,]*?)(?P<b64>;base64)?,(?P<data>.*)", re.DOTALL)


def _parse_data_uri(name: str, value: Any) -> tuple[str, bytes]:
    text = need_str(name, value)
    match = _DATA_URI.fullmatch(text.strip())
    if match is None:
        raise ExpressionError(f"The string '{text[:50]}' is not a valid data URI")
    content_type = match.group("type") or "text/plain;charset=US-ASCII"
    if match.group("b64"):
        return content_type, _base64_text(name, match.group("data"))
    return content_type, unquote_to_bytes(match.group("data"))


@function("dataUri", "dataUri(value: string)", min_args=1)
def data_uri(value: Any) -> str:
    if is_binary(value):
        return f"data:{value[CONTENT_TYPE]};base64,{value[CONTENT]}"
    encoded = base64.b64encode(to_bytes(value)).decode("ascii")
    return f"data:text/plain;charset=utf-8;base64,{encoded}"


@function("dataUriToBinary", "dataUriToBinary(value: string)", min_args=1)
def data_uri_to_binary(value: Any) -> dict[str, str]:
    content_type, data = _parse_data_uri("dataUriToBinary", value)
    return make_binary(data, content_type or OCTET_STREAM)


@function("decodeDataUri", "decodeDataUri(value: string)", min_args=1)
def decode_data_uri(value: Any) -> dict[str, str]:
    content_type, data = _parse_data_uri("decodeDataUri", value)
    return make_binary(data, content_type or OCTET_STREAM)


@function("dataUriToString", "dataUriToString(value: string)", min_args=1)
def data_uri_to_string(value: Any) -> str:
    return _parse_data_uri("dataUriToString", value)[1].decode("utf-8", errors="replace")


@function("utf8Length", "utf8Length(value: string)", min_args=1)
def utf8_length(value: Any) -> int:
    return len(need_str("utf8Length", value).encode("utf-8"))


@function("utf16Length", "utf16Length(value: string)", min_args=1)
def utf16_length(value: Any) -> int:
    return len(need_str("utf16Length", value).encode("utf-16-le", "surrogatepass")) // 2


def _escape(value: Any) -> str:
    """`Uri.EscapeDataString`: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded."""
    return quote(to_string(value), safe="")


@function("encodeUriComponent", "encodeUriComponent(value: string, ...)", min_args=1, max_args=None)
def encode_uri_component(*values: Any) -> str:
    """Variadic like concat: Microsoft's own templates call
    `encodeURIComponent('workflows/', name, '/runs')` (tests/corpus/logicapps/22-…)."""
    return _escape("".join(to_string(value) for value in values))


@function("uriComponent", "uriComponent(value: string)", min_args=1)
def uri_component(value: Any) -> str:
    return _escape(value)


@function("decodeUriComponent", "decodeUriComponent(value: string)", min_args=1)
def decode_uri_component(value: Any) -> str:
    return unquote(need_str("decodeUriComponent", value))


@function("uriComponentToString", "uriComponentToString(value: string)", min_args=1)
def uri_component_to_string(value: Any) -> str:
    return unquote(need_str("uriComponentToString", value))


@function("uriComponentToBinary", "uriComponentToBinary(value: string)", min_args=1)
def uri_component_to_binary(value: Any) -> dict[str, str]:
    return make_binary(unquote_to_bytes(need_str("uriComponentToBinary", value)))


@function("array", "array(value: any)", min_args=1)
def array(value: Any) -> list[Any]:
    return [value]


@function("createArray", "createArray(object_1: any, ...)", min_args=0, max_args=None)
def create_array(*values: Any) -> list[Any]:
    return list(values)
