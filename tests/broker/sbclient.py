"""A tiny Service Bus REST client for the tests, signing like the Azure SDKs do
(`SharedAccessSignature sr=…&sig=…&se=…&skn=…`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import quote_plus

import httpx


def sas_token(
    uri: str, key: str, key_name: str = "RootManageSharedAccessKey", ttl: int = 3600
) -> str:
    expiry = str(int(time.time()) + ttl)
    sr = quote_plus(uri)
    sig = base64.b64encode(
        hmac.new(key.encode(), f"{sr}\n{expiry}".encode(), hashlib.sha256).digest()
    )
    return (
        f"SharedAccessSignature sr={sr}&sig={quote_plus(sig.decode())}&se={expiry}&skn={key_name}"
    )


class ServiceBus:
    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": sas_token(url, key)}, timeout=60
        )

    def send(
        self, entity: str, body: bytes | str = b"", props: dict | None = None, **headers
    ) -> httpx.Response:
        if props is not None:
            headers["BrokerProperties"] = json.dumps(props)
        return self.http.post(f"/{entity}/messages", content=body, headers=headers)

    def send_batch(self, entity: str, items: list[dict]) -> httpx.Response:
        return self.http.post(
            f"/{entity}/messages",
            content=json.dumps(items),
            headers={"Content-Type": "application/vnd.microsoft.servicebus.json"},
        )

    def peek_lock(self, entity: str, timeout: int = 0, **params) -> httpx.Response:
        return self.http.post(f"/{entity}/messages/head", params={"timeout": timeout, **params})

    def receive_delete(self, entity: str, timeout: int = 0) -> httpx.Response:
        return self.http.delete(f"/{entity}/messages/head", params={"timeout": timeout})

    @staticmethod
    def props(response: httpx.Response) -> dict:
        return json.loads(response.headers["BrokerProperties"])

    def settle(
        self, entity: str, response: httpx.Response, method: str, action: str = "", **kw
    ) -> httpx.Response:
        p = self.props(response)
        path = f"/{entity}/messages/{p['SequenceNumber']}/{p['LockToken']}" + (
            f"/{action}" if action else ""
        )
        return self.http.request(method, path, **kw)

    def complete(self, entity, response):
        return self.settle(entity, response, "DELETE")

    def abandon(self, entity, response):
        return self.settle(entity, response, "PUT")

    def renew(self, entity, response):
        return self.settle(entity, response, "POST")
