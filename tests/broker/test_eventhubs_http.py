"""Event Hubs over HTTP: send (key, id, round-robin, batch), read from every kind
of position, checkpoints, retention."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from broker.services.eventhubs import partition_index
from tests.broker.conftest import wait_for
from tests.broker.sbclient import sas_token

pytestmark = pytest.mark.integration
BATCH = {"Content-Type": "application/vnd.microsoft.servicebus.json"}


@pytest.fixture
def eh(broker_server):
    return httpx.Client(
        base_url=broker_server.url,
        headers={"Authorization": sas_token(broker_server.url, broker_server.key)},
        timeout=30,
    )


@pytest.fixture
def hub(broker_server, unique):
    def make(partitions: int = 4, *extra: str) -> str:
        name = unique("hub")
        broker_server.broker("hub", "create", name, "--partitions", str(partitions), *extra)
        return name

    return make


def read(eh, hub, partition, start="earliest", **params):
    r = eh.get(
        f"/{hub}/consumergroups/$Default/partitions/{partition}/messages",
        params={"from": start, **params},
    )
    assert r.status_code == 200, r.text
    return r.json()["value"]


def test_it_routes_a_partition_key_like_the_service(eh, hub):
    name = hub(4)
    key = "p4*!jioeO/z-!-;w:dh"
    r = eh.post(
        f"/{name}/messages",
        content=b"k1",
        headers={"BrokerProperties": json.dumps({"PartitionKey": key})},
    )
    assert r.status_code == 201
    expected = partition_index(key, 4)
    assert r.json()["partitionId"] == str(expected)
    got = read(eh, name, expected)
    assert [(e["body"], e["partitionKey"], e["sequenceNumber"], e["offset"]) for e in got] == [
        ("k1", key, 0, "0")
    ]


def test_it_keeps_order_sequence_and_offsets_per_partition(eh, hub):
    name = hub(2)
    items = [{"Body": f"e{i}", "UserProperties": {"i": i}} for i in range(5)]
    assert (
        eh.post(
            f"/{name}/partitions/1/messages", content=json.dumps(items), headers=BATCH
        ).status_code
        == 201
    )
    eh.post(f"/{name}/partitions/1/messages", content=b"last")
    got = read(eh, name, 1)
    assert [e["body"] for e in got] == ["e0", "e1", "e2", "e3", "e4", "last"]
    assert [e["sequenceNumber"] for e in got] == list(range(6))
    assert [int(e["offset"]) for e in got] == [0, 2, 4, 6, 8, 10]
    assert got[3]["properties"] == {"i": 3}
    assert read(eh, name, 0) == []


def test_it_reads_from_offset_sequence_time_and_latest(eh, hub):
    name = hub(1)
    for i in range(4):
        eh.post(f"/{name}/partitions/0/messages", content=f"v{i}".encode())
    got = read(eh, name, 0)
    assert [e["body"] for e in read(eh, name, 0, "sequence:1")] == ["v2", "v3"]
    assert [e["body"] for e in read(eh, name, 0, "sequence:1", inclusive="true")] == [
        "v1",
        "v2",
        "v3",
    ]
    assert [e["body"] for e in read(eh, name, 0, f"offset:{got[2]['offset']}")] == ["v3"]
    assert [e["body"] for e in read(eh, name, 0, f"time:{got[2]['enqueuedTimeUtc']}")] == ["v3"]
    assert len(read(eh, name, 0, "time:2000-01-01T00:00:00Z")) == 4
    assert read(eh, name, 0, "latest") == []
    assert [e["body"] for e in read(eh, name, 0, "earliest", maxCount=2)] == ["v0", "v1"]


def test_it_long_polls_from_latest(eh, hub, broker_server):
    name = hub(1)
    eh.post(f"/{name}/partitions/0/messages", content=b"old")
    later = httpx.Client(base_url=broker_server.url, headers=dict(eh.headers))
    threading.Timer(
        1.0, lambda: later.post(f"/{name}/partitions/0/messages", content=b"new")
    ).start()
    assert [e["body"] for e in read(eh, name, 0, "latest", timeout=20)] == ["new"]


def test_it_keeps_checkpoints_per_consumer_group(eh, hub, broker_server):
    name = hub(1)
    broker_server.broker("consumergroup", "create", name, "audit")
    for i in range(3):
        eh.post(f"/{name}/partitions/0/messages", content=f"c{i}".encode())
    base = f"/{name}/consumergroups/audit/partitions/0"
    assert eh.get(f"{base}/checkpoint").status_code == 204
    assert eh.put(f"{base}/checkpoint", json={"sequenceNumber": 1, "offset": 2}).status_code == 200
    assert eh.get(f"{base}/checkpoint").json()["sequenceNumber"] == 1
    assert [
        e["body"] for e in eh.get(f"{base}/messages", params={"from": "checkpoint"}).json()["value"]
    ] == ["c2"]
    assert [e["body"] for e in read(eh, name, 0, "checkpoint")] == ["c0", "c1", "c2"]
    assert eh.put(f"{base}/checkpoint", json={"sequenceNumber": 99}).status_code == 400


def test_it_spreads_keyless_events_round_robin(eh, hub):
    name = hub(3)
    partitions = {
        eh.post(f"/{name}/messages", content=b"x").json()["partitionId"] for _ in range(6)
    }
    assert partitions == {"0", "1", "2"}
    info = eh.get(f"/{name}/partitions").json()
    assert info["partitionIds"] == ["0", "1", "2"]
    assert [p["lastEnqueuedSequenceNumber"] for p in info["partitions"]] == [1, 1, 1]


def test_it_drops_events_past_retention(eh, hub, ticker):
    name = hub(1, "--retention-hours", "0.0003")
    eh.post(f"/{name}/partitions/0/messages", content=b"gone soon")
    wait_for(lambda: read(eh, name, 0) == [], what="retention")


def test_it_refuses_bad_requests_clearly(eh, hub):
    name = hub(2)
    assert eh.post(f"/{name}/partitions/7/messages", content=b"x").status_code == 404
    assert (
        eh.get(
            f"/{name}/consumergroups/$Default/partitions/0/messages", params={"from": "soon"}
        ).json()["error"]["code"]
        == "InvalidPosition"
    )
    assert eh.get(f"/{name}/consumergroups/nope/partitions/0/messages").status_code == 404
    mixed = [
        {"Body": "a", "BrokerProperties": {"PartitionKey": "x"}},
        {"Body": "b", "BrokerProperties": {"PartitionKey": "y"}},
    ]
    assert eh.post(f"/{name}/messages", content=json.dumps(mixed), headers=BATCH).status_code == 400
