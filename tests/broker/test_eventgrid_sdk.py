"""The real azure-eventgrid SDK against a running Sluice server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from azure.core.credentials import AzureKeyCredential, AzureSasCredential
from azure.core.exceptions import ClientAuthenticationError, ResourceNotFoundError
from azure.core.messaging import CloudEvent
from azure.eventgrid import (
    EventGridConsumerClient,
    EventGridEvent,
    EventGridPublisherClient,
    generate_sas,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def topic(broker_server, unique):
    name = unique("orders")
    broker_server.broker("topic", "create", name)
    broker_server.broker("subscription", "create", name, "sub1", "--max-delivery-count", "3")
    return name


def clients(server, topic, key=None):
    cred = AzureKeyCredential(key or server.key)
    publisher = EventGridPublisherClient(server.url, cred, namespace_topic=topic)
    consumer = EventGridConsumerClient(server.url, cred, namespace_topic=topic, subscription="sub1")
    return publisher, consumer


def test_it_publishes_receives_and_acknowledges(broker_server, topic):
    publisher, consumer = clients(broker_server, topic)
    publisher.send(
        [
            CloudEvent(
                source="/contoso/orders",
                type="Contoso.Order.Created",
                data={"orderId": 7},
                subject="orders/7",
                extensions={"myext": "v1"},
            ),
            CloudEvent(source="/s", type="t.bin", data=b"\x00\x01\x02"),
        ]
    )
    received = consumer.receive(max_events=10, max_wait_time=10)
    assert len(received) == 2
    first, second = received
    assert first.event.data == {"orderId": 7}
    assert first.event.subject == "orders/7"
    assert first.event.extensions == {"myext": "v1"}
    assert first.broker_properties.delivery_count == 1
    assert second.event.data == b"\x00\x01\x02"
    tokens = [r.broker_properties.lock_token for r in received]
    result = consumer.acknowledge(lock_tokens=tokens)
    assert sorted(result.succeeded_lock_tokens) == sorted(tokens)
    assert result.failed_lock_tokens == []
    assert consumer.receive(max_events=10, max_wait_time=1) == []


def test_it_releases_an_event_for_redelivery_with_a_higher_delivery_count(broker_server, topic):
    publisher, consumer = clients(broker_server, topic)
    publisher.send(CloudEvent(source="/s", type="t", data={"n": 1}))
    first = consumer.receive(max_events=1, max_wait_time=10)[0]
    result = consumer.release(lock_tokens=[first.broker_properties.lock_token])
    assert result.succeeded_lock_tokens == [first.broker_properties.lock_token]
    again = consumer.receive(max_events=1, max_wait_time=10)[0]
    assert again.event.id == first.event.id
    assert again.broker_properties.delivery_count == 2
    assert again.broker_properties.lock_token != first.broker_properties.lock_token


def test_it_hides_an_event_released_with_a_delay(broker_server, topic):
    publisher, consumer = clients(broker_server, topic)
    publisher.send(CloudEvent(source="/s", type="t", data=1))
    got = consumer.receive(max_events=1, max_wait_time=10)[0]
    consumer.release(lock_tokens=[got.broker_properties.lock_token], release_delay=10)
    assert consumer.receive(max_events=1, max_wait_time=1) == []


def test_it_rejects_to_the_dead_letter_store(broker_server, topic):
    publisher, consumer = clients(broker_server, topic)
    publisher.send(CloudEvent(source="/s", type="t", data={"bad": True}))
    got = consumer.receive(max_events=1, max_wait_time=10)[0]
    result = consumer.reject(lock_tokens=[got.broker_properties.lock_token])
    assert result.succeeded_lock_tokens == [got.broker_properties.lock_token]
    assert consumer.receive(max_events=1, max_wait_time=1) == []
    dead = httpx.get(
        f"{broker_server.url}/topics/{topic}/eventsubscriptions/sub1/deadletters",
        headers={"Authorization": f"SharedAccessKey {broker_server.key}"},
    ).json()["value"]
    assert [d["event"]["id"] for d in dead] == [got.event.id]
    assert dead[0]["deadletterreason"] == "Rejected"


def test_it_renews_locks_and_reports_unknown_tokens(broker_server, topic):
    publisher, consumer = clients(broker_server, topic)
    publisher.send(CloudEvent(source="/s", type="t", data=1))
    got = consumer.receive(max_events=1, max_wait_time=10)[0]
    bogus = "00000000-0000-0000-0000-000000000000"
    result = consumer.renew_locks(lock_tokens=[got.broker_properties.lock_token, bogus])
    assert result.succeeded_lock_tokens == [got.broker_properties.lock_token]
    assert [f.lock_token for f in result.failed_lock_tokens] == [bogus]
    assert result.failed_lock_tokens[0].error.code == "BadToken"


def test_it_refuses_a_wrong_key(broker_server, topic):
    publisher, _ = clients(broker_server, topic, key="bm90LXRoZS1rZXk=")
    with pytest.raises(ClientAuthenticationError):
        publisher.send(CloudEvent(source="/s", type="t", data=1))


def test_it_accepts_the_secondary_key(broker_server, topic):
    publisher, consumer = clients(broker_server, topic, key=broker_server.secondary_key)
    publisher.send(CloudEvent(source="/s", type="t", data="hello"))
    assert consumer.receive(max_events=1, max_wait_time=10)[0].event.data == "hello"


def test_it_filters_by_event_type_with_the_basic_tier_client(broker_server, unique):
    topic = unique("basic")
    broker_server.broker("topic", "create", topic)
    broker_server.broker(
        "subscription",
        "create",
        topic,
        "sub1",
        "--filter",
        '{"includedEventTypes": ["Contoso.Order.Created"]}',
    )
    endpoint = f"{broker_server.url}/topics/{topic}/api/events"
    basic = EventGridPublisherClient(endpoint, AzureKeyCredential(broker_server.key))
    basic.send(
        [
            EventGridEvent(
                subject="orders/1",
                data={"orderId": 1},
                event_type="Contoso.Order.Created",
                data_version="1.0",
            ),
            EventGridEvent(
                subject="orders/2",
                data={"orderId": 2},
                event_type="Contoso.Order.Deleted",
                data_version="1.0",
            ),
        ]
    )
    basic.send(CloudEvent(source="/c", type="Contoso.Order.Created", data={"orderId": 3}))
    _, consumer = clients(broker_server, topic)
    got = consumer.receive(max_events=10, max_wait_time=10)
    assert [g.event.data["orderId"] for g in got] == [1, 3]
    assert got[0].event.type == "Contoso.Order.Created"
    assert got[0].event.subject == "orders/1"


def test_it_accepts_a_basic_tier_sas_token(broker_server, unique):
    topic = unique("sas")
    broker_server.broker("topic", "create", topic)
    broker_server.broker("subscription", "create", topic, "sub1")
    endpoint = f"{broker_server.url}/topics/{topic}/api/events"
    expiry = datetime.now(UTC) + timedelta(hours=1)
    token = generate_sas(endpoint, broker_server.key, expiry)
    EventGridPublisherClient(endpoint, AzureSasCredential(token)).send(
        EventGridEvent(subject="s", data={"x": 1}, event_type="T", data_version="1")
    )
    wrong = generate_sas(endpoint, "d3Jvbmcta2V5LXdyb25nLWtleQ==", expiry)
    with pytest.raises(ClientAuthenticationError):
        EventGridPublisherClient(endpoint, AzureSasCredential(wrong)).send(
            EventGridEvent(subject="s", data={"x": 1}, event_type="T", data_version="1")
        )
    _, consumer = clients(broker_server, topic)
    assert consumer.receive(max_events=10, max_wait_time=10)[0].event.data == {"x": 1}


def test_it_answers_404_for_an_unknown_topic(broker_server):
    publisher, _ = clients(broker_server, "no-such-topic")
    with pytest.raises(ResourceNotFoundError):
        publisher.send(CloudEvent(source="/s", type="t", data=1))


def test_it_serves_other_namespaces_under_a_path_prefix(broker_server, unique):
    import json

    ns = unique("sales")
    keys = json.loads(broker_server.broker("--namespace", ns, "keys", "--json").stdout)
    broker_server.broker("--namespace", ns, "topic", "create", "orders")
    broker_server.broker("--namespace", ns, "subscription", "create", "orders", "sub1")
    endpoint = f"{broker_server.url}/ns/{ns}"
    cred = AzureKeyCredential(keys["primaryKey"])
    EventGridPublisherClient(endpoint, cred, namespace_topic="orders").send(
        CloudEvent(source="/s", type="t", data="in sales")
    )
    consumer = EventGridConsumerClient(
        endpoint, cred, namespace_topic="orders", subscription="sub1"
    )
    assert consumer.receive(max_events=1, max_wait_time=10)[0].event.data == "in sales"
    default_key = AzureKeyCredential(broker_server.key)
    with pytest.raises(ClientAuthenticationError):
        EventGridPublisherClient(endpoint, default_key, namespace_topic="orders").send(
            CloudEvent(source="/s", type="t", data=1)
        )


def test_it_refuses_a_key_after_it_is_regenerated(broker_server, unique):
    import json

    ns = unique("rotate")
    old = json.loads(broker_server.broker("--namespace", ns, "keys", "--json").stdout)
    broker_server.broker("--namespace", ns, "topic", "create", "t1")
    endpoint = f"{broker_server.url}/ns/{ns}"
    send = lambda key: EventGridPublisherClient(  # noqa: E731
        endpoint, AzureKeyCredential(key), namespace_topic="t1"
    ).send(CloudEvent(source="/s", type="t", data=1))
    send(old["primaryKey"])
    new = json.loads(
        broker_server.broker("--namespace", ns, "keys", "--regenerate", "primary", "--json").stdout
    )
    assert new["primaryKey"] != old["primaryKey"]
    assert new["secondaryKey"] == old["secondaryKey"]
    with pytest.raises(ClientAuthenticationError):
        send(old["primaryKey"])
    send(new["primaryKey"])
    send(old["secondaryKey"])
