"""MQTT ingress against the real Mosquitto on 127.0.0.1:1883 (fails, never skips,
if it is not running)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import uuid

import paho.mqtt.client as mqtt
import pytest
from azure.core.credentials import AzureKeyCredential
from azure.eventgrid import EventGridConsumerClient

from tests.broker.conftest import ROOT, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def mosquitto():
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=2).close()
    except OSError as exc:
        raise AssertionError(
            "Mosquitto is not listening on 127.0.0.1:1883 (run scripts/ensure-services.sh)"
        ) from exc


def publish(topic: str, payloads: list[bytes]) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    for payload in payloads:
        client.publish(topic, payload, qos=1).wait_for_publish(timeout=10)
    client.loop_stop()
    client.disconnect()


class BridgeProcess:
    def __init__(self, server, filter_: str, eg_topic: str, client_id: str) -> None:
        self.args = [
            sys.executable,
            "manage.py",
            "broker",
            "mqtt",
            "--topic-filter",
            filter_,
            "--eventgrid-topic",
            eg_topic,
            "--client-id",
            client_id,
        ]
        self.server = server
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.args, cwd=ROOT, env=self.server.env, stdout=subprocess.PIPE, text=True
        )
        assert "bridging" in self.proc.stdout.readline()

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def consumer(server, topic):
    return EventGridConsumerClient(
        server.url, AzureKeyCredential(server.key), namespace_topic=topic, subscription="all"
    )


def received(client, n: int):
    got = []

    def enough():
        got.extend(client.receive(max_events=10, max_wait_time=1))
        return len(got) >= n

    wait_for(enough, timeout=30, what=f"{n} events")
    client.acknowledge(lock_tokens=[g.broker_properties.lock_token for g in got])
    return got


@pytest.fixture
def bridge(broker_server, unique, mosquitto):
    made = []

    def make():
        eg_topic = unique("mqtt")
        broker_server.broker("topic", "create", eg_topic)
        broker_server.broker("subscription", "create", eg_topic, "all")
        prefix = f"sluice-test/{uuid.uuid4().hex[:8]}"
        b = BridgeProcess(broker_server, f"{prefix}/#", eg_topic, f"bridge-{uuid.uuid4().hex[:8]}")
        made.append(b)
        return b, eg_topic, prefix

    yield make
    for b in made:
        b.stop()


def test_it_turns_mqtt_messages_into_cloudevents(broker_server, bridge):
    b, eg_topic, prefix = bridge()
    b.start()
    client = consumer(broker_server, eg_topic)
    wait_for(
        lambda: (
            publish(f"{prefix}/probe", [b"{}"]),
            client.receive(max_events=1, max_wait_time=1),
        )[1],
        what="the bridge to subscribe",
    )
    publish(f"{prefix}/room1/temp", [json.dumps({"c": 21.5}).encode(), b"plain text", b"\xff\x00"])
    got = sorted(received(client, 3), key=lambda g: str(g.event.data))
    assert {g.event.subject for g in got} == {f"{prefix}/room1/temp"}
    assert {g.event.type for g in got} == {"Sluice.Mqtt.MessageReceived"}
    assert [g.event.data for g in got] == [b"\xff\x00", "plain text", {"c": 21.5}]
    assert got[0].event.extensions["mqttqos"] == "1"


def test_it_keeps_messages_published_while_the_bridge_was_down(broker_server, bridge):
    b, eg_topic, prefix = bridge()
    b.start()
    client = consumer(broker_server, eg_topic)
    wait_for(
        lambda: (publish(f"{prefix}/probe", [b"1"]), client.receive(max_events=1, max_wait_time=1))[
            1
        ],
        what="the bridge to subscribe",
    )
    b.stop()
    publish(f"{prefix}/offline", [b"a", b"b"])
    b.start()
    got = received(client, 2)
    assert sorted(g.event.data for g in got if g.event.subject.endswith("offline")) == ["a", "b"]


def test_it_acknowledges_only_after_the_event_is_stored(broker_server, bridge):
    b, eg_topic, prefix = bridge()
    b.start()
    client = consumer(broker_server, eg_topic)
    wait_for(
        lambda: (publish(f"{prefix}/probe", [b"1"]), client.receive(max_events=1, max_wait_time=1))[
            1
        ],
        what="the bridge to subscribe",
    )
    broker_server.broker("topic", "delete", eg_topic)
    publish(f"{prefix}/while-broken", [b"kept"])
    broker_server.python(  # topic and subscription appear together, as one commit
        "from django.db import transaction\nfrom broker.services import entities\n"
        "with transaction.atomic():\n"
        f"    t = entities.create_eg_topic(entities.get_namespace(), '{eg_topic}')\n"
        "    entities.create_event_subscription(t, 'all')\n"
    )
    got = received(consumer(broker_server, eg_topic), 1)
    assert [g.event.data for g in got] == ["kept"]
