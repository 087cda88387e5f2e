"""The real azure-servicebus SDK (pyamqp transport) against `sluice amqp`."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from azure.servicebus import (
    NEXT_AVAILABLE_SESSION,
    ServiceBusClient,
    ServiceBusMessage,
    ServiceBusReceiveMode,
    ServiceBusSubQueue,
)
from azure.servicebus.exceptions import (
    MessageNotFoundError,
    ServiceBusAuthenticationError,
    ServiceBusError,
)

pytestmark = pytest.mark.integration


def client(broker_env, **kwargs) -> ServiceBusClient:
    return ServiceBusClient.from_connection_string(broker_env.connection_string, **kwargs)


def send(broker_env, queue: str, *messages: ServiceBusMessage) -> None:
    with client(broker_env) as sb, sb.get_queue_sender(queue) as sender:
        sender.send_messages(list(messages))


def drain(receiver, expected: int, wait: float = 5) -> list:
    got: list = []
    deadline = datetime.now(UTC) + timedelta(seconds=wait * 3)
    while len(got) < expected and datetime.now(UTC) < deadline:
        got += receiver.receive_messages(max_message_count=expected - len(got), max_wait_time=wait)
    return got


def test_it_sends_a_single_message_and_receives_it_in_peek_lock(broker_env):
    message = ServiceBusMessage(
        "hello",
        application_properties={"color": "red", "n": 7},
        message_id="m-1",
        subject="greeting",
        content_type="text/plain",
        correlation_id="c-1",
        time_to_live=timedelta(minutes=5),
        partition_key="pk-1",
    )
    send(broker_env, "q-send", message)
    with client(broker_env) as sb, sb.get_queue_receiver("q-send") as receiver:
        [got] = drain(receiver, 1)
        assert str(got) == "hello"
        assert got.message_id == "m-1"
        assert got.subject == "greeting"
        assert got.content_type == "text/plain"
        assert got.correlation_id == "c-1"
        assert got.application_properties == {b"color": b"red", b"n": 7}
        assert got.delivery_count == 0
        assert got.time_to_live == timedelta(minutes=5)
        assert got.partition_key == "pk-1"
        assert got.expires_at_utc == got.enqueued_time_utc + timedelta(minutes=5)
        assert got.sequence_number >= 1
        assert isinstance(got.lock_token, uuid.UUID)
        assert got.locked_until_utc > datetime.now(UTC)
        before = got.locked_until_utc
        receiver.renew_message_lock(got)
        assert got.locked_until_utc >= before
        receiver.complete_message(got)
        assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []


def test_it_sends_batches_and_lists_in_order(broker_env):
    with client(broker_env) as sb, sb.get_queue_sender("q-batch") as sender:
        batch = sender.create_message_batch()
        for i in range(3):
            batch.add_message(ServiceBusMessage(f"batch-{i}"))
        sender.send_messages(batch)
        sender.send_messages([ServiceBusMessage(b"\x00list-0"), ServiceBusMessage("list-1")])
    with client(broker_env) as sb, sb.get_queue_receiver("q-batch") as receiver:
        got = drain(receiver, 5)
        assert [b"".join(m.body) for m in got] == [
            b"batch-0",
            b"batch-1",
            b"batch-2",
            b"\x00list-0",
            b"list-1",
        ]
        assert [m.sequence_number for m in got] == sorted(m.sequence_number for m in got)
        for m in got:
            receiver.complete_message(m)


def test_it_redelivers_an_abandoned_message_with_delivery_count_plus_one(broker_env):
    send(broker_env, "q-abandon", ServiceBusMessage("again"))
    with client(broker_env) as sb, sb.get_queue_receiver("q-abandon") as receiver:
        [first] = drain(receiver, 1)
        assert first.delivery_count == 0
        receiver.abandon_message(first)
        [second] = drain(receiver, 1)
        assert str(second) == "again"
        assert second.sequence_number == first.sequence_number
        assert second.delivery_count == 1
        receiver.complete_message(second)


def test_it_dead_letters_with_a_reason_readable_from_the_dead_letter_queue(broker_env):
    send(broker_env, "q-dlq", ServiceBusMessage("poison"))
    with client(broker_env) as sb:
        with sb.get_queue_receiver("q-dlq") as receiver:
            [got] = drain(receiver, 1)
            receiver.dead_letter_message(got, reason="BadOrder", error_description="no such sku")
            assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []
        with sb.get_queue_receiver("q-dlq", sub_queue=ServiceBusSubQueue.DEAD_LETTER) as dlq:
            [dead] = drain(dlq, 1)
            assert str(dead) == "poison"
            assert dead.dead_letter_reason == "BadOrder"
            assert dead.dead_letter_error_description == "no such sku"
            assert dead.dead_letter_source == "q-dlq"
            peeked = dlq.peek_messages(max_message_count=5, sequence_number=dead.sequence_number)
            assert [str(m) for m in peeked] == ["poison"]
            dlq.complete_message(dead)


def test_it_defers_and_receives_the_deferred_message_by_sequence_number(broker_env):
    send(broker_env, "q-defer", ServiceBusMessage("later"))
    with client(broker_env, retry_total=0) as sb, sb.get_queue_receiver("q-defer") as receiver:
        [got] = drain(receiver, 1)
        receiver.defer_message(got)
        assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []
        [deferred] = receiver.receive_deferred_messages([got.sequence_number])
        assert str(deferred) == "later"
        assert deferred.sequence_number == got.sequence_number
        receiver.complete_message(deferred)
        assert receiver.peek_messages(max_message_count=5) == []
        with pytest.raises(MessageNotFoundError):
            receiver.receive_deferred_messages([got.sequence_number])


def test_it_schedules_a_message_and_cancels_another(broker_env):
    soon = datetime.now(UTC) + timedelta(seconds=2)
    far = datetime.now(UTC) + timedelta(hours=1)
    with client(broker_env) as sb:
        with sb.get_queue_sender("q-schedule") as sender:
            [kept] = sender.schedule_messages(ServiceBusMessage("on time"), soon)
            [dropped] = sender.schedule_messages(ServiceBusMessage("never"), far)
            assert dropped > kept
            sender.cancel_scheduled_messages(dropped)
        with sb.get_queue_receiver("q-schedule") as receiver:
            assert [m.sequence_number for m in receiver.peek_messages(max_message_count=5)] == [
                kept
            ]
            [got] = drain(receiver, 1)
            assert str(got) == "on time"
            assert got.sequence_number == kept
            assert got.scheduled_enqueue_time_utc is not None
            assert datetime.now(UTC) >= soon - timedelta(milliseconds=5)
            receiver.complete_message(got)
            assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []


def test_it_receives_two_interleaved_sessions_each_in_order_with_session_state(broker_env):
    messages = [
        ServiceBusMessage(f"{sid}-{i}", session_id=sid) for i in range(3) for sid in ("A", "B")
    ]
    send(broker_env, "q-sessions", *messages)
    with client(broker_env) as sb:
        with sb.get_queue_receiver("q-sessions", session_id="B") as receiver:
            got = drain(receiver, 3)
            assert [str(m) for m in got] == ["B-0", "B-1", "B-2"]
            assert all(m.session_id == "B" for m in got)
            for m in got:
                receiver.complete_message(m)
            receiver.session.set_state(b"checkpoint-2")
            assert receiver.session.get_state() == b"checkpoint-2"
            receiver.session.renew_lock()
            assert receiver.session.locked_until_utc > datetime.now(UTC)
        with sb.get_queue_receiver("q-sessions", session_id=NEXT_AVAILABLE_SESSION) as receiver:
            assert receiver.session.session_id == "A"
            assert [str(m) for m in receiver.peek_messages(max_message_count=10)] == [
                "A-0",
                "A-1",
                "A-2",
            ]
            got = drain(receiver, 3)
            assert [str(m) for m in got] == ["A-0", "A-1", "A-2"]
            for m in got:
                receiver.complete_message(m)
            assert receiver.session.get_state() is None
        with sb.get_queue_receiver("q-sessions", session_id="B") as receiver:
            assert receiver.session.get_state() == b"checkpoint-2"


def test_it_routes_topic_messages_to_each_subscription_by_its_rule(broker_env):
    with client(broker_env) as sb:
        with sb.get_topic_sender("t-orders") as sender:
            sender.send_messages(
                [
                    ServiceBusMessage("red order", application_properties={"color": "red"}),
                    ServiceBusMessage("blue order", application_properties={"color": "blue"}),
                ]
            )
        with sb.get_subscription_receiver("t-orders", "all") as receiver:
            got = drain(receiver, 2)
            assert sorted(str(m) for m in got) == ["blue order", "red order"]
            for m in got:
                receiver.complete_message(m)
        with sb.get_subscription_receiver("t-orders", "red") as receiver:
            got = drain(receiver, 1)
            assert [str(m) for m in got] == ["red order"]
            receiver.complete_message(got[0])
            assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []


def test_it_peeks_without_locking_and_receives_and_deletes(broker_env):
    send(broker_env, "q-peek", ServiceBusMessage("p-0"), ServiceBusMessage("p-1"))
    with client(broker_env) as sb:
        with sb.get_queue_receiver("q-peek") as receiver:
            peeked = receiver.peek_messages(max_message_count=5)
            assert [str(m) for m in peeked] == ["p-0", "p-1"]
        with sb.get_queue_receiver(
            "q-peek", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE
        ) as receiver:
            got = drain(receiver, 2)
            assert [str(m) for m in got] == ["p-0", "p-1"]
        with sb.get_queue_receiver("q-peek") as receiver:
            assert receiver.peek_messages(max_message_count=5) == []


def test_it_rejects_a_wrong_key_with_an_authentication_error(broker_env):
    wrong = broker_env.connection_string.replace(broker_env.key, "d3Jvbmcta2V5LXdyb25nLWtleQ==")
    with ServiceBusClient.from_connection_string(wrong, retry_total=0) as sb:
        sender = sb.get_queue_sender("q-send")
        with pytest.raises(ServiceBusAuthenticationError):
            sender.send_messages(ServiceBusMessage("nope"))
        sender.close()


def test_it_works_with_the_async_client(broker_env):
    from azure.servicebus.aio import ServiceBusClient as AsyncClient

    async def scenario() -> list[str]:
        async with AsyncClient.from_connection_string(broker_env.connection_string) as sb:
            async with sb.get_queue_sender("q-async") as sender:
                await sender.send_messages([ServiceBusMessage("a-0"), ServiceBusMessage("a-1")])
            async with sb.get_queue_receiver("q-async") as receiver:
                got: list = []
                for _ in range(5):
                    got += await receiver.receive_messages(max_message_count=2, max_wait_time=5)
                    if len(got) >= 2:
                        break
                for m in got:
                    await receiver.complete_message(m)
                return [str(m) for m in got]

    assert asyncio.run(scenario()) == ["a-0", "a-1"]


def test_it_takes_back_prefetched_messages_without_counting_a_delivery(broker_env):
    send(broker_env, "q-release", *(ServiceBusMessage(f"r-{i}") for i in range(3)))
    with client(broker_env) as sb:
        with sb.get_queue_receiver("q-release", prefetch_count=10) as receiver:
            [first] = drain(receiver, 1)
            receiver.complete_message(first)
        with sb.get_queue_receiver("q-release") as receiver:
            rest = drain(receiver, 2)
            assert sorted(str(m) for m in rest) == sorted({"r-0", "r-1", "r-2"} - {str(first)})
            assert [m.delivery_count for m in rest] == [0, 0]
            for m in rest:
                receiver.complete_message(m)


def test_it_drops_a_duplicate_message_id_within_the_window(broker_env):
    send(broker_env, "q-dedup", ServiceBusMessage("first", message_id="same"))
    send(broker_env, "q-dedup", ServiceBusMessage("second", message_id="same"))
    send(broker_env, "q-dedup", ServiceBusMessage("other", message_id="different"))
    with client(broker_env) as sb, sb.get_queue_receiver("q-dedup") as receiver:
        got = drain(receiver, 2)
        assert [str(m) for m in got] == ["first", "other"]
        for m in got:
            receiver.complete_message(m)
        assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []


def test_it_carries_messages_larger_than_a_frame(broker_env):
    body = bytes(range(256)) * 2800  # ~700 KB
    send(broker_env, "q-large", ServiceBusMessage(body))
    with client(broker_env) as sb, sb.get_queue_receiver("q-large") as receiver:
        [got] = drain(receiver, 1)
        assert b"".join(got.body) == body
        receiver.complete_message(got)


def test_it_refuses_a_plain_receiver_on_a_session_queue(broker_env):
    with client(broker_env, retry_total=0) as sb:
        receiver = sb.get_queue_receiver("q-empty-sessions")
        with pytest.raises(ServiceBusError, match="requires sessions"):
            receiver.receive_messages(max_message_count=1, max_wait_time=2)
        receiver.close()


def test_it_reports_a_missing_entity(broker_env):
    from azure.servicebus.exceptions import MessagingEntityNotFoundError

    with client(broker_env, retry_total=0) as sb:
        sender = sb.get_queue_sender("no-such-queue")
        with pytest.raises(MessagingEntityNotFoundError):
            sender.send_messages(ServiceBusMessage("lost"))
        sender.close()


def test_it_makes_unsettled_messages_available_again_when_the_receiver_goes_away(broker_env):
    send(broker_env, "q-orphan", ServiceBusMessage("orphan"))
    with client(broker_env) as sb:
        with sb.get_queue_receiver("q-orphan") as receiver:
            [got] = drain(receiver, 1)
            assert got.delivery_count == 0
        with sb.get_queue_receiver("q-orphan") as receiver:
            [again] = drain(receiver, 1)
            assert str(again) == "orphan"
            assert again.delivery_count == 1
            receiver.complete_message(again)


def test_it_dead_letters_and_schedules_on_topic_subscriptions(broker_env):
    soon = datetime.now(UTC) + timedelta(seconds=1)
    with client(broker_env) as sb:
        with sb.get_topic_sender("t-events") as sender:
            sender.send_messages(ServiceBusMessage("bad event"))
            [kept] = sender.schedule_messages(ServiceBusMessage("scheduled"), soon)
            [dropped] = sender.schedule_messages(
                ServiceBusMessage("cancelled"), soon + timedelta(hours=1)
            )
            sender.cancel_scheduled_messages(dropped)
        with sb.get_subscription_receiver("t-events", "audit") as receiver:
            [bad] = drain(receiver, 1)
            assert str(bad) == "bad event"
            receiver.dead_letter_message(bad, reason="Unreadable")
            [scheduled] = drain(receiver, 1)
            assert str(scheduled) == "scheduled"
            receiver.complete_message(scheduled)
            assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []
        with sb.get_subscription_receiver(
            "t-events", "audit", sub_queue=ServiceBusSubQueue.DEAD_LETTER
        ) as dlq:
            [dead] = drain(dlq, 1)
            assert dead.dead_letter_reason == "Unreadable"
            assert dead.dead_letter_source == "t-events/subscriptions/audit"
            dlq.complete_message(dead)
        with sb.get_subscription_receiver("t-events", "billing") as receiver:
            got = drain(receiver, 2)
            assert [str(m) for m in got] == ["bad event", "scheduled"]
            for m in got:
                receiver.complete_message(m)
            assert receiver.peek_messages(max_message_count=5) == []
    assert kept < dropped


def test_it_hands_each_message_to_exactly_one_of_two_competing_receivers(broker_env):
    import threading

    send(broker_env, "q-compete", *(ServiceBusMessage(f"c-{i}") for i in range(40)))
    seen: dict[str, list[str]] = {"one": [], "two": []}

    def consume(name: str) -> None:
        with client(broker_env) as sb, sb.get_queue_receiver("q-compete") as receiver:
            while True:
                got = receiver.receive_messages(max_message_count=5, max_wait_time=2)
                if not got:
                    return
                for m in got:
                    seen[name].append(str(m))
                    receiver.complete_message(m)

    workers = [threading.Thread(target=consume, args=(name,)) for name in seen]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    everything = seen["one"] + seen["two"]
    assert sorted(everything) == sorted(f"c-{i}" for i in range(40))


def test_it_times_out_accepting_the_next_session_when_none_is_waiting(broker_env):
    from azure.servicebus.exceptions import OperationTimeoutError

    with client(broker_env, retry_total=0) as sb:
        receiver = sb.get_queue_receiver(
            "q-empty-sessions", session_id=NEXT_AVAILABLE_SESSION, max_wait_time=2
        )
        with pytest.raises(OperationTimeoutError):
            receiver.receive_messages(max_message_count=1, max_wait_time=2)
        receiver.close()


def test_it_holds_a_next_available_session_receiver_until_a_session_arrives(broker_env):
    import threading

    got: list = []

    def wait_for_session() -> None:
        with (
            client(broker_env) as sb,
            sb.get_queue_receiver(
                "q-late-sessions", session_id=NEXT_AVAILABLE_SESSION, max_wait_time=20
            ) as receiver,
        ):
            got.append(receiver.session.session_id)
            messages = drain(receiver, 1)
            got.extend(str(m) for m in messages)
            for m in messages:
                receiver.complete_message(m)

    waiter = threading.Thread(target=wait_for_session)
    waiter.start()
    time.sleep(2)  # the receiver is now waiting for its attach to be answered
    assert got == []
    send(broker_env, "q-late-sessions", ServiceBusMessage("late", session_id="L"))
    waiter.join(60)
    assert got == ["L", "late"]
