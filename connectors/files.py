"""What the file connectors (SFTP, FTP) share; blob storage borrows the inputs,
content helpers and `remember`.

- `ProviderInputs`: inputs of Standard built-in (`ServiceProvider`) operations.
  They accept both the connector's own shape and the raw WDL shape
  `{"parameters": {…}, "serviceProviderConfiguration": {"connectionName": …}}`,
  so the engine can validate either.
- `resolve_connection`: a `connection` input is an inline object or the name of
  a connection record from `ActionContext.connections` (aliases such as
  `sshHostAddress`, `userName`, `portNumber` from Logic Apps are accepted).
- `file_operations(...)`: the eight file operations (listFolder, getFileContent,
  getFileMetadata, createFile, updateFile, deleteFile, renameFile, copyFile)
  built once for any `FileSession` implementation, plus the
  `whenFilesAreAddedOrModified` polling trigger.
- `diff_listing` (pure): which files are new or changed since the last poll,
  keyed by path with a `lastModified|size` marker, so a restart never refires.

Content: text that decodes as UTF-8 is returned as a string, anything else as
`{"$content-type", "$content"}` (base64); inputs accept both forms.
"""

from __future__ import annotations

import base64
import mimetypes
import posixpath
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.base import ActionContext, Connector, ConnectorError, PollResult, Trigger
from connectors.registry import inputs_of, register, register_trigger

ALIASES = {
    "host": ("host", "hostName", "hostname", "sshHostAddress", "serverAddress", "server"),
    "port": ("port", "portNumber"),
    "username": ("username", "userName", "user"),
    "password": ("password",),
    "privateKey": ("privateKey", "sshPrivateKey"),
    "passphrase": ("passphrase", "sshPrivateKeyPassphrase", "privateKeyPassphrase"),
    "hostKeyFingerprint": ("hostKeyFingerprint", "sshHostKeyFingerprint"),
    "acceptAnyHostKey": ("acceptAnyHostKey",),
    "tls": ("tls", "useTls", "enableSsl", "isSSL"),
    "rootFolder": ("rootFolder",),
}


class FileNotFound(ConnectorError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"The file or folder '{path}' does not exist.", code="FileNotFound", status_code=404
        )


class ProviderInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connection: dict[str, Any] | str | None = Field(
        default=None, description="Inline connection object, or the name of a connection record."
    )

    @model_validator(mode="before")
    @classmethod
    def _unwrap_wdl(cls, data: Any) -> Any:
        if isinstance(data, dict) and (
            "parameters" in data or "serviceProviderConfiguration" in data
        ):
            return inputs_of("ServiceProvider", data)
        return data


def resolve_connection(
    value: dict[str, Any] | str | None, context: ActionContext
) -> dict[str, Any]:
    if isinstance(value, str):
        if value not in (context.connections or {}):
            raise ConnectorError(
                f"No connection named '{value}' is configured.", code="ConnectionNotFound"
            )
        value = context.connections[value]
    if not isinstance(value, dict) or not value:
        raise ConnectorError(
            "A 'connection' (object or connection name) is required.", code="ConnectionNotFound"
        )
    merged = {**(value.get("parameterValues") or {}), **value}
    return {
        key: next((merged[a] for a in names if a in merged), None) for key, names in ALIASES.items()
    }


@dataclass
class FileInfo:
    name: str
    path: str
    size: int
    lastModified: str
    isFolder: bool = False

    @property
    def mediaType(self) -> str:
        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "mediaType": self.mediaType}


class FileSession(Protocol):
    def list(self, folder: str) -> list[FileInfo]: ...
    def stat(self, path: str) -> FileInfo | None: ...
    def read(self, path: str) -> bytes: ...
    def write(self, path: str, data: bytes) -> None: ...
    def delete(self, path: str) -> None: ...
    def rename(self, source: str, target: str) -> None: ...


OpenSession = Callable[[dict[str, Any]], AbstractContextManager[FileSession]]


def content_out(data: bytes, name: str = "") -> Any:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return {"$content-type": media, "$content": base64.b64encode(data).decode()}


def content_in(value: Any) -> bytes:
    if isinstance(value, dict) and "$content" in value:
        try:
            return base64.b64decode(str(value["$content"]), validate=True)
        except ValueError:
            raise ConnectorError("'$content' must be base64 text.", code="InvalidContent")
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    import json

    return json.dumps(value).encode("utf-8")


def normalize(path: str) -> str:
    clean = posixpath.normpath("/" + str(path or "").strip().lstrip("/"))
    return "/" if clean in ("", ".") else clean


# ------------------------------------------------------------------ poll-state diffing


def marker(info: FileInfo) -> str:
    return f"{info.lastModified}|{info.size}"


def diff_listing(
    listing: list[FileInfo], seen: dict[str, str]
) -> tuple[list[FileInfo], dict[str, str]]:
    """Files new or changed since `seen`, and the markers to remember. Files that
    disappeared are forgotten, so one recreated later fires again."""
    current = {f.path: marker(f) for f in listing if not f.isFolder}
    changed = [f for f in listing if not f.isFolder and seen.get(f.path) != current[f.path]]
    return sorted(changed, key=lambda f: (f.lastModified, f.path)), current


# ------------------------------------------------------------------ operations


class FolderInputs(ProviderInputs):
    folderPath: str = Field(default="/", description="Folder to list.")


class FileInputs(ProviderInputs):
    filePath: str


class WriteInputs(FileInputs):
    fileContent: Any = Field(default="", description="Text, JSON, or {$content-type, $content}.")
    overwrite: bool = False


class MoveInputs(FileInputs):
    newFilePath: str = Field(description="The destination path.")
    overwrite: bool = False


class CopyInputs(ProviderInputs):
    sourceFilePath: str
    destinationFilePath: str
    overwrite: bool = False


class TriggerInputs(ProviderInputs):
    folderPath: str = "/"
    includeFileContent: bool = False
    splitOn: bool = Field(default=True, description="One run per file (true) or one run per batch.")
    maxFileCount: int = Field(default=100, ge=1, le=1000)
    fireOnExisting: bool = Field(
        default=False, description="Fire for files present at the first poll."
    )


class FileOperation(Connector):
    """Base of the generated operations: resolve the connection, open a session, act."""

    open_session: ClassVar[OpenSession]
    operation: ClassVar[str]

    def run(self, inputs: Any, context: ActionContext) -> Any:
        connection = resolve_connection(inputs.connection, context)
        with type(self).open_session(connection) as session:
            return self.perform(session, inputs)

    def perform(self, session: FileSession, inputs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


def _require(session: FileSession, path: str) -> FileInfo:
    info = session.stat(path)
    if info is None:
        raise FileNotFound(path)
    return info


def _refuse_existing(session: FileSession, path: str, overwrite: bool) -> None:
    if not overwrite and session.stat(path) is not None:
        raise ConnectorError(
            f"'{path}' already exists; set overwrite to replace it.",
            code="FileAlreadyExists",
            status_code=409,
        )


def op_list(session: FileSession, inputs: FolderInputs) -> Any:
    return [f.as_dict() for f in session.list(normalize(inputs.folderPath))]


def read_bounded(session: FileSession, info: FileInfo) -> bytes:
    """Read a file unless it is larger than `SLUICE_FILE_MAX_BYTES` (100 MiB)."""
    from django.conf import settings

    limit = int(getattr(settings, "SLUICE_FILE_MAX_BYTES", 100 * 1024 * 1024))
    if info.size > limit:
        raise ConnectorError(
            f"'{info.path}' is {info.size} bytes, more than the {limit} bytes an action may read.",
            code="FileTooLarge",
        )
    return session.read(info.path)


def op_get_content(session: FileSession, inputs: FileInputs) -> Any:
    info = _require(session, normalize(inputs.filePath))
    return content_out(read_bounded(session, info), info.path)


def op_get_metadata(session: FileSession, inputs: FileInputs) -> Any:
    return _require(session, normalize(inputs.filePath)).as_dict()


def op_create(session: FileSession, inputs: WriteInputs) -> Any:
    path = normalize(inputs.filePath)
    _refuse_existing(session, path, inputs.overwrite)
    session.write(path, content_in(inputs.fileContent))
    return _require(session, path).as_dict()


def op_update(session: FileSession, inputs: WriteInputs) -> Any:
    path = normalize(inputs.filePath)
    _require(session, path)
    session.write(path, content_in(inputs.fileContent))
    return _require(session, path).as_dict()


def op_delete(session: FileSession, inputs: FileInputs) -> Any:
    path = normalize(inputs.filePath)
    _require(session, path)
    session.delete(path)
    return {"deleted": path}


def op_rename(session: FileSession, inputs: MoveInputs) -> Any:
    source, target = normalize(inputs.filePath), normalize(inputs.newFilePath)
    _require(session, source)
    _refuse_existing(session, target, inputs.overwrite)
    if inputs.overwrite and session.stat(target) is not None:
        session.delete(target)
    session.rename(source, target)
    return _require(session, target).as_dict()


def op_copy(session: FileSession, inputs: CopyInputs) -> Any:
    source, target = normalize(inputs.sourceFilePath), normalize(inputs.destinationFilePath)
    info = _require(session, source)
    _refuse_existing(session, target, inputs.overwrite)
    session.write(target, read_bounded(session, info))
    return _require(session, target).as_dict()


OPERATIONS: list[tuple[str, str, type[ProviderInputs], Callable[..., Any], dict[str, Any]]] = [
    ("listFolder", "List files in folder", FolderInputs, op_list, {"folderPath": "/inbox"}),
    (
        "getFileContent",
        "Get file content",
        FileInputs,
        op_get_content,
        {"filePath": "/inbox/a.csv"},
    ),
    (
        "getFileMetadata",
        "Get file metadata",
        FileInputs,
        op_get_metadata,
        {"filePath": "/inbox/a.csv"},
    ),
    (
        "createFile",
        "Create file",
        WriteInputs,
        op_create,
        {"filePath": "/out/b.txt", "fileContent": "hello"},
    ),
    (
        "updateFile",
        "Update file",
        WriteInputs,
        op_update,
        {"filePath": "/out/b.txt", "fileContent": "again"},
    ),
    ("deleteFile", "Delete file", FileInputs, op_delete, {"filePath": "/out/b.txt"}),
    (
        "renameFile",
        "Rename or move file",
        MoveInputs,
        op_rename,
        {"filePath": "/in/a", "newFilePath": "/done/a"},
    ),
    (
        "copyFile",
        "Copy file",
        CopyInputs,
        op_copy,
        {"sourceFilePath": "/in/a", "destinationFilePath": "/b/a"},
    ),
]


def file_operations(provider: str, title: str, open_session: OpenSession) -> list[type[Connector]]:
    """Define and register the eight operations of one file protocol."""
    classes = []
    for operation, label, inputs, perform, example in OPERATIONS:
        cls = type(
            f"{provider}{operation[0].upper()}{operation[1:]}",
            (FileOperation,),
            {
                "kind": f"ServiceProvider/{provider}/{operation}",
                "title": f"{title}: {label}",
                "description": f"{label} on an {title} server ({operation}).",
                "Inputs": inputs,
                "examples": [{"connection": "my-" + provider.lower(), **example}],
                "open_session": staticmethod(open_session),
                "operation": operation,
                "perform": lambda self, session, inp, _perform=perform: _perform(session, inp),
            },
        )
        classes.append(register(cls))
    return classes


# ------------------------------------------------------------------ trigger


class FilesAddedOrModifiedTrigger(Trigger):
    open_session: ClassVar[OpenSession]
    Inputs = TriggerInputs

    def poll(
        self, inputs: TriggerInputs, state: dict[str, Any], context: ActionContext
    ) -> PollResult:
        connection = resolve_connection(inputs.connection, context)
        with type(self).open_session(connection) as session:
            listing = session.list(normalize(inputs.folderPath))
            changed, markers = diff_listing(listing, state.get("seen") or {})
            if "seen" not in state and not inputs.fireOnExisting:
                return PollResult(fires=[], state={"seen": markers})
            picked = changed[: inputs.maxFileCount]
            items = [self._item(session, f, inputs.includeFileContent) for f in picked]
        seen = remember(state.get("seen") or {}, markers, {f.path for f in picked})
        fires = (
            [{"body": item} for item in items]
            if inputs.splitOn
            else ([{"body": items}] if items else [])
        )
        more = len(changed) > len(picked)
        return PollResult(fires=fires, state={"seen": seen}, next_poll_in=1.0 if more else None)

    @staticmethod
    def _item(session: FileSession, info: FileInfo, with_content: bool) -> dict[str, Any]:
        item = info.as_dict()
        if with_content:
            item["content"] = content_out(read_bounded(session, info), info.name)
        return item


def remember(old: dict[str, str], current: dict[str, str], picked: set[str]) -> dict[str, str]:
    """Markers after this poll: the picked items as now, others as before (so items
    beyond the per-poll cap fire on the next poll); vanished items are forgotten."""
    return {
        k: (m if k in picked else old[k]) for k, m in current.items() if k in picked or k in old
    }


def files_trigger(provider: str, title: str, open_session: OpenSession) -> type[Trigger]:
    cls = type(
        f"{provider}FilesAddedOrModified",
        (FilesAddedOrModifiedTrigger,),
        {
            "kind": f"ServiceProvider/{provider}/whenFilesAreAddedOrModified",
            "title": f"{title}: when files are added or modified",
            "description": f"Polls an {title} folder; one run per new or changed file (or per batch).",
            "open_session": staticmethod(open_session),
            "examples": [
                {"connection": "my-" + provider.lower(), "folderPath": "/inbox", "splitOn": True}
            ],
        },
    )
    return register_trigger(cls)


def walk_chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]
