"""Service Bus REST data plane against a running Sluice server."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from tests.broker.sbclient import ServiceBus

pytestmark = pytest.mark.integration


@pytest.fixture
def sb(broker_server):
    return ServiceBus(broker_server.url, broker_server.key)


@pytest.fixture
def queue(broker_server, unique):
    def make(*options: str) -> str:
        name = unique("q")
        broker_server.broker("queue", "create", name, *options)
        return name

    return make


def test_it_sends_peek_locks_and_completes(sb, queue):
    q = queue()
    sent = sb.send(
        q,
        b"hello",
        {"MessageId": "m1", "Label": "greeting", "CorrelationId": "c1"},
        Priority='"High"',
        Count="3",
    )
    assert sent.status_code == 201
    got = sb.peek_lock(q)
    assert got.status_code == 201
    props = sb.props(got)
    assert got.content == b"hello"
    assert props["MessageId"] == "m1"
    assert props["Label"] == "greeting"
    assert props["CorrelationId"] == "c1"
    assert props["DeliveryCount"] == 1
    assert got.headers["Priority"] == '"High"'
    assert got.headers["Count"] == "3"
    assert got.headers["Location"].endswith(
        f"/{q}/messages/{props['SequenceNumber']}/{props['LockToken']}"
    )
    assert sb.peek_lock(q).status_code == 204
    assert sb.complete(q, got).status_code == 200
    assert sb.complete(q, got).status_code == 410


def test_it_redelivers_after_abandon_and_dead_letters_after_max_delivery_count(sb, queue):
    q = queue("--max-delivery-count", "2")
    sb.send(q, b"poison")
    for expected in (1, 2):
        got = sb.peek_lock(q)
        assert sb.props(got)["DeliveryCount"] == expected
        assert sb.abandon(q, got).status_code == 200
    assert sb.peek_lock(q).status_code == 204
    dead = sb.peek_lock(f"{q}/$DeadLetterQueue")
    assert dead.status_code == 201
    assert dead.content == b"poison"
    assert sb.props(dead)["DeadLetterReason"] == "MaxDeliveryCountExceeded"
    assert sb.complete(f"{q}/$DeadLetterQueue", dead).status_code == 200


def test_it_receives_and_deletes(sb, queue):
    q = queue()
    sb.send(q, b"once")
    got = sb.receive_delete(q)
    assert got.status_code == 200
    assert got.content == b"once"
    assert sb.receive_delete(q).status_code == 204


def test_it_dead_letters_with_a_reason_and_defers(sb, queue):
    q = queue()
    sb.send(q, b"a")
    sb.send(q, b"b")
    a = sb.peek_lock(q)
    assert (
        sb.settle(
            q,
            a,
            "POST",
            "deadletter",
            json={"deadLetterReason": "Bad", "deadLetterErrorDescription": "nope"},
        ).status_code
        == 200
    )
    b = sb.peek_lock(q)
    seq = sb.props(b)["SequenceNumber"]
    assert sb.settle(q, b, "POST", "defer").status_code == 200
    assert sb.peek_lock(q).status_code == 204
    deferred = sb.http.post(f"/{q}/messages/deferred", json={"sequenceNumbers": [seq]}).json()[
        "value"
    ]
    assert [d["brokerProperties"]["SequenceNumber"] for d in deferred] == [seq]
    assert deferred[0]["brokerProperties"]["State"] == "Deferred"
    token = deferred[0]["brokerProperties"]["LockToken"]
    assert sb.http.delete(f"/{q}/messages/{seq}/{token}").status_code == 200
    dead = sb.peek_lock(f"{q}/$deadletterqueue")
    assert sb.props(dead)["DeadLetterReason"] == "Bad"
    assert sb.props(dead)["DeadLetterErrorDescription"] == "nope"


def test_it_expires_messages_to_the_dead_letter_queue(sb, queue):
    q = queue("--dead-letter-on-expiration")
    sb.send(q, b"short", {"TimeToLive": 1})
    time.sleep(1.5)
    assert sb.peek_lock(q).status_code == 204
    dead = sb.peek_lock(f"{q}/$DeadLetterQueue")
    assert sb.props(dead)["DeadLetterReason"] == "TTLExpiredException"


def test_it_drops_expired_messages_without_dead_lettering_by_default(sb, queue):
    q = queue()
    sb.send(q, b"short", {"TimeToLive": 1})
    time.sleep(1.5)
    assert sb.peek_lock(q).status_code == 204
    assert sb.peek_lock(f"{q}/$DeadLetterQueue").status_code == 204


def test_it_drops_duplicates_within_the_window(sb, queue):
    q = queue("--duplicate-detection", "600")
    for _ in range(3):
        assert sb.send(q, b"x", {"MessageId": "same"}).status_code == 201
    sb.send(q, b"y", {"MessageId": "other"})
    bodies = []
    while (got := sb.receive_delete(q)).status_code == 200:
        bodies.append(got.content)
    assert bodies == [b"x", b"y"]


def test_it_holds_scheduled_messages_until_their_time(sb, queue):
    q = queue()
    when = datetime.now(UTC) + timedelta(seconds=6)
    sb.send(q, b"later", {"ScheduledEnqueueTimeUtc": format_datetime(when, usegmt=True)})
    assert sb.peek_lock(q).status_code == 204
    peeked = sb.http.get(f"/{q}/messages/peek").json()["value"]
    assert peeked[0]["brokerProperties"]["State"] == "Scheduled"
    got = sb.peek_lock(q, timeout=30)
    assert got.status_code == 201
    assert got.content == b"later"


def test_it_long_polls_until_a_message_arrives(sb, broker_server, queue):
    import threading

    q = queue()
    threading.Timer(
        1.0, lambda: ServiceBus(broker_server.url, broker_server.key).send(q, b"late")
    ).start()
    got = sb.peek_lock(q, timeout=20)
    assert got.status_code == 201
    assert got.content == b"late"


def test_it_renews_a_lock(sb, queue):
    q = queue("--lock-duration", "5")
    sb.send(q, b"r")
    got = sb.peek_lock(q)
    before = sb.props(got)["LockedUntilUtc"]
    time.sleep(1.1)
    renewed = sb.renew(q, got)
    assert renewed.status_code == 200
    assert sb.props(renewed)["LockedUntilUtc"] != before


def test_it_makes_an_expired_lock_available_again(sb, queue):
    q = queue("--lock-duration", "1")
    sb.send(q, b"r")
    first = sb.peek_lock(q)
    time.sleep(1.3)
    second = sb.peek_lock(q)
    assert second.status_code == 201
    assert sb.props(second)["DeliveryCount"] == 2
    assert sb.complete(q, first).status_code == 410
    assert sb.complete(q, second).status_code == 200


def test_it_sends_a_batch(sb, queue):
    q = queue()
    response = sb.send_batch(
        q,
        [
            {"Body": "one", "BrokerProperties": {"Label": "L"}, "UserProperties": {"n": 1}},
            {"Body": "two"},
        ],
    )
    assert response.status_code == 201
    first = sb.receive_delete(q)
    assert (first.content, sb.props(first)["Label"], first.headers["n"]) == (b"one", "L", "1")
    assert sb.receive_delete(q).content == b"two"


def test_it_delivers_sessions_in_order_to_one_receiver(sb, queue):
    q = queue("--requires-session")
    assert sb.send(q, b"no session").status_code == 400
    for i in range(3):
        sb.send(q, f"a{i}", {"SessionId": "A"})
        sb.send(q, f"b{i}", {"SessionId": "B"})
    first = sb.peek_lock(q, sessionId="A")
    token = first.headers["SessionLockToken"]
    assert first.content == b"a0"
    assert sb.peek_lock(q, sessionId="A").status_code == 409
    sb.abandon(q, first)
    again = sb.http.post(
        f"/{q}/messages/head",
        params={"timeout": 0, "sessionId": "A"},
        headers={"SessionLockToken": token},
    )
    assert again.content == b"a0"
    other = sb.peek_lock(q)
    assert sb.props(other)["SessionId"] == "B"
    assert other.content == b"b0"
    state = sb.http.put(
        f"/{q}/sessions/A/state", content=b"step-2", headers={"SessionLockToken": token}
    )
    assert state.status_code == 200
    assert (
        sb.http.get(f"/{q}/sessions/A/state", headers={"SessionLockToken": token}).content
        == b"step-2"
    )
    assert (
        sb.http.get(f"/{q}/sessions/A/state", headers={"SessionLockToken": "wrong"}).status_code
        == 410
    )


def test_it_routes_topic_messages_through_rules(sb, broker_server, unique):
    t = unique("t")
    broker_server.broker("sbtopic", "create", t)
    for s in ("all", "red", "big", "corr"):
        broker_server.broker("sbsubscription", "create", t, s)
    broker_server.python(
        "from broker.models import Rule\n"
        f"Rule.objects.filter(channel__sb_topic__name='{t}', channel__name__in=['red','big','corr']).delete()\n"
    )
    broker_server.broker(
        "rule", "create", t, "red", "r1", "--sql", "color = 'red' AND sys.Label LIKE 'order%'"
    )
    broker_server.broker(
        "rule",
        "create",
        t,
        "big",
        "r1",
        "--sql",
        "quantity > 10",
        "--action",
        "SET quantity = quantity / 2",
    )
    broker_server.broker(
        "rule",
        "create",
        t,
        "corr",
        "r1",
        "--correlation",
        '{"correlationId": "c-7", "properties": {"region": "eu"}}',
    )
    sb.send(
        t,
        b"1",
        {"Label": "order-1", "CorrelationId": "c-7"},
        color='"red"',
        quantity="20",
        region='"eu"',
    )
    sb.send(t, b"2", {"Label": "invoice"}, color='"red"', quantity="5")
    sb.send(t, b"3", {"Label": "order-3"}, color='"blue"')

    def drain(sub: str) -> list:
        out = []
        while (got := sb.receive_delete(f"{t}/subscriptions/{sub}")).status_code == 200:
            out.append(got)
        return out

    assert [g.content for g in drain("all")] == [b"1", b"2", b"3"]
    assert [g.content for g in drain("red")] == [b"1"]
    big = drain("big")
    assert [(g.content, g.headers["quantity"], g.headers["RuleName"]) for g in big] == [
        (b"1", "10", '"r1"')
    ]
    assert [g.content for g in drain("corr")] == [b"1"]


def test_it_auto_forwards_to_another_queue(sb, queue):
    target = queue()
    source = queue("--forward-to", target)
    sb.send(source, b"fwd")
    assert sb.receive_delete(source).status_code == 204
    assert sb.receive_delete(target).content == b"fwd"


def test_it_refuses_bad_input_with_clear_errors(sb, queue, broker_server):
    q = queue()
    bad = sb.http.post(f"/{q}/messages", content=b"x", headers={"BrokerProperties": "{nope"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "InvalidBrokerProperties"
    assert sb.send("no-such-queue", b"x").status_code == 404
    assert sb.http.delete(f"/{q}/messages/1/not-a-token").json()["error"]["code"] == "BadToken"
    unauthorized = httpx.post(f"{broker_server.url}/{q}/messages", content=b"x")
    assert unauthorized.status_code == 401
    assert sb.receive_delete(q).status_code == 204


def test_it_reports_the_time_to_live_it_was_sent_with(sb, queue):
    q = queue()
    sb.send(q, b"ttl", {"TimeToLive": 30})
    assert sb.props(sb.peek_lock(q))["TimeToLive"] == 30


def test_it_forgets_idle_sessions_but_keeps_session_state(sb, queue, broker_server):
    q = queue("--requires-session")
    sb.send(q, b"s1", {"SessionId": "keep"})
    sb.send(q, b"s2", {"SessionId": "drop"})
    for sid in ("keep", "drop"):
        got = sb.peek_lock(q, sessionId=sid)
        token = got.headers["SessionLockToken"]
        assert sb.complete(q, got).status_code == 200
        if sid == "keep":
            sb.http.put(
                f"/{q}/sessions/keep/state", content=b"st", headers={"SessionLockToken": token}
            )
    out = broker_server.python(
        "from datetime import timedelta\nfrom django.utils import timezone\n"
        "from broker.models import Session\nfrom broker.services import store\n"
        "store.sweep_sessions(timezone.now() + timedelta(minutes=5))\n"
        f"print(sorted(Session.objects.filter(channel__name='{q}').values_list('session_id', flat=True)))\n"
    )
    assert out.strip().splitlines()[-1] == "['keep']"
