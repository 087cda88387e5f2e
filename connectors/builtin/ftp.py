"""FTP and FTPS (ftplib): the file operations and the "when files are added or
modified" trigger, as `ServiceProvider/Ftp/<operationId>`.

`tls: true` uses explicit FTPS (AUTH TLS, then `PROT P` so data connections are
encrypted too) and verifies the server certificate with `outbound.ssl_context()`
(system CAs plus `SLUICE_HTTP_CA_FILE`). Plain FTP stays the default, as in
Logic Apps, but sends the password in clear: prefer FTPS or SFTP.

Listings use MLSD (exact sizes and UTC modification times); servers without it
fall back to NLST + SIZE + MDTM.
"""

from __future__ import annotations

import ftplib
import io
import posixpath
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from connectors import outbound
from connectors.base import ConnectorError, RetryableError
from connectors.files import FileInfo, FileNotFound, file_operations, files_trigger

TIMEOUT = 30.0


def _mtime(fact: str | None) -> str:
    if not fact:
        return "1970-01-01T00:00:00Z"
    moment = datetime.strptime(fact[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return moment.isoformat().replace("+00:00", "Z")


def _is_tls(value: Any) -> bool:
    return value in (True, "true", "True", "explicit", "Explicit", 1)


class FtpSession:
    def __init__(self, ftp: ftplib.FTP) -> None:
        self.ftp = ftp

    def list(self, folder: str) -> list[FileInfo]:
        try:
            entries = list(self.ftp.mlsd(folder, facts=["type", "size", "modify"]))
        except ftplib.error_perm as exc:
            if str(exc).startswith("550"):
                raise FileNotFound(folder)
            return self._list_fallback(folder)
        base = folder.rstrip("/")
        infos = [
            FileInfo(
                name,
                f"{base}/{name}",
                int(facts.get("size", 0) or 0),
                _mtime(facts.get("modify")),
                facts.get("type") == "dir",
            )
            for name, facts in entries
            if facts.get("type") not in ("cdir", "pdir")
        ]
        return sorted(infos, key=lambda f: f.path)

    def _list_fallback(self, folder: str) -> list[FileInfo]:
        names = [posixpath.basename(n) for n in self.ftp.nlst(folder)]
        base = folder.rstrip("/")
        return [i for i in (self.stat(f"{base}/{n}") for n in sorted(names)) if i is not None]

    def stat(self, path: str) -> FileInfo | None:
        parent, name = posixpath.split(path)
        try:
            listing = self.list(parent or "/")
        except FileNotFound:
            return None
        return next((f for f in listing if f.name == name), None)

    def read(self, path: str) -> bytes:
        buffer = io.BytesIO()
        self.ftp.retrbinary(f"RETR {path}", buffer.write)
        return buffer.getvalue()

    def write(self, path: str, data: bytes) -> None:
        self.ftp.storbinary(f"STOR {path}", io.BytesIO(data))

    def delete(self, path: str) -> None:
        self.ftp.delete(path)

    def rename(self, source: str, target: str) -> None:
        self.ftp.rename(source, target)


def _connect(conn: dict[str, Any]) -> ftplib.FTP:
    host, port = str(conn.get("host") or ""), int(conn.get("port") or 21)
    if not host:
        raise ConnectorError("The FTP connection needs a 'host'.", code="InvalidConnection")
    outbound.check_host(host, port)
    tls = _is_tls(conn.get("tls"))
    ftp = (
        ftplib.FTP_TLS(context=outbound.ssl_context(), timeout=TIMEOUT)
        if tls
        else ftplib.FTP(timeout=TIMEOUT)
    )
    try:
        ftp.connect(host, port)
        ftp.login(str(conn.get("username") or "anonymous"), str(conn.get("password") or ""))
        if tls:
            ftp.prot_p()
    except ftplib.error_perm as exc:
        ftp.close()
        raise ConnectorError(
            f"FTP login to {host}:{port} failed: {exc}", code="AuthenticationFailed"
        )
    except ssl.SSLError as exc:
        ftp.close()
        raise ConnectorError(f"FTPS handshake with {host}:{port} failed: {exc}", code="TlsFailed")
    except (OSError, EOFError, ftplib.Error) as exc:
        ftp.close()
        raise RetryableError(
            f"Cannot connect to FTP server {host}:{port}: {exc}", code="ConnectionFailed"
        )
    return ftp


@contextmanager
def open_ftp(conn: dict[str, Any]) -> Iterator[FtpSession]:
    ftp = _connect(conn)
    try:
        yield FtpSession(ftp)
    except ftplib.error_perm as exc:
        if str(exc).startswith("550"):
            raise FileNotFound(str(exc)[4:])
        raise ConnectorError(f"FTP operation refused: {exc}", code="FtpFailed")
    except (TimeoutError, ftplib.error_temp, ConnectionError) as exc:
        raise RetryableError(f"FTP operation failed: {exc}", code="ConnectionFailed")
    finally:
        try:
            ftp.quit()
        except (OSError, EOFError, ftplib.Error):
            ftp.close()


OPERATIONS = file_operations("Ftp", "FTP", open_ftp)
TRIGGER = files_trigger("Ftp", "FTP", open_ftp)
