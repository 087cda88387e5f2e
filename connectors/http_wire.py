"""HTTP wire helpers shared by the HTTP action, the HTTP triggers and webhooks.

Pure-ish functions: WDL body → request content, response → WDL outputs
(`{"statusCode", "headers", "body"}`), status → error class, and the
authentication types Logic Apps accepts (Basic, Raw, ClientCertificate,
ActiveDirectoryOAuth client credentials).

Body rules (as Logic Apps): objects/arrays/numbers/booleans go as JSON; strings
as text; `{"$content-type", "$content"}` is binary with base64 content;
`{"$content-type": "application/x-www-form-urlencoded", "$formdata": [{key, value}]}`
(or a dict body with a form Content-Type header) is a URL-encoded form.
Responses: JSON content types are parsed, text types kept as text, anything else
becomes `{"$content-type", "$content"}` with base64 content.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import httpx

from connectors.base import ConnectorError, RetryableError

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
TEXTUAL = ("text/", "application/xml", "application/javascript", "+xml")


DEFAULT_MAX_RESPONSE = 100 * 1024 * 1024  # Logic Apps' message size limit


def send_capped(http: httpx.Client, request: httpx.Request) -> httpx.Response:
    """Send and read the body, refusing bodies over `SLUICE_HTTP_MAX_RESPONSE_BYTES`
    (decoded) so one huge download cannot exhaust a worker's memory."""
    from django.conf import settings

    limit = int(getattr(settings, "SLUICE_HTTP_MAX_RESPONSE_BYTES", DEFAULT_MAX_RESPONSE))
    response = http.send(request, stream=True)
    chunks, total = [], 0
    try:
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > limit:
                raise ConnectorError(
                    f"The response from {request.url} is larger than {limit} bytes.",
                    code="ResponseTooLarge",
                    status_code=response.status_code,
                )
            chunks.append(chunk)
    finally:
        response.close()
    headers = [(k, v) for k, v in response.headers.raw if k.lower() != b"content-encoding"]
    return httpx.Response(
        response.status_code, headers=headers, content=b"".join(chunks), request=request
    )


def header(headers: dict[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def encode_body(body: Any, headers: dict[str, str]) -> tuple[bytes | None, str | None]:
    """(content bytes, content type to set if the caller gave none)."""
    if body is None:
        return None, None
    given = (header(headers, "Content-Type") or "").split(";")[0].strip().lower()
    if isinstance(body, dict) and "$content-type" in body:
        return _encode_dollar_body(body)
    if isinstance(body, dict) and given == FORM:
        return urlencode({k: text_value(v) for k, v in body.items()}).encode(), FORM
    if isinstance(body, str):
        return body.encode(), "text/plain; charset=utf-8"
    if isinstance(body, bytes):
        return body, "application/octet-stream"
    return json.dumps(body, separators=(",", ":")).encode(), JSON


def _encode_dollar_body(body: dict[str, Any]) -> tuple[bytes, str]:
    content_type = str(body["$content-type"])
    if "$formdata" in body:
        pairs = [(str(p.get("key", "")), text_value(p.get("value"))) for p in body["$formdata"]]
        return urlencode(pairs).encode(), content_type
    content = body.get("$content", "")
    try:
        return base64.b64decode(str(content), validate=True), content_type
    except ValueError:
        raise ConnectorError("'$content' must be base64 text.", code="InvalidBody")


def text_value(value: Any) -> str:
    """A JSON value as header/query/form text: strings as they are, booleans as
    `true`/`false`, objects and arrays as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return "" if value is None else str(value)


def decode_body(response: httpx.Response) -> Any:
    raw = response.content
    if not raw:
        return None
    content_type = response.headers.get("content-type", "").lower()
    media = content_type.split(";")[0].strip()
    if media == JSON or media.endswith("+json"):
        try:
            return json.loads(raw)
        except ValueError:
            return response.text
    if media.startswith(TEXTUAL) or media.endswith("+xml") or "charset=" in content_type:
        return response.text
    if not media:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            media = "application/octet-stream"
    return {"$content-type": media, "$content": base64.b64encode(raw).decode()}


def outputs(response: httpx.Response) -> dict[str, Any]:
    """WDL outputs; header names keep the server's casing, repeats are joined."""
    headers: dict[str, str] = {}
    by_lower: dict[str, str] = {}
    encoding = response.headers.encoding
    for raw_key, raw_value in response.headers.raw:
        key, value = raw_key.decode(encoding), raw_value.decode(encoding)
        name = by_lower.setdefault(key.lower(), key)
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return {"statusCode": response.status_code, "headers": headers, "body": decode_body(response)}


def retry_after(headers: dict[str, str] | httpx.Headers, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date)."""
    value = (
        headers.get("retry-after")
        if isinstance(headers, httpx.Headers)
        else header(headers, "Retry-After")
    )
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


def status_code_name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.replace(" ", "").replace("-", "")
    except ValueError:
        return f"Http{status}"


def raise_for_status(response: httpx.Response) -> dict[str, Any]:
    """Outputs of a successful response, or the right error with the response kept."""
    result = outputs(response)
    status = response.status_code
    if status < 400:
        return result
    message = f"The remote server answered {status} {response.reason_phrase or ''}".strip() + "."
    error_class = RetryableError if status in (408, 429) or status >= 500 else ConnectorError
    raise error_class(
        message,
        code=status_code_name(status),
        status_code=status,
        outputs=result,
        retry_after=retry_after(response.headers),
    )


def transport_error(exc: httpx.HTTPError, uri: str) -> ConnectorError:
    if isinstance(exc, httpx.TimeoutException):
        return RetryableError(f"The request to {uri} timed out ({exc}).", code="RequestTimeout")
    if isinstance(exc, httpx.TooManyRedirects):
        return ConnectorError(f"Too many redirects from {uri}.", code="TooManyRedirects")
    if isinstance(exc, httpx.TransportError):
        return RetryableError(f"Could not reach {uri}: {exc}", code="ConnectionFailed")
    return ConnectorError(f"HTTP request to {uri} failed: {exc}", code="HttpRequestFailed")


# ---------------------------------------------------------------- authentication

_token_cache: dict[tuple[str, ...], tuple[str, float]] = {}
_token_lock = threading.Lock()


def client_cert_of(auth: dict[str, Any] | None) -> dict[str, Any] | None:
    """ClientCertificate auth → the `client_cert` argument of `outbound.client`."""
    if not auth or str(auth.get("type", "")).lower() != "clientcertificate":
        return None
    password = auth.get("password")
    if auth.get("pem"):
        return {"pem": auth["pem"], "password": password}
    if auth.get("pfx"):
        return {"pem": pfx_to_pem(str(auth["pfx"]), password), "password": None}
    raise ConnectorError(
        "ClientCertificate authentication needs 'pfx' (base64) or 'pem'.",
        code="InvalidAuthentication",
    )


def pfx_to_pem(pfx_b64: str, password: str | None) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            base64.b64decode(pfx_b64), password.encode() if password else None
        )
    except ValueError as exc:
        raise ConnectorError(
            f"Cannot open the PFX certificate: {exc}", code="InvalidAuthentication"
        )
    if key is None or cert is None:
        raise ConnectorError(
            "The PFX holds no private key and certificate.", code="InvalidAuthentication"
        )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain = [cert, *(extra or [])]
    return pem.decode() + "".join(
        c.public_bytes(serialization.Encoding.PEM).decode() for c in chain
    )


def auth_headers(auth: dict[str, Any] | None, http: httpx.Client) -> dict[str, str]:
    """Headers for Basic, Raw and ActiveDirectoryOAuth authentication."""
    if not auth:
        return {}
    kind = str(auth.get("type", "")).lower()
    if kind == "basic":
        pair = f"{auth.get('username', '')}:{auth.get('password', '')}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    if kind == "raw":
        return {"Authorization": str(auth.get("value", ""))}
    if kind == "activedirectoryoauth":
        return {"Authorization": "Bearer " + oauth_token(auth, http)}
    if kind in ("clientcertificate", "none", ""):
        return {}
    raise ConnectorError(
        f"Authentication type '{auth.get('type')}' is not supported "
        "(Basic, Raw, ClientCertificate, ActiveDirectoryOAuth).",
        code="InvalidAuthentication",
    )


def oauth_token(auth: dict[str, Any], http: httpx.Client) -> str:
    """Client-credentials token from `{authority}/{tenant}/oauth2/token`
    (Entra v1 shape, `resource` = audience), cached until a minute before expiry."""
    authority = str(auth.get("authority") or "https://login.microsoftonline.com").rstrip("/")
    key = (authority, str(auth.get("tenant")), str(auth.get("clientId")), str(auth.get("audience")))
    with _token_lock:
        cached = _token_cache.get(key)
        if cached and cached[1] > time.time():
            return cached[0]
    token, lifetime = _fetch_token(authority, auth, http)
    with _token_lock:
        _token_cache[key] = (token, time.time() + max(0.0, lifetime - 60))
    return token


def _fetch_token(authority: str, auth: dict[str, Any], http: httpx.Client) -> tuple[str, float]:
    if not auth.get("secret"):
        raise ConnectorError(
            "ActiveDirectoryOAuth needs tenant, audience, clientId and secret "
            "(certificate credentials are not supported).",
            code="InvalidAuthentication",
        )
    url = f"{authority}/{auth.get('tenant', '')}/oauth2/token"
    form = {
        "grant_type": "client_credentials",
        "client_id": str(auth.get("clientId", "")),
        "client_secret": str(auth.get("secret", "")),
        "resource": str(auth.get("audience", "")),
    }
    try:
        response = http.post(url, data=form)
    except httpx.HTTPError as exc:
        raise transport_error(exc, url)
    if response.status_code != 200:
        raise ConnectorError(
            f"The token endpoint {url} answered {response.status_code}: {response.text[:300]}",
            code="OAuthTokenFailed",
            status_code=response.status_code,
        )
    try:
        data = response.json()
        return str(data["access_token"]), float(data.get("expires_in", 3600))
    except (ValueError, KeyError):
        raise ConnectorError(
            f"The token endpoint {url} returned no access_token.", code="OAuthTokenFailed"
        )
