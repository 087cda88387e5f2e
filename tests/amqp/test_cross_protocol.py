"""What one protocol writes the other reads: the AMQP listener and the HTTP data
plane share the broker's services and database."""

from __future__ import annotations

import json

import httpx
import pytest
from azure.eventhub import EventData, EventHubProducerClient
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from tests.amqp.test_eventhubs import collect

pytestmark = pytest.mark.integration


def http(web_env) -> httpx.Client:
    return httpx.Client(
        base_url=web_env.http,
        headers={"Authorization": f"SharedAccessKey {web_env.key}"},
        timeout=30,
    )


def test_it_reads_over_http_a_message_sent_over_amqp(web_env):
    sb = ServiceBusClient.from_connection_string(web_env.connection_string)
    with sb, sb.get_queue_sender("q-to-http") as sender:
        sender.send_messages(
            ServiceBusMessage("via amqp", message_id="a-1", application_properties={"color": "red"})
        )
    with http(web_env) as client:
        response = client.delete("/q-to-http/messages/head", params={"timeout": 5})
    assert response.status_code == 200, response.text
    assert response.content == b"via amqp"
    props = json.loads(response.headers["BrokerProperties"])
    assert props["MessageId"] == "a-1"
    assert json.loads(response.headers["color"]) == "red"


def test_it_receives_over_amqp_a_message_sent_over_http(web_env):
    with http(web_env) as client:
        response = client.post(
            "/q-from-http/messages",
            content=b"via http",
            headers={
                "BrokerProperties": json.dumps({"MessageId": "h-1", "Label": "from-http"}),
                "priority": "5",
                "Content-Type": "text/plain",
            },
        )
    assert response.status_code == 201, response.text
    sb = ServiceBusClient.from_connection_string(web_env.connection_string)
    with sb, sb.get_queue_receiver("q-from-http", max_wait_time=5) as receiver:
        [got] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert str(got) == "via http"
        assert got.message_id == "h-1"
        assert got.subject == "from-http"
        # HTTP header names are case-insensitive; the data plane title-cases them
        assert got.application_properties == {b"Priority": 5}
        receiver.complete_message(got)


def test_it_shares_event_hub_partitions_between_http_and_amqp(web_env):
    with http(web_env) as client:
        response = client.post("/eh-http/partitions/1/messages", content=b"from http")
        assert response.status_code == 201, response.text
    events = collect(web_env, "eh-http", "1", "-1", 1)
    assert [e.body_as_str() for e in events] == ["from http"]
    with EventHubProducerClient.from_connection_string(
        web_env.connection_string, eventhub_name="eh-http"
    ) as producer:
        producer.send_event(EventData("from amqp"), partition_id="0")
    with http(web_env) as client:
        response = client.get(
            "/eh-http/consumergroups/$Default/partitions/0/messages", params={"from": "earliest"}
        )
    assert response.status_code == 200, response.text
    assert [e["body"] for e in response.json()["value"]] == ["from amqp"]
