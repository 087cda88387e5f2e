"""Blob storage operations and trigger against Azurite (Shared Key and SAS) and the local store."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from connectors import registry
from connectors.base import ActionContext, ConnectorError
from connectors.blobstore import account_sas
from tests.connectors import azurite

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    server = azurite.start(tmp_path_factory.mktemp("azurite"))
    yield server
    server.stop()


@pytest.fixture(params=["shared-key", "sas", "local"])
def connection(request, tmp_path):
    if request.param == "local":
        return {"localPath": str(tmp_path / "blobs")}
    server = request.getfixturevalue("emulator")
    if request.param == "shared-key":
        return {"connectionString": server.connection_string}
    sas = account_sas(azurite.ACCOUNT, azurite.KEY, datetime.now(UTC) + timedelta(hours=1))
    return {"blobEndpoint": server.endpoint, "sasToken": sas}


def act(operation: str, inputs: dict, **context):
    cls = registry.get(f"ServiceProvider/AzureBlob/{operation}")
    return cls().run(cls.Inputs.model_validate(inputs), ActionContext(**context))


@pytest.fixture
def container(connection):
    name = f"c{uuid.uuid4().hex[:12]}"
    act("createContainer", {"connection": connection, "containerName": name})
    return name


def test_it_uploads_reads_lists_and_deletes(connection, container):
    c = {"connection": connection, "containerName": container}
    up = act(
        "uploadBlob",
        {**c, "blobName": "orders/1.json", "content": {"id": 1}, "metadata": {"source": "test"}},
    )
    assert up["properties"]["size"] == len('{"id": 1}')
    act("uploadBlob", {**c, "blobName": "orders/2.txt", "content": "two"})
    act("uploadBlob", {**c, "blobName": "other.txt", "content": "x"})
    read = act("readBlob", {**c, "blobName": "orders/1.json"})
    assert read["content"] == '{"id": 1}'
    assert read["properties"]["contentType"] == "application/json"
    assert read["properties"]["metadata"] == {"source": "test"}
    assert [b["name"] for b in act("listBlobs", {**c, "prefix": "orders/"})] == [
        "orders/1.json",
        "orders/2.txt",
    ]
    assert container in act("listContainers", {"connection": connection})
    act("deleteBlob", {**c, "blobName": "other.txt"})
    assert act("blobExists", {**c, "blobName": "other.txt"}) == {"exists": False}
    assert act("blobExists", {**c, "blobName": "orders/2.txt"}) == {"exists": True}


def test_it_uploads_large_blobs_in_blocks_and_binary_round_trips(connection, container, settings):
    settings.SLUICE_BLOB_BLOCK_SIZE = 1024
    payload = bytes(range(256)) * 21  # 5,376 bytes → six blocks
    content = {
        "$content-type": "application/octet-stream",
        "$content": base64.b64encode(payload).decode(),
    }
    act(
        "uploadBlob",
        {
            "connection": connection,
            "containerName": container,
            "blobName": "big.bin",
            "content": content,
        },
    )
    read = act(
        "readBlob", {"connection": connection, "containerName": container, "blobName": "big.bin"}
    )
    assert base64.b64decode(read["content"]["$content"]) == payload
    assert read["properties"]["size"] == len(payload)


def test_it_copies_and_manages_metadata(connection, container):
    c = {"connection": connection, "containerName": container}
    act("uploadBlob", {**c, "blobName": "a.txt", "content": "hello"})
    act(
        "copyBlob",
        {
            "connection": connection,
            "sourceContainerName": container,
            "sourceBlobName": "a.txt",
            "destinationContainerName": container,
            "destinationBlobName": "b.txt",
        },
    )
    assert act("readBlob", {**c, "blobName": "b.txt"})["content"] == "hello"
    meta = act("setBlobMetadata", {**c, "blobName": "b.txt", "metadata": {"state": "done"}})
    assert meta["metadata"] == {"state": "done"}
    assert act("getBlobMetadata", {**c, "blobName": "b.txt"})["size"] == 5


def test_it_reports_missing_blobs_and_refused_overwrites(connection, container):
    c = {"connection": connection, "containerName": container}
    with pytest.raises(ConnectorError) as info:
        act("readBlob", {**c, "blobName": "nope"})
    assert info.value.code == "BlobNotFound" and info.value.status_code == 404
    act("uploadBlob", {**c, "blobName": "a.txt", "content": "x"})
    with pytest.raises(ConnectorError) as info:
        act("uploadBlob", {**c, "blobName": "a.txt", "content": "y", "overrideIfExists": False})
    assert info.value.code == "BlobAlreadyExists"


def test_it_refuses_a_wrong_account_key(emulator):
    bad = emulator.connection_string.replace(azurite.KEY, base64.b64encode(b"x" * 64).decode())
    with pytest.raises(ConnectorError) as info:
        act("listContainers", {"connection": {"connectionString": bad}})
    assert info.value.status_code == 403


def test_it_uses_the_wdl_shape_with_a_named_connection(emulator):
    wdl = {
        "parameters": {},
        "serviceProviderConfiguration": {
            "connectionName": "AzureBlob",
            "operationId": "listContainers",
            "serviceProviderId": "/serviceProviders/AzureBlob",
        },
    }
    assert isinstance(
        act(
            "listContainers",
            wdl,
            connections={
                "AzureBlob": {"parameterValues": {"connectionString": emulator.connection_string}}
            },
        ),
        list,
    )


def test_it_fires_for_added_and_modified_blobs_once(connection, container):
    cls = registry.get_trigger("ServiceProvider/AzureBlob/whenABlobIsAddedOrModified")

    def poll(state):
        inputs = cls.Inputs.model_validate(
            {
                "connection": connection,
                "containerName": container,
                "prefix": "in/",
                "includeContent": True,
            }
        )
        return cls().poll(inputs, state, ActionContext())

    c = {"connection": connection, "containerName": container}
    act("uploadBlob", {**c, "blobName": "in/old.txt", "content": "old"})
    first = poll({})
    assert first.fires == []
    act("uploadBlob", {**c, "blobName": "in/new.txt", "content": "new"})
    act("uploadBlob", {**c, "blobName": "elsewhere.txt", "content": "ignored"})
    second = poll(first.state)
    assert [(f["body"]["name"], f["body"]["content"]) for f in second.fires] == [
        ("in/new.txt", "new")
    ]
    assert poll(second.state).fires == []
    act("uploadBlob", {**c, "blobName": "in/old.txt", "content": "old, changed"})
    assert [f["body"]["name"] for f in poll(second.state).fires] == ["in/old.txt"]


def test_it_handles_names_with_spaces_and_unicode(connection, container):
    c = {"connection": connection, "containerName": container}
    act("uploadBlob", {**c, "blobName": "dir/a b ü+1.txt", "content": "ok"})
    assert act("readBlob", {**c, "blobName": "dir/a b ü+1.txt"})["content"] == "ok"
    assert [b["name"] for b in act("listBlobs", {**c, "prefix": "dir/a b"})] == ["dir/a b ü+1.txt"]
