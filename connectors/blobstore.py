"""Blob storage back ends: Azure Blob REST over httpx, and a local directory.

Azure: every request goes through `connectors.outbound` and is authorised with
Shared Key (HMAC-SHA256 over the canonical request, `x-ms-version` 2021-08-06)
or a SAS token appended to the URL. Connections take a connection string
(`AccountName=…;AccountKey=…;BlobEndpoint=…` or `…;SharedAccessSignature=…`) or
the fields `accountName`, `accountKey`, `blobEndpoint`, `sasToken`.
Uploads above `SLUICE_BLOB_BLOCK_SIZE` (4 MiB) go as Put Block + Put Block List.

Local: `{"localPath": "/dir"}` (or no connection at all: `SLUICE_BLOB_ROOT`,
default `<data dir>/blobs`) stores `<dir>/<container>/<blob>` with metadata in a
`.<blob>.meta.json` sidecar — the embedded default that needs no server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote

import httpx
from django.conf import settings

from connectors import http_wire, outbound
from connectors.base import ConnectorError

API_VERSION = "2021-08-06"
DEFAULT_BLOCK_SIZE = 4 * 1024 * 1024


@dataclass
class BlobInfo:
    container: str
    name: str
    size: int
    lastModified: str
    etag: str = ""
    contentType: str = "application/octet-stream"
    metadata: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "name": self.name,
            "path": f"/{self.container}/{self.name}",
            "size": self.size,
            "lastModified": self.lastModified,
            "etag": self.etag,
            "contentType": self.contentType,
            "metadata": self.metadata,
        }


class BlobBackend(Protocol):
    def list_containers(self) -> list[str]: ...
    def create_container(self, container: str) -> None: ...
    def list_blobs(self, container: str, prefix: str = "") -> list[BlobInfo]: ...
    def properties(self, container: str, name: str) -> BlobInfo | None: ...
    def read(self, container: str, name: str) -> tuple[bytes, BlobInfo]: ...
    def write(
        self, container: str, name: str, data: bytes, content_type: str, metadata: dict[str, str]
    ) -> BlobInfo: ...
    def set_metadata(self, container: str, name: str, metadata: dict[str, str]) -> None: ...
    def delete(self, container: str, name: str) -> None: ...
    def copy(self, source: tuple[str, str], target: tuple[str, str]) -> BlobInfo: ...


def not_found(container: str, name: str = "") -> ConnectorError:
    what = f"blob '{name}' in container '{container}'" if name else f"container '{container}'"
    return ConnectorError(f"The {what} does not exist.", code="BlobNotFound", status_code=404)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# ------------------------------------------------------------------ connection parsing


def parse_connection_string(text: str) -> dict[str, str]:
    parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    out = {"accountName": parts.get("AccountName", ""), "accountKey": parts.get("AccountKey", "")}
    if parts.get("SharedAccessSignature"):
        out["sasToken"] = parts["SharedAccessSignature"]
    endpoint = parts.get("BlobEndpoint")
    if not endpoint and out["accountName"]:
        protocol = parts.get("DefaultEndpointsProtocol", "https")
        suffix = parts.get("EndpointSuffix", "core.windows.net")
        endpoint = f"{protocol}://{out['accountName']}.blob.{suffix}"
    out["blobEndpoint"] = endpoint or ""
    return out


def backend_for(connection: dict[str, Any] | None) -> BlobBackend:
    conn = dict(connection or {})
    conn = {**(conn.get("parameterValues") or {}), **conn}
    if conn.get("localPath") or not (
        conn.get("connectionString") or conn.get("blobEndpoint") or conn.get("accountName")
    ):
        root = (
            conn.get("localPath")
            or getattr(settings, "SLUICE_BLOB_ROOT", None)
            or Path(settings.DATA_DIR) / "blobs"
        )
        return LocalBlobs(Path(root))
    if conn.get("connectionString"):
        conn = {
            **parse_connection_string(str(conn["connectionString"])),
            **{k: v for k, v in conn.items() if k != "connectionString"},
        }
    if not conn.get("blobEndpoint") and conn.get("accountName"):
        conn["blobEndpoint"] = f"https://{conn['accountName']}.blob.core.windows.net"
    if not conn.get("accountKey") and not conn.get("sasToken"):
        raise ConnectorError(
            "The blob connection needs an account key or a SAS token.", code="InvalidConnection"
        )
    return AzureBlobs(
        str(conn["blobEndpoint"]),
        str(conn.get("accountName") or ""),
        conn.get("accountKey"),
        conn.get("sasToken"),
    )


# ------------------------------------------------------------------ Shared Key


def string_to_sign(request: httpx.Request, account: str) -> str:
    headers = request.headers
    length = headers.get("content-length", "")
    standard = [
        request.method,
        headers.get("content-encoding", ""),
        headers.get("content-language", ""),
        "" if length == "0" else length,
        headers.get("content-md5", ""),
        headers.get("content-type", ""),
        "",
        headers.get("if-modified-since", ""),
        headers.get("if-match", ""),
        headers.get("if-none-match", ""),
        headers.get("if-unmodified-since", ""),
        headers.get("range", ""),
    ]
    ms_headers = sorted(
        (k.lower(), v.strip()) for k, v in headers.items() if k.lower().startswith("x-ms-")
    )
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in ms_headers)
    return "\n".join(standard) + "\n" + canonical_headers + canonical_resource(request, account)


def canonical_resource(request: httpx.Request, account: str) -> str:
    resource = f"/{account}{request.url.raw_path.decode().split('?', 1)[0]}"
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(request.url.query.decode(), keep_blank_values=True):
        params.setdefault(key.lower(), []).append(value)
    for key in sorted(params):
        resource += f"\n{key}:{','.join(sorted(params[key]))}"
    return resource


def sign(request: httpx.Request, account: str, key: str) -> None:
    digest = hmac.new(
        base64.b64decode(key), string_to_sign(request, account).encode(), hashlib.sha256
    ).digest()
    request.headers["Authorization"] = f"SharedKey {account}:{base64.b64encode(digest).decode()}"


# ------------------------------------------------------------------ Azure REST


class AzureBlobs:
    def __init__(self, endpoint: str, account: str, key: str | None, sas: str | None) -> None:
        self.endpoint, self.account, self.key = endpoint.rstrip("/"), account, key
        self.sas = (sas or "").lstrip("?")

    def _url(self, container: str = "", name: str = "") -> str:
        path = "/".join(quote(p, safe="/~") for p in (container, name) if p)
        return f"{self.endpoint}/{path}" if path else f"{self.endpoint}/"

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict | None = None,
        headers: dict | None = None,
        content: bytes | None = None,
        ok: tuple[int, ...] = (200, 201, 202),
    ) -> httpx.Response:
        all_params = dict(params or {})
        if self.sas:
            all_params.update(parse_qsl(self.sas, keep_blank_values=True))
        base = {
            "x-ms-date": format_datetime(datetime.now(UTC), usegmt=True),
            "x-ms-version": API_VERSION,
        }
        with outbound.client() as http:
            request = http.build_request(
                method, url, params=all_params, headers={**base, **(headers or {})}, content=content
            )
            if self.key and not self.sas:
                sign(request, self.account, self.key)
            try:
                response = http_wire.send_capped(http, request)
            except httpx.HTTPError as exc:
                raise http_wire.transport_error(exc, url)
        if response.status_code not in ok:
            self._fail(response)
        return response

    @staticmethod
    def _fail(response: httpx.Response) -> None:
        code = response.headers.get("x-ms-error-code", "")
        if response.status_code == 404:
            raise ConnectorError(
                f"Not found: {code or response.url.path}.", code="BlobNotFound", status_code=404
            )
        if code == "BlobAlreadyExists" or response.status_code == 409:
            raise ConnectorError(f"Conflict: {code}.", code=code or "Conflict", status_code=409)
        http_wire.raise_for_status(response)
        raise ConnectorError(f"Unexpected answer {response.status_code}.", code="BlobRequestFailed")

    def list_containers(self) -> list[str]:
        names, marker = [], ""
        while True:
            xml = ET.fromstring(
                self._send("GET", self._url(), params={"comp": "list", "marker": marker}).content
            )
            names += [n.text or "" for n in xml.iter("Name")]
            marker = xml.findtext("NextMarker") or ""
            if not marker:
                return names

    def create_container(self, container: str) -> None:
        self._send("PUT", self._url(container), params={"restype": "container"}, ok=(201, 409))

    def list_blobs(self, container: str, prefix: str = "") -> list[BlobInfo]:
        blobs, marker = [], ""
        while True:
            params = {
                "restype": "container",
                "comp": "list",
                "include": "metadata",
                "prefix": prefix,
                "marker": marker,
            }
            xml = ET.fromstring(self._send("GET", self._url(container), params=params).content)
            blobs += [self._from_xml(container, b) for b in xml.iter("Blob")]
            marker = xml.findtext("NextMarker") or ""
            if not marker:
                return blobs

    @staticmethod
    def _from_xml(container: str, blob: ET.Element) -> BlobInfo:
        props = blob.find("Properties")
        get = (lambda tag: props.findtext(tag) or "") if props is not None else (lambda tag: "")
        metadata = {m.tag: m.text or "" for m in (blob.find("Metadata") or [])}
        modified = iso(parsedate_to_datetime(get("Last-Modified"))) if get("Last-Modified") else ""
        return BlobInfo(
            container,
            blob.findtext("Name") or "",
            int(get("Content-Length") or 0),
            modified,
            get("Etag").strip('"'),
            get("Content-Type") or "application/octet-stream",
            metadata,
        )

    @staticmethod
    def _from_headers(container: str, name: str, headers: httpx.Headers) -> BlobInfo:
        metadata = {
            k[len("x-ms-meta-") :]: v
            for k, v in headers.items()
            if k.lower().startswith("x-ms-meta-")
        }
        modified = (
            iso(parsedate_to_datetime(headers["last-modified"]))
            if "last-modified" in headers
            else ""
        )
        return BlobInfo(
            container,
            name,
            int(headers.get("content-length") or 0),
            modified,
            headers.get("etag", "").strip('"'),
            headers.get("content-type", "application/octet-stream"),
            metadata,
        )

    def properties(self, container: str, name: str) -> BlobInfo | None:
        try:
            response = self._send("HEAD", self._url(container, name))
        except ConnectorError as exc:
            if exc.status_code == 404:
                return None
            raise
        return self._from_headers(container, name, response.headers)

    def read(self, container: str, name: str) -> tuple[bytes, BlobInfo]:
        response = self._send("GET", self._url(container, name))
        return response.content, self._from_headers(container, name, response.headers)

    def write(
        self, container: str, name: str, data: bytes, content_type: str, metadata: dict[str, str]
    ) -> BlobInfo:
        headers = {
            "x-ms-blob-content-type": content_type,
            **{f"x-ms-meta-{k}": str(v) for k, v in metadata.items()},
        }
        block = int(getattr(settings, "SLUICE_BLOB_BLOCK_SIZE", DEFAULT_BLOCK_SIZE))
        if len(data) <= block:
            self._send(
                "PUT",
                self._url(container, name),
                headers={**headers, "x-ms-blob-type": "BlockBlob"},
                content=data,
            )
        else:
            self._put_blocks(container, name, data, block, headers)
        info = self.properties(container, name)
        if info is None:  # pragma: no cover - the server just confirmed the write
            raise not_found(container, name)
        return info

    def _put_blocks(
        self, container: str, name: str, data: bytes, block: int, headers: dict[str, str]
    ) -> None:
        ids = []
        for index, start in enumerate(range(0, len(data), block)):
            block_id = base64.b64encode(f"block-{index:08d}".encode()).decode()
            self._send(
                "PUT",
                self._url(container, name),
                params={"comp": "block", "blockid": block_id},
                content=data[start : start + block],
            )
            ids.append(block_id)
        body = (
            "<?xml version='1.0' encoding='utf-8'?><BlockList>"
            + "".join(f"<Latest>{i}</Latest>" for i in ids)
            + "</BlockList>"
        )
        self._send(
            "PUT",
            self._url(container, name),
            params={"comp": "blocklist"},
            headers=headers,
            content=body.encode(),
        )

    def set_metadata(self, container: str, name: str, metadata: dict[str, str]) -> None:
        headers = {f"x-ms-meta-{k}": str(v) for k, v in metadata.items()}
        self._send("PUT", self._url(container, name), params={"comp": "metadata"}, headers=headers)

    def delete(self, container: str, name: str) -> None:
        self._send("DELETE", self._url(container, name))

    def copy(self, source: tuple[str, str], target: tuple[str, str]) -> BlobInfo:
        source_url = self._url(*source) + (f"?{self.sas}" if self.sas else "")
        self._send("PUT", self._url(*target), headers={"x-ms-copy-source": source_url})
        info = self.properties(*target)
        if info is None:
            raise not_found(*target)
        return info


# ------------------------------------------------------------------ local directory


class LocalBlobs:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, container: str, name: str = "") -> Path:
        path = (self.root / container / name).resolve()
        if self.root not in path.parents and path != self.root:
            raise ConnectorError(
                f"The blob path '{container}/{name}' leaves the store.", code="InvalidBlobName"
            )
        return path

    @staticmethod
    def _meta_path(path: Path) -> Path:
        return path.with_name(f".{path.name}.meta.json")

    def list_containers(self) -> list[str]:
        return (
            sorted(p.name for p in self.root.iterdir() if p.is_dir()) if self.root.exists() else []
        )

    def create_container(self, container: str) -> None:
        self._path(container).mkdir(parents=True, exist_ok=True)

    def _info(self, container: str, name: str, path: Path) -> BlobInfo:
        meta_path = self._meta_path(path)
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        stat = path.stat()
        etag = f"{stat.st_mtime_ns:x}-{stat.st_size:x}"
        modified = iso(datetime.fromtimestamp(stat.st_mtime, UTC))
        return BlobInfo(
            container,
            name,
            stat.st_size,
            modified,
            etag,
            meta.get("contentType", "application/octet-stream"),
            meta.get("metadata", {}),
        )

    def list_blobs(self, container: str, prefix: str = "") -> list[BlobInfo]:
        base = self._path(container)
        if not base.is_dir():
            raise not_found(container)
        names = sorted(
            p.relative_to(base).as_posix()
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )
        return [self._info(container, n, base / n) for n in names if n.startswith(prefix)]

    def properties(self, container: str, name: str) -> BlobInfo | None:
        path = self._path(container, name)
        return self._info(container, name, path) if path.is_file() else None

    def read(self, container: str, name: str) -> tuple[bytes, BlobInfo]:
        info = self.properties(container, name)
        if info is None:
            raise not_found(container, name)
        return self._path(container, name).read_bytes(), info

    def write(
        self, container: str, name: str, data: bytes, content_type: str, metadata: dict[str, str]
    ) -> BlobInfo:
        if not self._path(container).is_dir():
            raise not_found(container)
        path = self._path(container, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.uploading")
        temp.write_bytes(data)
        os.replace(temp, path)
        self._meta_path(path).write_text(
            json.dumps({"contentType": content_type, "metadata": metadata})
        )
        return self._info(container, name, path)

    def set_metadata(self, container: str, name: str, metadata: dict[str, str]) -> None:
        info = self.properties(container, name)
        if info is None:
            raise not_found(container, name)
        self._meta_path(self._path(container, name)).write_text(
            json.dumps({"contentType": info.contentType, "metadata": metadata})
        )

    def delete(self, container: str, name: str) -> None:
        path = self._path(container, name)
        if not path.is_file():
            raise not_found(container, name)
        path.unlink()
        self._meta_path(path).unlink(missing_ok=True)

    def copy(self, source: tuple[str, str], target: tuple[str, str]) -> BlobInfo:
        data, info = self.read(*source)
        return self.write(*target, data, info.contentType, info.metadata)


def account_sas(account: str, key: str, expiry: datetime, permissions: str = "rwdlacup") -> str:
    """An account SAS for the blob service (all resource types), e.g. to hand a
    partner scoped access or to test SAS authentication."""
    expires = expiry.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = [account, permissions, "b", "sco", "", expires, "", "", API_VERSION, ""]
    digest = hmac.new(
        base64.b64decode(key), ("\n".join(fields) + "\n").encode(), hashlib.sha256
    ).digest()
    query = {
        "sv": API_VERSION,
        "ss": "b",
        "srt": "sco",
        "sp": permissions,
        "se": expires,
        "sig": base64.b64encode(digest).decode(),
    }
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
