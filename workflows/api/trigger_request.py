"""Turning an HTTP request into Request-trigger outputs, and a Response action's
record back into an HTTP response. Pure helpers used by `workflows.callback`.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import HttpResponse, JsonResponse, QueryDict
from django.http.request import HttpHeaders
from django.http.response import ResponseHeaders
from jsonschema import exceptions as schema_exceptions
from jsonschema import validators

from workflows.api.errors import error_body
from workflows.definition import escape_pointer, iter_actions

_DROPPED_HEADERS = {"authorization", "cookie", "proxy-authorization"}


class TriggerRequestError(Exception):
    def __init__(self, status: int, code: str, message: str, details=None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details

    def response(self) -> JsonResponse:
        return JsonResponse(error_body(self.code, self.message, self.details), status=self.status)


def options_of(node: dict) -> set[str]:
    raw = node.get("operationOptions") or ""
    items = raw if isinstance(raw, list) else str(raw).split(",")
    return {str(o).strip().lower() for o in items if str(o).strip()}


def check_method(inputs: dict, method: str) -> None:
    allowed = str(inputs.get("method") or "").upper()
    if allowed and allowed != method.upper():
        raise TriggerRequestError(
            405, "MethodNotAllowed", f"This trigger accepts {allowed} requests only."
        )


def match_relative_path(template: str, actual: str) -> dict[str, str]:
    """`{"id": "42"}` for template `customer/{id}` and path `customer/42`."""
    want = [s for s in template.strip("/").split("/") if s]
    got = [s for s in actual.strip("/").split("/") if s]
    if len(want) != len(got):
        raise TriggerRequestError(404, "RelativePathNotFound", "The relative path does not match.")
    params: dict[str, str] = {}
    for pattern, value in zip(want, got, strict=True):
        if pattern.startswith("{") and pattern.endswith("}"):
            params[pattern[1:-1]] = unquote(value)
        elif pattern != unquote(value):
            raise TriggerRequestError(
                404, "RelativePathNotFound", "The relative path does not match."
            )
    return params


def request_query(request) -> dict[str, str]:
    """The query string as `request.GET` reads it (the last value of a repeated
    name), parsed once per distinct query string: a trigger URL is called with
    the same `api-version`/`sp`/`sv`/`sig` again and again, and Django's
    `QueryDict` took a sixth of a stateless run's CPU (`bench/request.py`).
    Shared between requests: read it, never change it."""
    raw = get_bytes_from_wsgi(request.META, "QUERY_STRING", "")
    return _parsed_query(raw) if len(raw) <= 2048 else _parse_query(raw)


def _parse_query(raw: bytes) -> dict[str, str]:
    return dict(QueryDict(raw).items())


_parsed_query = lru_cache(maxsize=1024)(_parse_query)

_header_name = lru_cache(maxsize=512)(HttpHeaders.parse_header_name)


def header_items(request) -> dict[str, str]:
    """`dict(request.headers)` without building Django's case-insensitive mapping:
    the same names (`Content-Type`, `X-Ms-Client-Tracking-Id`), read from META."""
    names = ((_header_name(key), value) for key, value in request.META.items())
    return {name: value for name, value in names if name is not None}


def header(request, name: str) -> str:
    """One request header by its HTTP name, any case (`request.headers[name]`)."""
    key = name.upper().replace("-", "_")
    if key not in HttpHeaders.UNPREFIXED_HEADERS:
        key = HttpHeaders.HTTP_PREFIX + key
    return request.META.get(key, "")


def request_headers(request, include_authorization: bool) -> dict[str, str]:
    return {
        name: value
        for name, value in header_items(request).items()
        if include_authorization or name.lower() not in _DROPPED_HEADERS
    }


def request_body(request) -> Any:
    raw = request.body
    if not raw:
        return None
    content_type = header(request, "Content-Type")
    if _is_json(content_type):
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise TriggerRequestError(
                400, "InvalidRequestContent", f"The body is not valid JSON: {exc}"
            )
    return {
        "$content-type": content_type or "application/octet-stream",
        "$content": base64.b64encode(raw).decode(),
    }


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def validate_body(schema: Any, body: Any) -> None:
    if not isinstance(schema, dict) or not schema:
        return
    try:
        cls = validators.validator_for(schema)
        errors = sorted(cls(schema).iter_errors(body), key=lambda e: list(e.absolute_path))
    except schema_exceptions.SchemaError as exc:
        raise TriggerRequestError(
            400, "InvalidTriggerSchema", f"The trigger schema is invalid: {exc.message}"
        )
    if errors:
        details = [{"pointer": _pointer(e.absolute_path), "message": e.message} for e in errors]
        first = details[0]
        raise TriggerRequestError(
            400,
            "TriggerInputSchemaMismatch",
            f"The body does not match the trigger schema at '{first['pointer'] or '/'}': {first['message']}",
            details,
        )


def _pointer(path) -> str:
    return "".join(f"/{escape_pointer(str(p))}" for p in path)


def response_mode(definition: dict, trigger: dict) -> str:
    """ "sync" (wait for a Response action), "async" (202 now, poll) or "none"."""
    responses = [
        e.action
        for e in iter_actions(definition.get("actions") or {})
        if isinstance(e.action, dict) and e.action.get("type") == "Response"
    ]
    if not responses:
        return "none"
    if trigger.get("splitOn") or any("asynchronous" in options_of(r) for r in responses):
        return "async"
    return "sync"


class Answer:
    """An HTTP answer as plain parts — status, header list, body — for what a
    Response action's record says. `django()` makes the `HttpResponse` Django's
    handler wants; the trigger front door (`workflows/frontdoor.py`) sends the
    parts as they are: Django's response and its header mapping cost a tenth of a
    stateless request. Header names and values are checked as Django checks them
    (a line break is a `BadHeaderError`; non-Latin-1 values are MIME-encoded)."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        self.status = status
        self.body = body
        self.headers: list[tuple[str, str]] = [("Content-Type", content_type)]

    def __setitem__(self, name: str, value: str) -> None:
        self.set_all({name: value})

    def set_all(self, values: dict[str, str]) -> None:
        """Set each header of `values` (replacing one of the same name), in one pass."""
        checked = [(_header_text(k, False), _header_text(v, True)) for k, v in values.items()]
        folded = {k.lower() for k, _ in checked}
        self.headers = [(k, v) for k, v in self.headers if k.lower() not in folded] + checked

    def django(self) -> HttpResponse:
        response = HttpResponse(self.body, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def _header_text(value: Any, mime_encode: bool) -> str:
    if type(value) is str and value.isascii() and "\n" not in value and "\r" not in value:
        return value
    return _CONVERTER._convert_to_charset(value, "latin-1", mime_encode)


_CONVERTER = ResponseHeaders({})  # Django's own header check and encoding


def http_response(response: dict) -> Answer:
    """The answer for a Response action's `{statusCode, headers, body}`."""
    status = _status(response.get("statusCode", 200))
    headers = {str(k): str(v) for k, v in (response.get("headers") or {}).items()}
    body = response.get("body")
    content_type = _header(headers, "content-type")
    if isinstance(body, dict) and "$content" in body:
        payload = base64.b64decode(body.get("$content") or "")
        content_type = content_type or body.get("$content-type") or "application/octet-stream"
    elif body is None:
        payload = b""
    elif isinstance(body, str) and not (content_type and _is_json(content_type)):
        payload = body.encode()
        content_type = content_type or "text/plain; charset=utf-8"
    else:
        payload = json.dumps(body).encode()
        content_type = content_type or "application/json; charset=utf-8"
    content_type = content_type or f"text/html; charset={settings.DEFAULT_CHARSET}"  # Django's
    result = Answer(status, payload, _header_text(content_type, True))
    for name, value in headers.items():
        if name.lower() != "content-type":
            result[name] = value
    return result


def _status(value: Any) -> int:
    try:
        code = int(value)
    except (TypeError, ValueError):
        return 200
    return code if 100 <= code <= 599 else 200


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")
