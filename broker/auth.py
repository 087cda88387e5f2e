"""Data-plane authentication against a namespace's two access keys.

Accepted forms (what the real SDKs and REST clients send):

* `Authorization: SharedAccessKey <key>` — Event Grid namespace clients.
* `aeg-sas-key: <key>` header or query parameter — Event Grid basic tier.
* `aeg-sas-token: r=…&e=…&s=…` — Event Grid SAS: HMAC-SHA256 keyed with the
  *base64-decoded* key over `r=…&e=…` (raw, still URL-encoded values).
* `Authorization: SharedAccessSignature sr=…&sig=…&se=…&skn=…` — Service Bus /
  Event Hubs SAS: HMAC-SHA256 keyed with the key's UTF-8 bytes over
  `<sr as sent>\\n<se>`.

The resource (`r` / `sr`) is not compared with the request URL: behind proxies the
host differs, and the key already scopes the whole namespace.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import unquote, unquote_plus

from dateutil import parser as dateparser

from broker.models import Namespace


class AuthError(Exception):
    """The request carries no valid credential for the namespace."""


def _keys(namespace: Namespace) -> list[str]:
    return [namespace.primary_key, namespace.secondary_key]


def _key_matches(namespace: Namespace, presented: str) -> bool:
    return any(hmac.compare_digest(presented.encode(), k.encode()) for k in _keys(namespace))


def _pairs(token: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in token.split("&"):
        name, _, value = part.partition("=")
        out[name.strip()] = value
    return out


def _b64_hmac(key: bytes, text: str) -> str:
    return base64.b64encode(hmac.new(key, text.encode(), hashlib.sha256).digest()).decode()


def _not_expired(expiry: datetime, now: datetime) -> bool:
    if expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=UTC)
    return expiry > now


def check_eventgrid_sas(namespace: Namespace, token: str, now: datetime) -> bool:
    fields = _pairs(token)
    if not {"r", "e", "s"} <= fields.keys():
        return False
    try:
        expiry = dateparser.parse(unquote_plus(fields["e"]))
    except (ValueError, OverflowError):
        return False
    signed = f"r={fields['r']}&e={fields['e']}"
    for key in _keys(namespace):
        try:
            raw = base64.b64decode(key)
        except binascii.Error:
            continue
        if hmac.compare_digest(_b64_hmac(raw, signed), unquote(fields["s"])):
            return _not_expired(expiry, now)
    return False


def check_servicebus_sas(namespace: Namespace, token: str, now: datetime) -> bool:
    fields = _pairs(token)
    if not {"sr", "sig", "se"} <= fields.keys():
        return False
    try:
        expiry = datetime.fromtimestamp(int(fields["se"]), tz=UTC)
    except (ValueError, OverflowError):
        return False
    signed = f"{fields['sr']}\n{fields['se']}"
    for key in _keys(namespace):
        if hmac.compare_digest(_b64_hmac(key.encode(), signed), unquote(fields["sig"])):
            return _not_expired(expiry, now)
    return False


def authenticate(namespace: Namespace, headers, query, now: datetime) -> None:
    """Raise `AuthError` unless one of the accepted credentials is valid."""
    authz = headers.get("Authorization", "")
    scheme, _, value = authz.partition(" ")
    if scheme == "SharedAccessKey" and _key_matches(namespace, value.strip()):
        return
    if scheme == "SharedAccessSignature" and check_servicebus_sas(namespace, value.strip(), now):
        return
    sas_key = headers.get("aeg-sas-key") or query.get("aeg-sas-key")
    if sas_key and _key_matches(namespace, sas_key):
        return
    sas_token = headers.get("aeg-sas-token")
    if sas_token and check_eventgrid_sas(namespace, sas_token, now):
        return
    if authz or sas_key or sas_token:
        raise AuthError("The credential presented is not valid for this namespace.")
    raise AuthError(
        "Missing credential: send 'Authorization: SharedAccessKey <key>', 'aeg-sas-key', "
        "'aeg-sas-token' or 'Authorization: SharedAccessSignature …'."
    )
