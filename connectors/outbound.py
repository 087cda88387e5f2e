"""The one seam for outbound network traffic: every httpx client is built here.

Why one module: timeouts, the User-Agent, client certificates, extra trusted CAs
and — most importantly — the private-address guard must apply to every request
a workflow can make, including each hop of a redirect. A workflow author controls
URLs; without the guard a definition could reach the metadata service, the
database or anything else on the host's networks (SSRF).

The guard resolves the host and refuses the request if *any* address is private,
loopback, link-local, unique-local, multicast, reserved or unspecified, unless the
host is listed in `settings.SLUICE_HTTP_ALLOWED_HOSTS` (tests list
`127.0.0.1,localhost`). FTP and SFTP connectors call `check_host()` too.

Pitfall: the check resolves the name, then the socket resolves it again; a
DNS-rebinding attacker with a TTL-0 record could race the two. Pinning the
resolved address into the connection is future work.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
import tempfile
from typing import Any

import httpx
from django.conf import settings

from connectors.base import ConnectorError

USER_AGENT = "Sluice/0.1 (+https://github.com/sluice; Logic Apps compatible)"
DEFAULT_TIMEOUT = 120.0


class BlockedAddressError(ConnectorError):
    """The target resolves to an address workflows may not reach."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(
            f"Refusing to connect to '{host}': it resolves to {address}, a private, "
            "loopback, link-local or otherwise non-public address. Add the host to "
            "SLUICE_HTTP_ALLOWED_HOSTS to allow it.",
            code="PrivateAddressRefused",
        )


def allowed_hosts() -> set[str]:
    hosts = getattr(settings, "SLUICE_HTTP_ALLOWED_HOSTS", []) or []
    if isinstance(hosts, str):
        hosts = hosts.split(",")
    return {h.strip().lower().strip("[]") for h in hosts if h.strip()}


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
    )


def resolve(host: str, port: int | None = None) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port or 0, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConnectorError(f"Cannot resolve host '{host}': {exc}", code="HostNotFound")
    return sorted({str(info[4][0]) for info in infos})


def check_host(host: str, port: int | None = None) -> None:
    """Raise `BlockedAddressError` unless every address of `host` is public
    (or the host is explicitly allowed)."""
    name = host.strip().lower().strip("[]")
    if name in allowed_hosts():
        return
    for address in resolve(name, port):
        if not is_public(address):
            raise BlockedAddressError(host, address)


class GuardedTransport(httpx.HTTPTransport):
    """Checks the destination of every request, redirects included."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_host(request.url.host, request.url.port)
        return super().handle_request(request)


def ssl_context(client_cert: dict[str, Any] | None = None) -> ssl.SSLContext:
    """Default trust plus `SLUICE_HTTP_CA_FILE` (if set), with an optional client
    certificate `{"certfile", "keyfile", "password"}` or `{"pem": …}`."""
    ctx = ssl.create_default_context()
    ca_file = getattr(settings, "SLUICE_HTTP_CA_FILE", None) or os.environ.get(
        "SLUICE_HTTP_CA_FILE"
    )
    if ca_file:
        ctx.load_verify_locations(cafile=ca_file)
    if client_cert:
        _load_client_cert(ctx, client_cert)
    return ctx


def _load_client_cert(ctx: ssl.SSLContext, cert: dict[str, Any]) -> None:
    password = cert.get("password") or None
    if "pem" not in cert:
        ctx.load_cert_chain(cert["certfile"], cert.get("keyfile"), password)
        return
    # ssl only loads chains from files: write the PEM to a private temp file.
    with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=True) as handle:
        os.chmod(handle.name, 0o600)
        handle.write(cert["pem"])
        handle.flush()
        ctx.load_cert_chain(handle.name, password=password)


def client(
    *,
    timeout: float | None = None,
    client_cert: dict[str, Any] | None = None,
    follow_redirects: bool = True,
) -> httpx.Client:
    """A guarded httpx client. Always use it as a context manager."""
    seconds = timeout or getattr(settings, "SLUICE_HTTP_TIMEOUT", DEFAULT_TIMEOUT)
    ctx = ssl_context(client_cert)
    return httpx.Client(
        transport=GuardedTransport(verify=ctx, retries=0),
        timeout=httpx.Timeout(seconds),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=follow_redirects,
        max_redirects=10,
    )
