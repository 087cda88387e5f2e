"""SFTP operations and trigger against a real SFTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import io
import os
import time

import paramiko
import pytest

from connectors import registry
from connectors.base import ActionContext, ConnectorError, RetryableError
from tests.connectors.sftp_server import SftpServer


@pytest.fixture
def sftp(tmp_path):
    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    server = SftpServer(root).start()
    yield server
    server.stop()


def conn(server: SftpServer, **extra) -> dict:
    return {
        "host": "127.0.0.1",
        "port": server.port,
        "username": server.username,
        "password": server.password,
        "hostKeyFingerprint": server.fingerprint(),
        **extra,
    }


def act(operation: str, inputs: dict, **context):
    cls = registry.get(f"ServiceProvider/Sftp/{operation}")
    return cls().run(cls.Inputs.model_validate(inputs), ActionContext(**context))


def test_it_creates_reads_lists_and_deletes_files(sftp):
    c = conn(sftp)
    created = act(
        "createFile", {"connection": c, "filePath": "/inbox/a.txt", "fileContent": "héllo"}
    )
    assert created["name"] == "a.txt" and created["size"] == len("héllo".encode())
    assert (sftp.root / "inbox" / "a.txt").read_text() == "héllo"
    assert act("getFileContent", {"connection": c, "filePath": "/inbox/a.txt"}) == "héllo"
    listing = act("listFolder", {"connection": c, "folderPath": "/inbox"})
    assert [(f["name"], f["isFolder"]) for f in listing] == [("a.txt", False)]
    meta = act("getFileMetadata", {"connection": c, "filePath": "inbox/a.txt"})
    assert meta["path"] == "/inbox/a.txt" and meta["mediaType"] == "text/plain"
    act("deleteFile", {"connection": c, "filePath": "/inbox/a.txt"})
    assert not (sftp.root / "inbox" / "a.txt").exists()


def test_it_round_trips_binary_content(sftp):
    payload = bytes(range(256)) * 10
    content = {
        "$content-type": "application/octet-stream",
        "$content": base64.b64encode(payload).decode(),
    }
    act(
        "createFile", {"connection": conn(sftp), "filePath": "/inbox/b.bin", "fileContent": content}
    )
    assert (sftp.root / "inbox" / "b.bin").read_bytes() == payload
    out = act("getFileContent", {"connection": conn(sftp), "filePath": "/inbox/b.bin"})
    assert base64.b64decode(out["$content"]) == payload


def test_it_updates_renames_and_copies(sftp):
    c = conn(sftp)
    (sftp.root / "inbox" / "a.txt").write_text("v1")
    act("updateFile", {"connection": c, "filePath": "/inbox/a.txt", "fileContent": "v2"})
    act(
        "copyFile",
        {"connection": c, "sourceFilePath": "/inbox/a.txt", "destinationFilePath": "/copy.txt"},
    )
    act("renameFile", {"connection": c, "filePath": "/inbox/a.txt", "newFilePath": "/moved.txt"})
    assert (sftp.root / "copy.txt").read_text() == "v2"
    assert (sftp.root / "moved.txt").read_text() == "v2"
    assert not (sftp.root / "inbox" / "a.txt").exists()


def test_it_refuses_to_overwrite_unless_asked_and_reports_missing_files(sftp):
    c = conn(sftp)
    (sftp.root / "inbox" / "a.txt").write_text("v1")
    with pytest.raises(ConnectorError) as info:
        act("createFile", {"connection": c, "filePath": "/inbox/a.txt", "fileContent": "x"})
    assert info.value.code == "FileAlreadyExists"
    act(
        "createFile",
        {"connection": c, "filePath": "/inbox/a.txt", "fileContent": "x", "overwrite": True},
    )
    assert (sftp.root / "inbox" / "a.txt").read_text() == "x"
    with pytest.raises(ConnectorError) as info:
        act("updateFile", {"connection": c, "filePath": "/nope.txt", "fileContent": "x"})
    assert info.value.code == "FileNotFound"
    with pytest.raises(ConnectorError) as info:
        act("listFolder", {"connection": c, "folderPath": "/missing"})
    assert info.value.code == "FileNotFound"


def test_it_rejects_a_host_key_mismatch_clearly(sftp):
    other = paramiko.ECDSAKey.generate()
    from connectors.builtin.sftp import fingerprint

    with pytest.raises(ConnectorError) as info:
        act(
            "listFolder",
            {"connection": conn(sftp, hostKeyFingerprint=fingerprint(other)), "folderPath": "/"},
        )
    assert info.value.code == "HostKeyMismatch"
    assert sftp.fingerprint() in info.value.message and not isinstance(info.value, RetryableError)
    missing = conn(sftp)
    del missing["hostKeyFingerprint"]
    with pytest.raises(ConnectorError) as info:
        act("listFolder", {"connection": missing, "folderPath": "/"})
    assert info.value.code == "HostKeyNotConfigured" and sftp.fingerprint() in info.value.message


def test_it_rejects_a_wrong_password(sftp):
    with pytest.raises(ConnectorError) as info:
        act("listFolder", {"connection": conn(sftp, password="wrong"), "folderPath": "/"})
    assert info.value.code == "AuthenticationFailed"


def test_it_authenticates_with_a_private_key_and_passphrase(sftp):
    key = paramiko.ECDSAKey.generate()
    sftp.authorized_key = key
    text = io.StringIO()
    key.write_private_key(text, password="phrase")
    c = conn(sftp, password=None, privateKey=text.getvalue(), passphrase="phrase")
    assert act("listFolder", {"connection": c, "folderPath": "/"})[0]["name"] == "inbox"
    with pytest.raises(ConnectorError) as info:
        act("listFolder", {"connection": {**c, "passphrase": None}, "folderPath": "/"})
    assert info.value.code == "InvalidPrivateKey"


def test_it_uses_named_connections_and_the_wdl_shape(sftp):
    wdl = {
        "parameters": {"folderPath": "/"},
        "serviceProviderConfiguration": {
            "connectionName": "files",
            "operationId": "listFolder",
            "serviceProviderId": "/serviceProviders/Sftp",
        },
    }
    out = act(
        "listFolder",
        wdl,
        connections={
            "files": {
                "parameterValues": {
                    "sshHostAddress": "127.0.0.1",
                    "portNumber": sftp.port,
                    "userName": "ada",
                    "password": "s3cret",
                    "sshHostKeyFingerprint": sftp.fingerprint(),
                }
            }
        },
    )
    assert out[0]["name"] == "inbox"
    with pytest.raises(ConnectorError) as info:
        act("listFolder", wdl)
    assert info.value.code == "ConnectionNotFound"


def test_it_makes_an_unreachable_server_retryable():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RetryableError):
        act(
            "listFolder",
            {
                "connection": {
                    "host": "127.0.0.1",
                    "port": port,
                    "username": "x",
                    "password": "y",
                    "acceptAnyHostKey": True,
                }
            },
        )


def poll(state: dict, **inputs):
    cls = registry.get_trigger("ServiceProvider/Sftp/whenFilesAreAddedOrModified")
    return cls().poll(cls.Inputs.model_validate(inputs), state, ActionContext())


def test_it_fires_once_per_new_or_changed_file(sftp):
    c = conn(sftp)
    (sftp.root / "inbox" / "old.txt").write_text("already here")
    first = poll({}, connection=c, folderPath="/inbox", includeFileContent=True)
    assert first.fires == []  # the first poll remembers what is there
    (sftp.root / "inbox" / "new.txt").write_text("fresh")
    second = poll(first.state, connection=c, folderPath="/inbox", includeFileContent=True)
    assert [f["body"]["name"] for f in second.fires] == ["new.txt"]
    assert second.fires[0]["body"]["content"] == "fresh"
    assert poll(second.state, connection=c, folderPath="/inbox").fires == []  # no duplicates
    later = time.time() + 10
    os.utime(sftp.root / "inbox" / "old.txt", (later, later))
    third = poll(second.state, connection=c, folderPath="/inbox")
    assert [f["body"]["name"] for f in third.fires] == ["old.txt"]


def test_it_can_fire_one_run_per_batch_and_cap_the_batch(sftp):
    c = conn(sftp)
    for name in ("a", "b", "c"):
        (sftp.root / "inbox" / name).write_text(name)
    result = poll({"seen": {}}, connection=c, folderPath="/inbox", splitOn=False, maxFileCount=2)
    assert len(result.fires) == 1 and [f["name"] for f in result.fires[0]["body"]] == ["a", "b"]
    assert result.next_poll_in == 1.0
    rest = poll(result.state, connection=c, folderPath="/inbox", splitOn=False, maxFileCount=2)
    assert [f["name"] for f in rest.fires[0]["body"]] == ["c"]


def test_it_refuses_to_read_files_over_the_limit(sftp, settings):
    settings.SLUICE_FILE_MAX_BYTES = 100
    (sftp.root / "inbox" / "big.bin").write_bytes(b"x" * 101)
    with pytest.raises(ConnectorError) as info:
        act("getFileContent", {"connection": conn(sftp), "filePath": "/inbox/big.bin"})
    assert info.value.code == "FileTooLarge"
