"""FTP and FTPS operations and trigger against a real pyftpdlib server on 127.0.0.1."""

from __future__ import annotations

import shutil
import threading

import pytest
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.servers import ThreadedFTPServer

from connectors import registry
from connectors.base import ActionContext, ConnectorError, RetryableError
from tests.connectors.servers import tls_material


def start_ftp(root, handler_class, **attrs):
    authorizer = DummyAuthorizer()
    authorizer.add_user("ada", "s3cret", str(root), perm="elradfmwMT")
    handler = type("Handler", (handler_class,), {"authorizer": authorizer, **attrs})
    server = ThreadedFTPServer(
        ("127.0.0.1", 0), handler, ioloop=IOLoop()
    )  # not the shared singleton
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.05}, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="module")
def ftp_servers(tmp_path_factory):
    """One FTPS and one plain server per module (pyftpdlib does not like being
    restarted in one process many times over)."""
    tmp = tmp_path_factory.mktemp("ftp")
    root = tmp / "ftproot"
    root.mkdir()
    material = tls_material(tmp)
    combined = tmp / "server-combined.pem"
    combined.write_bytes(material.server_cert.read_bytes() + material.server_key.read_bytes())
    tls = start_ftp(
        root,
        TLS_FTPHandler,
        certfile=str(combined),
        tls_control_required=True,
        tls_data_required=True,
    )
    plain = start_ftp(root, FTPHandler)
    yield root, material, tls.address[1], plain.address[1]
    tls.close_all()
    plain.close_all()


@pytest.fixture
def ftp_root(ftp_servers):
    root = ftp_servers[0]
    shutil.rmtree(root)
    (root / "inbox").mkdir(parents=True)
    return root


@pytest.fixture
def ftps(ftp_servers, ftp_root, settings):
    settings.SLUICE_HTTP_CA_FILE = str(ftp_servers[1].ca_file)
    return {
        "host": "127.0.0.1",
        "port": ftp_servers[2],
        "username": "ada",
        "password": "s3cret",
        "tls": True,
    }


@pytest.fixture
def plain_ftp(ftp_servers, ftp_root):
    return {"host": "127.0.0.1", "port": ftp_servers[3], "username": "ada", "password": "s3cret"}


def act(operation: str, inputs: dict):
    cls = registry.get(f"ServiceProvider/Ftp/{operation}")
    return cls().run(cls.Inputs.model_validate(inputs), ActionContext())


def test_it_runs_every_operation_over_ftps(ftps, ftp_root):
    c = ftps
    act("createFile", {"connection": c, "filePath": "/inbox/a.txt", "fileContent": "hello"})
    assert (ftp_root / "inbox" / "a.txt").read_text() == "hello"
    assert act("getFileContent", {"connection": c, "filePath": "/inbox/a.txt"}) == "hello"
    meta = act("getFileMetadata", {"connection": c, "filePath": "/inbox/a.txt"})
    assert meta["size"] == 5 and meta["lastModified"].endswith("Z")
    act("updateFile", {"connection": c, "filePath": "/inbox/a.txt", "fileContent": {"n": 1}})
    assert (ftp_root / "inbox" / "a.txt").read_text() == '{"n": 1}'
    act(
        "copyFile",
        {"connection": c, "sourceFilePath": "/inbox/a.txt", "destinationFilePath": "/b.txt"},
    )
    act("renameFile", {"connection": c, "filePath": "/b.txt", "newFilePath": "/inbox/c.txt"})
    assert [f["name"] for f in act("listFolder", {"connection": c, "folderPath": "/inbox"})] == [
        "a.txt",
        "c.txt",
    ]
    act("deleteFile", {"connection": c, "filePath": "/inbox/a.txt"})
    assert sorted(p.name for p in (ftp_root / "inbox").iterdir()) == ["c.txt"]


def test_it_reports_missing_files_and_existing_targets(ftps, ftp_root):
    (ftp_root / "inbox" / "a.txt").write_text("x")
    with pytest.raises(ConnectorError) as info:
        act("getFileContent", {"connection": ftps, "filePath": "/inbox/none.txt"})
    assert info.value.code == "FileNotFound", info.value.message
    with pytest.raises(ConnectorError) as info:
        act("createFile", {"connection": ftps, "filePath": "/inbox/a.txt", "fileContent": "y"})
    assert info.value.code == "FileAlreadyExists"


def test_it_refuses_an_untrusted_ftps_certificate(ftps, settings):
    settings.SLUICE_HTTP_CA_FILE = None
    with pytest.raises(ConnectorError) as info:
        act("listFolder", {"connection": ftps, "folderPath": "/"})
    assert info.value.code == "TlsFailed", info.value.message


def test_it_rejects_a_wrong_password(ftps):
    with pytest.raises(ConnectorError) as info:
        act("listFolder", {"connection": {**ftps, "password": "nope"}})
    assert info.value.code == "AuthenticationFailed", info.value.message
    assert not isinstance(info.value, RetryableError)


def test_it_speaks_plain_ftp_too(plain_ftp, ftp_root):
    (ftp_root / "inbox" / "z.bin").write_bytes(b"\xff\xfe\x00")
    out = act("getFileContent", {"connection": plain_ftp, "filePath": "/inbox/z.bin"})
    assert out["$content"] == "//4A"


def test_it_fires_for_new_files_and_never_twice(ftps, ftp_root):
    cls = registry.get_trigger("ServiceProvider/Ftp/whenFilesAreAddedOrModified")

    def poll(state):
        inputs = cls.Inputs.model_validate(
            {"connection": ftps, "folderPath": "/inbox", "includeFileContent": True}
        )
        return cls().poll(inputs, state, ActionContext())

    first = poll({})
    (ftp_root / "inbox" / "new.csv").write_text("a,b")
    second = poll(first.state)
    assert [(f["body"]["name"], f["body"]["content"]) for f in second.fires] == [("new.csv", "a,b")]
    assert poll(second.state).fires == []
