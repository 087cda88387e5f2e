"""`$cbs`: claims-based security. The SDKs put a SAS token for each entity
(`put-token`) before attaching to it; the token is checked against the
namespace's two keys (`broker.auth`), and the connection is then authorized for
the token's resource path and everything below it until the token expires.

A bad token gets status 401 in the put-token response (never silence): the SDK
then fails at once with an authentication error instead of timing out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote_plus, urlparse

from proton import Message, int32

from broker.amqp.nodes import RequestNode
from broker.auth import check_servicebus_sas


def _fields(token: str) -> dict[str, str]:
    out = {}
    for part in token.split("&"):
        name, _, value = part.partition("=")
        out[name.strip()] = value
    return out


def resource_path(audience: str) -> str:
    """`sb://host/q1` (or `amqps://host/q1`, `host/q1`) -> `q1`."""
    audience = unquote_plus(audience or "")
    if "://" in audience:
        return urlparse(audience).path.strip("/")
    return audience.partition("/")[2].strip("/")


def verify_token(namespace, token: str) -> tuple[str, float] | None:
    """(authorized path, expiry epoch) for a valid SAS token, else None."""
    if not isinstance(token, str):
        return None
    token = token.strip()
    if token.startswith("SharedAccessSignature "):
        token = token[len("SharedAccessSignature ") :].strip()
    fields = _fields(token)
    if not check_servicebus_sas(namespace, token, datetime.now(UTC)):
        return None
    return resource_path(fields.get("sr", "")), float(fields["se"])


def password_is_valid(namespace, password: str) -> bool:
    """SASL PLAIN: the password is a namespace key or a namespace-wide SAS token."""
    if password in (namespace.primary_key, namespace.secondary_key):
        return True
    verified = verify_token(namespace, password)
    return verified is not None and verified[0] == ""


def status(code: int, description: str) -> dict:
    return {"status-code": int32(code), "status-description": description}


class CbsNode(RequestNode):
    def respond(self, request: Message) -> Message:
        props = request.properties or {}
        if props.get("operation") != "put-token":
            return Message(
                properties=status(400, f"Unsupported operation {props.get('operation')!r}.")
            )
        verified = verify_token(self.conn.server.namespace(), request.body)
        if verified is None:
            return Message(
                properties=status(
                    401, "InvalidSignature: the token's signature or expiry is not valid."
                )
            )
        path, expires = verified
        self.conn.authorize(path, expires)
        return Message(properties=status(202, "Accepted"))
