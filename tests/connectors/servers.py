"""Real local servers for connector tests (all bound to 127.0.0.1).

`HttpServer` is a threaded `http.server` whose routes are plain functions
`(Request) -> (status, headers, body)`; `tls_material()` makes a throwaway CA,
a server certificate for 127.0.0.1 and a client certificate with `cryptography`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    client_cert: dict | None = None

    def json(self) -> Any:
        return json.loads(self.body)


Reply = tuple[int, dict[str, str], bytes | str | dict | list | None]
Route = Callable[[Request], Reply]


@dataclass
class HttpServer:
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)
    ssl_context: ssl.SSLContext | None = None

    def start(self) -> HttpServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                cert = (
                    self.connection.getpeercert()
                    if hasattr(self.connection, "getpeercert")
                    else None
                )
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                    cert,
                )
                server.log.append(request)
                route = server.routes.get(parts.path)
                status, headers, body = route(request) if route else (404, {}, b"no route")
                self._reply(status, headers, body)

            def _reply(self, status: int, headers: dict[str, str], body: Any) -> None:
                if isinstance(body, dict | list):
                    body = json.dumps(body).encode()
                    headers = {"Content-Type": "application/json", **headers}
                elif isinstance(body, str):
                    body = body.encode()
                body = body or b""
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if self.ssl_context:
            self.httpd.socket = self.ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ------------------------------------------------------------------ certificates


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _cert(subject: str, key, issuer_name: x509.Name, issuer_key, *, ca: bool, san: bool = False):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass
class TlsMaterial:
    ca_file: Path
    server_cert: Path
    server_key: Path
    client_pem: str  # key + certificate
    client_pfx_b64: str
    client_pfx_password: str


def tls_material(directory: Path) -> TlsMaterial:
    import base64

    from cryptography.hazmat.primitives.serialization import pkcs12

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Sluice Test CA", ca_key, _name("Sluice Test CA"), ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _cert("127.0.0.1", server_key, ca.subject, ca_key, ca=False, san=True)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _cert("sluice-client", client_key, ca.subject, ca_key, ca=False)
    files = {
        "ca.pem": ca.public_bytes(serialization.Encoding.PEM),
        "server.pem": server.public_bytes(serialization.Encoding.PEM),
        "server.key": _pem_key(server_key),
    }
    for name, data in files.items():
        (directory / name).write_bytes(data)
    pfx = pkcs12.serialize_key_and_certificates(
        b"client", client_key, client, None, serialization.BestAvailableEncryption(b"pfx-pw")
    )
    client_pem = (
        _pem_key(client_key).decode() + client.public_bytes(serialization.Encoding.PEM).decode()
    )
    return TlsMaterial(
        directory / "ca.pem",
        directory / "server.pem",
        directory / "server.key",
        client_pem,
        base64.b64encode(pfx).decode(),
        "pfx-pw",
    )


def server_tls_context(material: TlsMaterial, *, require_client_cert: bool) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(material.server_cert, material.server_key)
    if require_client_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=material.ca_file)
    return ctx
