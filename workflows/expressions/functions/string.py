"""String functions.

Case rules from the function reference: `replace`/`contains` are case-sensitive,
`indexOf`/`lastIndexOf`/`nthIndexOf`/`startsWith`/`endsWith` are not (invariant
culture, approximated with `str.lower`). Arguments must really be strings, as in
Logic Apps ("expects its parameter to be of type string"); only `concat` converts
numbers, booleans, objects and null implicitly.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions._args import need_int, need_str
from workflows.expressions.registry import function
from workflows.expressions.values import (
    MAX_JOIN_LENGTH,
    binary_bytes,
    is_binary,
    make_binary,
    to_string,
)

_BOM = "\ufeff"
_BOM_BYTES = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@function("concat", "concat(text_1: string, ...)", min_args=0, max_args=None)
def concat(*values: Any) -> str:
    """Also accepts no argument (""): designer-made definitions contain `concat()`."""
    text = "".join([to_string(value) for value in values])
    if len(text) > MAX_JOIN_LENGTH:
        raise ExpressionError(f"The result of 'concat' exceeds {MAX_JOIN_LENGTH} characters")
    return text


@function(
    "substring",
    "substring(text: string, startIndex: integer, length?: integer)",
    min_args=2,
    max_args=3,
)
def substring(text: Any, start: Any, length: Any = None) -> str:
    text = need_str("substring", text, 0)
    start = need_int("substring", start, 1)
    if start < 0 or start > len(text):
        raise ExpressionError(
            f"The 'startIndex' {start} must be between 0 and the length of the string ({len(text)})"
        )
    if length is None:
        return text[start:]
    length = need_int("substring", length, 2)
    if length < 0 or start + length > len(text):
        raise ExpressionError(
            f"The sum of 'startIndex' ({start}) and 'length' ({length}) must be between 0 "
            f"and the length of the string ({len(text)})"
        )
    return text[start : start + length]


@function(
    "slice", "slice(text: string, startIndex: integer, endIndex?: integer)", min_args=2, max_args=3
)
def slice_(text: Any, start: Any, end: Any = None) -> str:
    text = need_str("slice", text, 0)
    begin = need_int("slice", start, 1)
    if end is None:
        return text[begin:]
    return text[begin : need_int("slice", end, 2)]


@function("replace", "replace(text: string, oldText: string, newText: string)", min_args=3)
def replace(text: Any, old: Any, new: Any) -> str:
    text = need_str("replace", text, 0)
    old = need_str("replace", old, 1)
    if old == "":
        raise ExpressionError("The 'oldText' parameter of 'replace' cannot be an empty string")
    return text.replace(old, to_string(new) if new is not None else "")


def _format_guid(value: uuid.UUID, style: str) -> str:
    plain = str(value)
    if style == "N":
        return value.hex
    if style == "D":
        return plain
    if style == "B":
        return "{" + plain + "}"
    if style == "P":
        return "(" + plain + ")"
    fields = [value.hex[0:8], value.hex[8:12], value.hex[12:16]]
    rest = ",".join(f"0x{value.hex[i : i + 2]}" for i in range(16, 32, 2))
    return "{" + ",".join(f"0x{part}" for part in fields) + ",{" + rest + "}}"


@function("guid", "guid(format?: string)", min_args=0, max_args=1)
def guid(style: Any = "D") -> str:
    style = need_str("guid", style).upper() or "D"
    if style not in ("N", "D", "B", "P", "X"):
        raise ExpressionError(f"The GUID format '{style}' is not one of N, D, B, P, X")
    return _format_guid(uuid.uuid4(), style)


@function("toLower", "toLower(text: string)", min_args=1)
def to_lower(text: Any) -> str:
    return need_str("toLower", text).lower()


@function("toUpper", "toUpper(text: string)", min_args=1)
def to_upper(text: Any) -> str:
    return need_str("toUpper", text).upper()


def _pair(name: str, text: Any, search: Any) -> tuple[str, str]:
    return need_str(name, text, 0).lower(), need_str(name, search, 1).lower()


@function("indexOf", "indexOf(text: string, searchText: string)", min_args=2)
def index_of(text: Any, search: Any) -> int:
    haystack, needle = _pair("indexOf", text, search)
    return haystack.find(needle)


@function(
    "nthIndexOf", "nthIndexOf(text: string, searchText: string, occurrence: number)", min_args=3
)
def nth_index_of(text: Any, search: Any, occurrence: Any) -> int:
    haystack, needle = _pair("nthIndexOf", text, search)
    count = need_int("nthIndexOf", occurrence, 2)
    if count == 0:
        raise ExpressionError("The 'occurrence' of 'nthIndexOf' cannot be 0")
    found = list(_occurrences(haystack, needle, abs(count) if count > 0 else None))
    if len(found) < abs(count):
        return -1
    return found[count - 1] if count > 0 else found[count]


def _occurrences(haystack: str, needle: str, limit: int | None) -> Any:
    """Start indexes of `needle` (overlapping), at most `limit` of them."""
    index = haystack.find(needle)
    while index >= 0 and (limit is None or limit > 0):
        yield index
        limit = None if limit is None else limit - 1
        index = haystack.find(needle, index + 1)


@function("lastIndexOf", "lastIndexOf(text: string, searchText: string)", min_args=2)
def last_index_of(text: Any, search: Any) -> int:
    haystack, needle = _pair("lastIndexOf", text, search)
    if needle == "":
        return max(len(haystack) - 1, 0)
    return haystack.rfind(needle)


@function("startsWith", "startsWith(text: string, searchText: string)", min_args=2)
def starts_with(text: Any, search: Any) -> bool:
    haystack, needle = _pair("startsWith", text, search)
    return haystack.startswith(needle)


@function("endsWith", "endsWith(text: string, searchText: string)", min_args=2)
def ends_with(text: Any, search: Any) -> bool:
    haystack, needle = _pair("endsWith", text, search)
    return haystack.endswith(needle)


@function("split", "split(text: string, separator: string)", min_args=2)
def split(text: Any, separator: Any) -> list[str]:
    text = need_str("split", text, 0)
    separator = need_str("split", separator, 1)
    return [text] if separator == "" else text.split(separator)


@function("trim", "trim(text: string)", min_args=1)
def trim(text: Any) -> str:
    return need_str("trim", text).strip()


@function("trimByteOrderMark", "trimByteOrderMark(content: string | binary)", min_args=1)
def trim_byte_order_mark(content: Any) -> Any:
    if is_binary(content):
        data = binary_bytes(content)
        for bom in _BOM_BYTES:
            if data.startswith(bom):
                return make_binary(data[len(bom) :], str(content["$content-type"]))
        return content
    return need_str("trimByteOrderMark", content).removeprefix(_BOM)


_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
_XML_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);")
_XML_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


@function("encodeXmlValue", "encodeXmlValue(value: string)", min_args=1)
def encode_xml_value(value: Any) -> str:
    return "".join(_XML_ESCAPES.get(ch, ch) for ch in need_str("encodeXmlValue", value))


def _xml_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _XML_NAMED[name]


@function("decodeXmlValue", "decodeXmlValue(value: string)", min_args=1)
def decode_xml_value(value: Any) -> str:
    return _XML_ENTITY.sub(_xml_entity, need_str("decodeXmlValue", value))


_ESCAPED_NAME_CHAR = re.compile(r"_x([0-9A-Fa-f]{4}|[0-9A-Fa-f]{8})_")


def _is_name_char(ch: str, first: bool) -> bool:
    if ch.isalpha() or ch == "_" or ch == ":":
        return True
    return not first and (ch.isdigit() or ch in ".-\u00b7")


@function("encodeXmlName", "encodeXmlName(name: string)", min_args=1)
def encode_xml_name(name: Any) -> str:
    """Like .NET `XmlConvert.EncodeName`: invalid characters become `_xHHHH_`."""
    text = need_str("encodeXmlName", name)
    out = []
    for i, ch in enumerate(text):
        if ch == "_" and _ESCAPED_NAME_CHAR.match(text, i):
            out.append("_x005F_")
        elif _is_name_char(ch, i == 0):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"_x{code:04X}_" if code <= 0xFFFF else f"_x{code:08X}_")
    return "".join(out)


@function("decodeXmlName", "decodeXmlName(name: string)", min_args=1)
def decode_xml_name(name: Any) -> str:
    text = need_str("decodeXmlName", name)
    return _ESCAPED_NAME_CHAR.sub(lambda m: chr(int(m.group(1), 16)), text)
