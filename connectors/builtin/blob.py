"""Blob storage: Azure Blob operations and the "when a blob is added or
modified" trigger, as `ServiceProvider/AzureBlob/<operationId>` (the Standard
built-in's provider id). Without a connection the local-directory store is used
(`SLUICE_BLOB_ROOT`), so flows work with no storage account at all.

Back ends live in `connectors.blobstore`; this module maps WDL parameters
(`containerName`, `blobName`, `content`, …) onto them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from connectors.base import ActionContext, Connector, ConnectorError, PollResult, Trigger
from connectors.blobstore import BlobBackend, backend_for, not_found
from connectors.files import ProviderInputs, content_in, content_out, remember
from connectors.registry import register, register_trigger

PROVIDER = "AzureBlob"


def backend(inputs: ProviderInputs, context: ActionContext) -> BlobBackend:
    connection = inputs.connection
    if isinstance(connection, str):
        if connection not in (context.connections or {}):
            raise ConnectorError(
                f"No connection named '{connection}' is configured.", code="ConnectionNotFound"
            )
        connection = context.connections[connection]
    return backend_for(connection)


class ContainerInputs(ProviderInputs):
    containerName: str = Field(min_length=1)


class ListBlobsInputs(ContainerInputs):
    prefix: str = ""


class BlobInputs(ContainerInputs):
    blobName: str = Field(min_length=1)


class UploadInputs(BlobInputs):
    content: Any = Field(default="", description="Text, JSON, or {$content-type, $content}.")
    contentType: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    overrideIfExists: bool = True


class MetadataInputs(BlobInputs):
    metadata: dict[str, str]


class CopyInputs(ProviderInputs):
    sourceContainerName: str
    sourceBlobName: str
    destinationContainerName: str
    destinationBlobName: str
    overrideIfExists: bool = True


class BlobOperation(Connector):
    operation: ClassVar[str]
    version = "1.0"

    def run(self, inputs: Any, context: ActionContext) -> Any:
        return self.perform(backend(inputs, context), inputs)

    def perform(self, store: BlobBackend, inputs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


def _operation(operation: str, title: str, inputs: type[ProviderInputs], example: dict[str, Any]):
    def decorate(perform):
        cls = type(
            f"Blob{operation[0].upper()}{operation[1:]}",
            (BlobOperation,),
            {
                "kind": f"ServiceProvider/{PROVIDER}/{operation}",
                "title": f"Blob storage: {title}",
                "description": f"{title} (Azure Blob REST with Shared Key or SAS, or the local store).",
                "Inputs": inputs,
                "operation": operation,
                "examples": [{"connection": "my-storage", **example}],
                "perform": lambda self, store, inp: perform(store, inp),
            },
        )
        register(cls)
        return perform

    return decorate


@_operation("listContainers", "List containers", ProviderInputs, {})
def list_containers(store: BlobBackend, inputs: ProviderInputs) -> Any:
    return store.list_containers()


@_operation("createContainer", "Create container", ContainerInputs, {"containerName": "orders"})
def create_container(store: BlobBackend, inputs: ContainerInputs) -> Any:
    store.create_container(inputs.containerName)
    return {"containerName": inputs.containerName}


@_operation(
    "listBlobs", "List blobs", ListBlobsInputs, {"containerName": "orders", "prefix": "2026/"}
)
def list_blobs(store: BlobBackend, inputs: ListBlobsInputs) -> Any:
    return [b.as_dict() for b in store.list_blobs(inputs.containerName, inputs.prefix)]


@_operation(
    "readBlob", "Read blob content", BlobInputs, {"containerName": "orders", "blobName": "a.json"}
)
def read_blob(store: BlobBackend, inputs: BlobInputs) -> Any:
    data, info = store.read(inputs.containerName, inputs.blobName)
    return {"content": content_out(data, inputs.blobName), "properties": info.as_dict()}


@_operation(
    "uploadBlob",
    "Upload blob",
    UploadInputs,
    {"containerName": "orders", "blobName": "a.json", "content": {"id": 1}},
)
def upload_blob(store: BlobBackend, inputs: UploadInputs) -> Any:
    if not inputs.overrideIfExists and store.properties(inputs.containerName, inputs.blobName):
        raise ConnectorError(
            f"The blob '{inputs.blobName}' already exists.",
            code="BlobAlreadyExists",
            status_code=409,
        )
    content_type = inputs.contentType or _content_type(inputs.content)
    info = store.write(
        inputs.containerName,
        inputs.blobName,
        content_in(inputs.content),
        content_type,
        inputs.metadata,
    )
    return {"properties": info.as_dict()}


def _content_type(content: Any) -> str:
    if isinstance(content, dict) and "$content-type" in content:
        return str(content["$content-type"])
    if isinstance(content, str):
        return "text/plain; charset=utf-8"
    return "application/json"


@_operation(
    "deleteBlob", "Delete blob", BlobInputs, {"containerName": "orders", "blobName": "a.json"}
)
def delete_blob(store: BlobBackend, inputs: BlobInputs) -> Any:
    if store.properties(inputs.containerName, inputs.blobName) is None:
        raise not_found(inputs.containerName, inputs.blobName)
    store.delete(inputs.containerName, inputs.blobName)
    return {"deleted": f"/{inputs.containerName}/{inputs.blobName}"}


@_operation(
    "blobExists",
    "Check whether a blob exists",
    BlobInputs,
    {"containerName": "orders", "blobName": "a.json"},
)
def blob_exists(store: BlobBackend, inputs: BlobInputs) -> Any:
    return {"exists": store.properties(inputs.containerName, inputs.blobName) is not None}


@_operation(
    "getBlobMetadata",
    "Get blob properties and metadata",
    BlobInputs,
    {"containerName": "orders", "blobName": "a.json"},
)
def get_metadata(store: BlobBackend, inputs: BlobInputs) -> Any:
    info = store.properties(inputs.containerName, inputs.blobName)
    if info is None:
        raise not_found(inputs.containerName, inputs.blobName)
    return info.as_dict()


@_operation(
    "setBlobMetadata",
    "Set blob metadata",
    MetadataInputs,
    {"containerName": "orders", "blobName": "a.json", "metadata": {"state": "done"}},
)
def set_metadata(store: BlobBackend, inputs: MetadataInputs) -> Any:
    store.set_metadata(inputs.containerName, inputs.blobName, inputs.metadata)
    return get_metadata(store, inputs)


@_operation(
    "copyBlob",
    "Copy blob",
    CopyInputs,
    {
        "sourceContainerName": "in",
        "sourceBlobName": "a",
        "destinationContainerName": "out",
        "destinationBlobName": "a",
    },
)
def copy_blob(store: BlobBackend, inputs: CopyInputs) -> Any:
    if store.properties(inputs.sourceContainerName, inputs.sourceBlobName) is None:
        raise not_found(inputs.sourceContainerName, inputs.sourceBlobName)
    if not inputs.overrideIfExists and store.properties(
        inputs.destinationContainerName, inputs.destinationBlobName
    ):
        raise ConnectorError(
            "The destination blob already exists.", code="BlobAlreadyExists", status_code=409
        )
    info = store.copy(
        (inputs.sourceContainerName, inputs.sourceBlobName),
        (inputs.destinationContainerName, inputs.destinationBlobName),
    )
    return {"properties": info.as_dict()}


class BlobTriggerInputs(ListBlobsInputs):
    includeContent: bool = False
    splitOn: bool = Field(default=True, description="One run per blob (true) or one per batch.")
    maxBlobCount: int = Field(default=100, ge=1, le=1000)
    fireOnExisting: bool = False


@register_trigger
class BlobAddedOrModifiedTrigger(Trigger):
    kind = f"ServiceProvider/{PROVIDER}/whenABlobIsAddedOrModified"
    title = "Blob storage: when a blob is added or modified"
    description = "Polls a container (optionally a name prefix); one run per new or changed blob, or per batch."
    Inputs = BlobTriggerInputs
    examples: ClassVar[list[dict[str, Any]]] = [
        {"connection": "my-storage", "containerName": "inbox", "prefix": "orders/"}
    ]

    def poll(
        self, inputs: BlobTriggerInputs, state: dict[str, Any], context: ActionContext
    ) -> PollResult:
        store = backend(inputs, context)
        blobs = store.list_blobs(inputs.containerName, inputs.prefix)
        current = {b.name: f"{b.etag}|{b.lastModified}|{b.size}" for b in blobs}
        seen = state.get("seen")
        if seen is None and not inputs.fireOnExisting:
            return PollResult(fires=[], state={"seen": current})
        changed = sorted(
            (b for b in blobs if (seen or {}).get(b.name) != current[b.name]),
            key=lambda b: (b.lastModified, b.name),
        )
        picked = changed[: inputs.maxBlobCount]
        items = [self._item(store, b.as_dict(), inputs) for b in picked]
        fires = (
            [{"body": i} for i in items] if inputs.splitOn else ([{"body": items}] if items else [])
        )
        new_state = {"seen": remember(seen or {}, current, {b.name for b in picked})}
        return PollResult(
            fires=fires, state=new_state, next_poll_in=1.0 if len(changed) > len(picked) else None
        )

    @staticmethod
    def _item(
        store: BlobBackend, item: dict[str, Any], inputs: BlobTriggerInputs
    ) -> dict[str, Any]:
        if inputs.includeContent:
            data, _ = store.read(item["container"], item["name"])
            item["content"] = content_out(data, item["name"])
        return item
