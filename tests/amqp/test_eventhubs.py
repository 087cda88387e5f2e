"""The real azure-eventhub SDK (pyamqp transport) against `sluice amqp`."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from azure.eventhub import EventData, EventHubConsumerClient, EventHubProducerClient

from broker.services.eventhubs import partition_index

pytestmark = pytest.mark.integration


def producer(broker_env, hub: str) -> EventHubProducerClient:
    return EventHubProducerClient.from_connection_string(
        broker_env.connection_string, eventhub_name=hub
    )


def collect(
    broker_env, hub: str, partition_id: str, starting_position, count: int, **kwargs
) -> list:
    """Receive up to `count` events from one partition (stops early when they arrived)."""
    consumer = EventHubConsumerClient.from_connection_string(
        broker_env.connection_string, consumer_group="$Default", eventhub_name=hub
    )
    got: list = []
    done = threading.Event()

    def on_event(context, event) -> None:
        if event is None:
            return
        event.last_enqueued = context.last_enqueued_event_properties
        got.append(event)
        if len(got) >= count:
            done.set()

    worker = threading.Thread(
        target=consumer.receive,
        kwargs={
            "on_event": on_event,
            "partition_id": partition_id,
            "starting_position": starting_position,
            **kwargs,
        },
        daemon=True,
    )
    worker.start()
    done.wait(20)
    consumer.close()
    worker.join(10)
    return got


def test_it_sends_with_a_partition_key_to_the_partition_azure_would_pick(broker_env):
    keys = ["order-17", "customer-42", "!c*_!I@1^c"]
    with producer(broker_env, "eh-main") as client:
        for key in keys:
            batch = client.create_batch(partition_key=key)
            batch.add(EventData(f"for {key}"))
            client.send_batch(batch)
        for key in keys:
            expected = str(partition_index(key, 4))
            props = client.get_partition_properties(expected)
            assert not props["is_empty"]
    by_partition: dict[str, list[str]] = {}
    for key in keys:
        by_partition.setdefault(str(partition_index(key, 4)), []).append(key)
    for partition, its_keys in by_partition.items():
        events = collect(broker_env, "eh-main", partition, "-1", len(its_keys))
        assert [e.body_as_str() for e in events] == [f"for {k}" for k in its_keys]
        assert [e.partition_key for e in events] == [k.encode() for k in its_keys]


def test_it_sends_to_a_partition_id_and_reads_from_earliest_and_from_a_sequence_number(broker_env):
    with producer(broker_env, "eh-props") as client:
        batch = client.create_batch(partition_id="1")
        for i in range(4):
            batch.add(
                EventData(
                    f"e-{i}",
                )
                if i % 2
                else EventData(b"\x00bin-%d" % i)
            )
        client.send_batch(batch)
        client.send_event(EventData("e-4"), partition_id="1")
        client.send_event(EventData("zero"), partition_id="0")
    events = collect(broker_env, "eh-props", "1", "-1", 5)
    assert [b"".join(e.body) for e in events] == [
        b"\x00bin-0",
        b"e-1",
        b"\x00bin-2",
        b"e-3",
        b"e-4",
    ]
    assert [e.sequence_number for e in events] == [0, 1, 2, 3, 4]
    offsets = [int(e.offset) for e in events]
    assert offsets == sorted(offsets)
    assert all(e.enqueued_time is not None for e in events)
    after_two = collect(broker_env, "eh-props", "1", 2, 2)
    assert [e.sequence_number for e in after_two] == [3, 4]
    from_two = collect(broker_env, "eh-props", "1", 2, 3, starting_position_inclusive=True)
    assert [e.sequence_number for e in from_two] == [2, 3, 4]
    by_offset = collect(broker_env, "eh-props", "1", events[3].offset, 1)
    assert [e.sequence_number for e in by_offset] == [4]
    zero = collect(broker_env, "eh-props", "0", "-1", 1)
    assert [e.body_as_str() for e in zero] == ["zero"]


def test_it_reports_hub_and_partition_properties(broker_env):
    with producer(broker_env, "eh-props") as client:
        hub = client.get_eventhub_properties()
        assert hub["eventhub_name"] == "eh-props"
        assert hub["partition_ids"] == ["0", "1"]
        assert hub["created_at"] is not None
        assert client.get_partition_ids() == ["0", "1"]
        client.send_event(EventData("tail"), partition_id="0")
        part = client.get_partition_properties("0")
        assert part["id"] == "0"
        assert part["is_empty"] is False
        assert part["last_enqueued_sequence_number"] >= part["beginning_sequence_number"] >= 0
        assert int(part["last_enqueued_offset"]) >= 0
        assert part["last_enqueued_time_utc"] is not None
    with producer(broker_env, "eh-async") as client:
        empty = client.get_partition_properties("1")
        assert empty["is_empty"] is True
        assert empty["last_enqueued_offset"] == "-1"


def test_it_works_with_the_async_clients(broker_env):
    from azure.eventhub.aio import EventHubConsumerClient as AsyncConsumer
    from azure.eventhub.aio import EventHubProducerClient as AsyncProducer

    async def scenario() -> list[str]:
        async with AsyncProducer.from_connection_string(
            broker_env.connection_string, eventhub_name="eh-async"
        ) as client:
            batch = await client.create_batch(partition_id="0")
            batch.add(EventData("async-0"))
            batch.add(EventData("async-1"))
            await client.send_batch(batch)
        consumer = AsyncConsumer.from_connection_string(
            broker_env.connection_string, consumer_group="$Default", eventhub_name="eh-async"
        )
        got: list[str] = []
        enough = asyncio.Event()

        async def on_event(context, event) -> None:
            got.append(event.body_as_str())
            if len(got) >= 2:
                enough.set()

        task = asyncio.create_task(
            consumer.receive(on_event=on_event, partition_id="0", starting_position="-1")
        )
        try:
            await asyncio.wait_for(enough.wait(), 20)
        finally:
            await consumer.close()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        return got

    assert asyncio.run(scenario()) == ["async-0", "async-1"]


def test_it_reads_from_an_enqueued_time(broker_env):
    with producer(broker_env, "eh-time") as client:
        for i in range(3):
            client.send_event(EventData(f"t-{i}"), partition_id="0")
            time.sleep(0.02)
    events = collect(broker_env, "eh-time", "0", "-1", 3)
    assert [e.body_as_str() for e in events] == ["t-0", "t-1", "t-2"]
    after_first = collect(broker_env, "eh-time", "0", events[0].enqueued_time, 2)
    assert [e.body_as_str() for e in after_first] == ["t-1", "t-2"]
    from_second = collect(
        broker_env,
        "eh-time",
        "0",
        events[1].enqueued_time,
        2,
        starting_position_inclusive=True,
        track_last_enqueued_event_properties=True,
    )
    assert [e.body_as_str() for e in from_second] == ["t-1", "t-2"]
    last = from_second[0].last_enqueued
    assert last["sequence_number"] == events[2].sequence_number
    assert last["offset"] == events[2].offset
    assert last["enqueued_time"] == events[2].enqueued_time


def test_it_rejects_a_wrong_key_with_an_authentication_error(broker_env):
    from azure.eventhub.exceptions import AuthenticationError

    wrong = broker_env.connection_string.replace(broker_env.key, "d3Jvbmcta2V5LXdyb25nLWtleQ==")
    client = EventHubProducerClient.from_connection_string(
        wrong, eventhub_name="eh-props", retry_total=0
    )
    with client, pytest.raises(AuthenticationError):
        client.send_event(EventData("nope"), partition_id="0")


def test_it_gives_the_partition_to_the_receiver_with_the_higher_owner_level(broker_env):
    with producer(broker_env, "eh-owners") as client:
        client.send_event(EventData("owned"), partition_id="0")
    low = EventHubConsumerClient.from_connection_string(
        broker_env.connection_string, consumer_group="$Default", eventhub_name="eh-owners"
    )
    low_events: list = []
    low_errors: list = []
    worker = threading.Thread(
        target=low.receive,
        kwargs={
            "on_event": lambda ctx, event: low_events.append(event),
            "on_error": lambda ctx, error: low_errors.append(error),
            "partition_id": "0",
            "starting_position": "-1",
            "owner_level": 1,
        },
        daemon=True,
    )
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while not low_events and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [e.body_as_str() for e in low_events] == ["owned"]
        high = collect(broker_env, "eh-owners", "0", "-1", 1, owner_level=2)
        assert [e.body_as_str() for e in high] == ["owned"]
        deadline = time.monotonic() + 20
        while not low_errors and time.monotonic() < deadline:
            time.sleep(0.1)
        assert low_errors
        assert "stolen" in str(low_errors[0]).lower() or "epoch" in str(low_errors[0]).lower()
    finally:
        low.close()
        worker.join(10)
