"""SFTP (paramiko): the file operations and the "when files are added or
modified" trigger, as `ServiceProvider/Sftp/<operationId>`.

Host keys are verified, never trusted on first use: the connection's
`hostKeyFingerprint` is the OpenSSH SHA256 form (`SHA256:base64…`, as
`ssh-keygen -lf` prints it); a mismatch fails with both fingerprints in the
message. Only `acceptAnyHostKey: true` (for tests and labs) skips the check.
Authentication: password, or `privateKey` (PEM/OpenSSH text, RSA, ECDSA or
Ed25519) with an optional `passphrase`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import socket
import stat as statmod
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import paramiko

from connectors import outbound
from connectors.base import ConnectorError, RetryableError
from connectors.files import FileInfo, FileNotFound, file_operations, files_trigger

CONNECT_TIMEOUT = 20.0


def fingerprint(key: paramiko.PKey) -> str:
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def _same_fingerprint(expected: str, actual: str) -> bool:
    def clean(value: str) -> str:
        return value.strip().removeprefix("SHA256:").rstrip("=")

    return clean(expected) == clean(actual)


def load_private_key(text: str, passphrase: str | None) -> paramiko.PKey:
    errors = []
    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return key_class.from_private_key(io.StringIO(text), password=passphrase or None)
        except paramiko.PasswordRequiredException:
            raise ConnectorError(
                "The private key is encrypted: set 'passphrase'.", code="InvalidPrivateKey"
            )
        except (paramiko.SSHException, ValueError) as exc:
            errors.append(str(exc))
    raise ConnectorError(
        "The private key could not be read (RSA, ECDSA or Ed25519 PEM/OpenSSH expected).",
        code="InvalidPrivateKey",
    )


def _connect(conn: dict[str, Any]) -> paramiko.Transport:
    host, port = str(conn.get("host") or ""), int(conn.get("port") or 22)
    if not host:
        raise ConnectorError("The SFTP connection needs a 'host'.", code="InvalidConnection")
    outbound.check_host(host, port)
    try:
        sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        raise RetryableError(
            f"Cannot connect to SFTP server {host}:{port}: {exc}", code="ConnectionFailed"
        )
    transport = paramiko.Transport(sock)
    try:
        transport.start_client(timeout=CONNECT_TIMEOUT)
        _verify_host_key(transport, conn)
        _authenticate(transport, conn)
    except paramiko.SSHException as exc:
        transport.close()
        raise RetryableError(
            f"SSH negotiation with {host}:{port} failed: {exc}", code="ConnectionFailed"
        )
    except Exception:
        transport.close()
        raise
    return transport


def _verify_host_key(transport: paramiko.Transport, conn: dict[str, Any]) -> None:
    actual = fingerprint(transport.get_remote_server_key())
    expected = conn.get("hostKeyFingerprint")
    if expected and _same_fingerprint(str(expected), actual):
        return
    if not expected and conn.get("acceptAnyHostKey") in (True, "true", "True"):
        return
    if not expected:
        raise ConnectorError(
            f"The SFTP connection has no hostKeyFingerprint; the server presented {actual}. "
            "Verify it out of band and store it in the connection.",
            code="HostKeyNotConfigured",
        )
    raise ConnectorError(
        f"Host key mismatch: expected {expected}, the server presented {actual}. "
        "The server may have been replaced or the connection is being intercepted.",
        code="HostKeyMismatch",
    )


def _authenticate(transport: paramiko.Transport, conn: dict[str, Any]) -> None:
    username = str(conn.get("username") or "")
    try:
        if conn.get("privateKey"):
            key = load_private_key(str(conn["privateKey"]), conn.get("passphrase"))
            transport.auth_publickey(username, key)
        else:
            transport.auth_password(username, str(conn.get("password") or ""))
    except paramiko.AuthenticationException as exc:
        raise ConnectorError(
            f"SFTP authentication failed for '{username}': {exc}", code="AuthenticationFailed"
        )


class SftpSession:
    def __init__(self, client: paramiko.SFTPClient) -> None:
        self.client = client

    @staticmethod
    def _info(path: str, attrs: paramiko.SFTPAttributes) -> FileInfo:
        modified = (
            datetime.fromtimestamp(attrs.st_mtime or 0, UTC).isoformat().replace("+00:00", "Z")
        )
        name = path.rstrip("/").rsplit("/", 1)[-1]
        folder = statmod.S_ISDIR(attrs.st_mode or 0)
        return FileInfo(name, path, int(attrs.st_size or 0), modified, folder)

    def list(self, folder: str) -> list[FileInfo]:
        try:
            entries = self.client.listdir_attr(folder)
        except FileNotFoundError:
            raise FileNotFound(folder)
        base = folder.rstrip("/")
        return sorted(
            (self._info(f"{base}/{e.filename}", e) for e in entries), key=lambda f: f.path
        )

    def stat(self, path: str) -> FileInfo | None:
        try:
            return self._info(path, self.client.stat(path))
        except FileNotFoundError:
            return None

    def read(self, path: str) -> bytes:
        with self.client.open(path, "rb") as handle:
            return handle.read()

    def write(self, path: str, data: bytes) -> None:
        with self.client.open(path, "wb") as handle:
            handle.set_pipelined(True)
            handle.write(data)

    def delete(self, path: str) -> None:
        self.client.remove(path)

    def rename(self, source: str, target: str) -> None:
        self.client.posix_rename(source, target)


@contextmanager
def open_sftp(conn: dict[str, Any]) -> Iterator[SftpSession]:
    transport = _connect(conn)
    try:
        client = paramiko.SFTPClient.from_transport(transport)
        if client is None:
            raise RetryableError("The server refused the SFTP subsystem.", code="ConnectionFailed")
        try:
            yield SftpSession(client)
        except PermissionError as exc:
            raise ConnectorError(
                f"Permission denied: {exc}", code="PermissionDenied", status_code=403
            )
        except OSError as exc:
            if isinstance(exc, FileNotFoundError):
                raise FileNotFound(str(exc.filename or exc))
            raise ConnectorError(f"SFTP operation failed: {exc}", code="SftpFailed")
        finally:
            client.close()
    finally:
        transport.close()


OPERATIONS = file_operations("Sftp", "SFTP", open_sftp)
TRIGGER = files_trigger("Sftp", "SFTP", open_sftp)
