"""One error shape for the whole API:

    {"error": {"code": "InvalidDefinition", "message": "…",
               "details": [{"pointer": "/actions/x/type", "message": "…"}]}}

DRF's own errors (field validation, 401, 403, 404, 405, 429) are rewritten into
it; field errors become details with a JSON pointer to the field.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler


class ApiError(exceptions.APIException):
    """An error with a Logic Apps-style code, an HTTP status and optional details."""

    def __init__(self, code: str, message: str, http_status: int = 400, details=None) -> None:
        super().__init__(message)
        self.code = code
        self.status_code = http_status
        self.details = details or []


_CODES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
}


def error_body(code: str, message: str, details: list | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def _pointer_details(data: Any, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(data, dict):
        out: list[dict[str, str]] = []
        for key, value in data.items():
            sub = prefix if key == "non_field_errors" else f"{prefix}/{key}"
            out.extend(_pointer_details(value, sub))
        return out
    if isinstance(data, list):
        if all(not isinstance(v, dict | list) for v in data):
            return [{"pointer": prefix, "message": str(v)} for v in data]
        out = []
        for i, v in enumerate(data):
            out.extend(_pointer_details(v, f"{prefix}/{i}"))
        return out
    return [{"pointer": prefix, "message": str(data)}]


def exception_handler(exc, context):
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        response.data = error_body(exc.code, str(exc.detail), exc.details)
    elif isinstance(exc, exceptions.ValidationError):
        details = _pointer_details(exc.detail)
        message = details[0]["message"] if len(details) == 1 else "The request is not valid."
        response.data = error_body("ValidationFailed", message, details)
    else:
        code = _CODES.get(response.status_code, "Error")
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(code, str(detail))
    return response


def problem(code: str, message: str, http_status: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response(error_body(code, message), status=http_status)
