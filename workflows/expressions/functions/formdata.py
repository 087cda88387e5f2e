"""Form-data and multipart functions over trigger and action outputs.

Logic Apps stores a form body as `{"$content-type": …, "$content": <base64>,
"$formdata": [{"key", "value"}, …]}` (urlencoded) or
`{"$content-type": "multipart/form-data", "$multipart": [{"headers", "body"}, …]}`.
Both shapes are read here; a plain urlencoded string body is parsed as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from workflows.expressions.context import EvalContext
from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions._args import need_int, need_str
from workflows.expressions.registry import function
from workflows.expressions.values import binary_bytes, is_binary

_FIELD_NAME = re.compile(r'name\s*=\s*"?([^";]*)"?', re.IGNORECASE)


def _body_of(record: Any) -> Any:
    outputs = record.get("outputs") if isinstance(record, Mapping) else None
    return outputs.get("body") if isinstance(outputs, Mapping) else None


def _header(headers: Any, name: str) -> str:
    if not isinstance(headers, Mapping):
        return ""
    return next((str(v) for k, v in headers.items() if str(k).lower() == name), "")


def _pairs(body: Any) -> list[tuple[str, Any]]:
    if isinstance(body, Mapping) and isinstance(body.get("$formdata"), list):
        return [(str(p.get("key")), p.get("value")) for p in body["$formdata"]]
    if isinstance(body, Mapping) and isinstance(body.get("$multipart"), list):
        return [_multipart_pair(part) for part in body["$multipart"]]
    if is_binary(body):
        body = binary_bytes(body).decode("utf-8", errors="replace")
    if isinstance(body, str):
        return parse_qsl(body, keep_blank_values=True)
    raise ExpressionError("The body is not form data (urlencoded or multipart/form-data)")


def _multipart_pair(part: Any) -> tuple[str, Any]:
    headers = part.get("headers") if isinstance(part, Mapping) else None
    match = _FIELD_NAME.search(_header(headers, "content-disposition"))
    return (
        match.group(1) if match else "",
        part.get("body") if isinstance(part, Mapping) else None,
    )


def _values(body: Any, key: str) -> list[Any]:
    return [value for name, value in _pairs(body) if name == key]


def _single(body: Any, key: str) -> Any:
    found = _values(body, key)
    if len(found) > 1:
        raise ExpressionError(
            f"The form data has {len(found)} values for the key '{key}'; use the "
            f"MultiValues function to read them all"
        )
    return found[0] if found else None


def _part(body: Any, index: int) -> Any:
    parts = body.get("$multipart") if isinstance(body, Mapping) else None
    if not isinstance(parts, list):
        raise ExpressionError("The body is not multipart content")
    if not 0 <= index < len(parts):
        raise ExpressionError(f"The multipart index {index} is outside 0..{len(parts) - 1}")
    part = parts[index]
    return part.get("body") if isinstance(part, Mapping) else part


@function("triggerFormDataValue", "triggerFormDataValue(key: string)", min_args=1, context=True)
def trigger_form_data_value(ctx: EvalContext, key: Any) -> Any:
    return _single(_body_of(ctx.trigger()), need_str("triggerFormDataValue", key))


@function(
    "triggerFormDataMultiValues",
    "triggerFormDataMultiValues(key: string)",
    min_args=1,
    context=True,
)
def trigger_form_data_multi_values(ctx: EvalContext, key: Any) -> list[Any]:
    return _values(_body_of(ctx.trigger()), need_str("triggerFormDataMultiValues", key))


@function("triggerMultipartBody", "triggerMultipartBody(index: number)", min_args=1, context=True)
def trigger_multipart_body(ctx: EvalContext, index: Any) -> Any:
    return _part(_body_of(ctx.trigger()), need_int("triggerMultipartBody", index))


@function(
    "formDataValue", "formDataValue(actionName: string, key: string)", min_args=2, context=True
)
def form_data_value(ctx: EvalContext, action: Any, key: Any) -> Any:
    record = ctx.action(need_str("formDataValue", action, 0))
    return _single(_body_of(record), need_str("formDataValue", key, 1))


@function(
    "formDataMultiValues",
    "formDataMultiValues(actionName: string, key: string)",
    min_args=2,
    context=True,
)
def form_data_multi_values(ctx: EvalContext, action: Any, key: Any) -> list[Any]:
    record = ctx.action(need_str("formDataMultiValues", action, 0))
    return _values(_body_of(record), need_str("formDataMultiValues", key, 1))


@function(
    "multipartBody", "multipartBody(actionName: string, index: number)", min_args=2, context=True
)
def multipart_body(ctx: EvalContext, action: Any, index: Any) -> Any:
    record = ctx.action(need_str("multipartBody", action, 0))
    return _part(_body_of(record), need_int("multipartBody", index, 1))
