"""URI parsing functions, with .NET `System.Uri` conventions: `uriPath` is '/' when
empty, `uriQuery` keeps its leading '?', `uriPort` falls back to the scheme's
default port. A string without a scheme and host is an error, not an empty result.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import SplitResult, urlsplit

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions._args import need_str
from workflows.expressions.registry import function

DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ftps": 990, "sftp": 22, "ws": 80, "wss": 443}


def _split(name: str, value: Any) -> SplitResult:
    text = need_str(name, value).strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ExpressionError(f"The string '{text[:100]}' is not a valid URI: {exc}") from None
    if not parts.scheme or not parts.netloc:
        raise ExpressionError(f"The string '{text[:100]}' is not a valid absolute URI")
    return parts


@function("uriHost", "uriHost(uri: string)", min_args=1)
def uri_host(uri: Any) -> str:
    return _split("uriHost", uri).hostname or ""


@function("uriPath", "uriPath(uri: string)", min_args=1)
def uri_path(uri: Any) -> str:
    return _split("uriPath", uri).path or "/"


@function("uriPathAndQuery", "uriPathAndQuery(uri: string)", min_args=1)
def uri_path_and_query(uri: Any) -> str:
    parts = _split("uriPathAndQuery", uri)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@function("uriPort", "uriPort(uri: string)", min_args=1)
def uri_port(uri: Any) -> int:
    parts = _split("uriPort", uri)
    if parts.port is not None:
        return parts.port
    if parts.scheme.lower() not in DEFAULT_PORTS:
        raise ExpressionError(f"The URI scheme '{parts.scheme}' has no default port")
    return DEFAULT_PORTS[parts.scheme.lower()]


@function("uriScheme", "uriScheme(uri: string)", min_args=1)
def uri_scheme(uri: Any) -> str:
    return _split("uriScheme", uri).scheme.lower()


@function("uriQuery", "uriQuery(uri: string)", min_args=1)
def uri_query(uri: Any) -> str:
    query = _split("uriQuery", uri).query
    return f"?{query}" if query else ""
