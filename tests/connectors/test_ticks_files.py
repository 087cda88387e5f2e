"""File and blob polling triggers through the scheduler: one run per new file,
and no duplicate fire after a scheduler restart (the memory is in the database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors import ticks, triggers
from connectors.models import TriggerState
from tests.connectors.conftest import make_workflow
from tests.connectors.sftp_server import SftpServer
from workflows.models import Run

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def provider_trigger(provider: str, operation: str, parameters: dict) -> dict:
    return {
        "When_files_arrive": {
            "type": "ServiceProvider",
            "inputs": {
                "parameters": parameters,
                "serviceProviderConfiguration": {
                    "connectionName": "files",
                    "operationId": operation,
                    "serviceProviderId": f"/serviceProviders/{provider}",
                },
            },
            "recurrence": {
                "frequency": "Minute",
                "interval": 1,
                "startTime": "2026-01-01T12:00:00Z",
            },
        }
    }


def restart() -> None:
    triggers._synced.clear()  # what a new scheduler process starts with


def names(workflow) -> list[str]:
    return sorted(
        r.trigger["outputs"]["body"]["name"] for r in Run.objects.filter(workflow=workflow)
    )


def test_it_starts_one_run_per_new_blob_and_survives_a_restart(tmp_path):
    store = tmp_path / "blobs"
    (store / "inbox").mkdir(parents=True)
    (store / "inbox" / "before.txt").write_text("old")
    wf = make_workflow(
        "blob-watch",
        provider_trigger(
            "AzureBlob",
            "whenABlobIsAddedOrModified",
            {"connection": {"localPath": str(store)}, "containerName": "inbox"},
        ),
    )
    ticks.tick(T0)
    assert names(wf) == []
    (store / "inbox" / "a.txt").write_text("a")
    (store / "inbox" / "b.txt").write_text("b")
    ticks.tick(T0 + timedelta(minutes=1))
    assert names(wf) == ["a.txt", "b.txt"]
    restart()
    ticks.tick(T0 + timedelta(minutes=2))
    assert names(wf) == ["a.txt", "b.txt"]
    assert set(TriggerState.objects.get(workflow=wf).state["seen"]) == {
        "before.txt",
        "a.txt",
        "b.txt",
    }


def test_it_polls_sftp_through_the_scheduler(tmp_path):
    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    server = SftpServer(root).start()
    try:
        conn = {
            "host": "127.0.0.1",
            "port": server.port,
            "username": "ada",
            "password": "s3cret",
            "hostKeyFingerprint": server.fingerprint(),
        }
        wf = make_workflow(
            "sftp-watch",
            provider_trigger(
                "Sftp",
                "whenFilesAreAddedOrModified",
                {"connection": conn, "folderPath": "/inbox", "includeFileContent": True},
            ),
        )
        ticks.tick(T0)
        (root / "inbox" / "order.csv").write_text("id\n1")
        ticks.tick(T0 + timedelta(minutes=1))
        restart()
        ticks.tick(T0 + timedelta(minutes=2))
        runs = list(Run.objects.filter(workflow=wf))
        assert [r.trigger["outputs"]["body"]["content"] for r in runs] == ["id\n1"]
    finally:
        server.stop()


def test_it_records_a_failed_poll_for_a_bad_connection(tmp_path):
    wf = make_workflow(
        "bad-sftp",
        provider_trigger(
            "Sftp", "whenFilesAreAddedOrModified", {"connection": "nowhere", "folderPath": "/"}
        ),
    )
    ticks.tick(T0)
    history = wf.trigger_history.get()
    assert history.status == "Failed" and history.error["code"] == "ConnectionNotFound"


def test_it_resolves_named_connection_records_and_parameters(tmp_path):
    from accounts.connections import set_parameters
    from accounts.models import Connection

    store = tmp_path / "blobs"
    (store / "drop").mkdir(parents=True)
    record = Connection(name="files", type="AzureBlob")
    set_parameters(record, {"localPath": str(store)})
    record.save()
    trigger = provider_trigger(
        "AzureBlob",
        "whenABlobIsAddedOrModified",
        {"containerName": "@parameters('container')", "fireOnExisting": True},
    )
    wf = make_workflow(
        "named-connection",
        trigger,
        parameters={"container": {"type": "string", "defaultValue": "drop"}},
    )
    (store / "drop" / "x.txt").write_text("x")
    ticks.tick(T0)
    assert names(wf) == ["x.txt"]
