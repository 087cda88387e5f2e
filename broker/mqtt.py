"""MQTT ingress: a bridge that subscribes to MQTT topic filters and publishes each
message as a CloudEvent into an Event Grid namespace topic.

Delivery guarantee: the subscription is QoS 1 on a persistent session
(`clean_session=False`, a fixed client id) with paho's *manual acknowledgement*:
the PUBACK is sent only after the event is committed to the database. If storing
fails (database down, topic deleted) the message is not acknowledged; the bridge
reconnects after a pause and the MQTT broker redelivers every unacknowledged
message. So a message is never lost between MQTT and Sluice; it may arrive twice
(the CloudEvent `id` is new each time: at-least-once, as Event Grid).

CloudEvent: `source` = `mqtt://<host>:<port>/<mqtt topic>`, `type` =
`Sluice.Mqtt.MessageReceived`, `subject` = the MQTT topic, `data` = the payload
(JSON if it parses, else text, else `data_base64`), extensions `mqttqos`,
`mqttretain`.

Run it with `sluice broker mqtt --topic-filter 'sensors/#' --eventgrid-topic NAME`.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid

import paho.mqtt.client as mqtt
from django.db import close_old_connections, transaction
from django.utils import timezone

from broker.models import EventGridTopic
from broker.services import entities, eventgrid

log = logging.getLogger("sluice.broker.mqtt")
RETRY_PAUSE = 2.0


def to_cloudevent(message: mqtt.MQTTMessage, host: str, port: int) -> dict:
    event = {
        "id": str(uuid.uuid4()),
        "source": f"mqtt://{host}:{port}/{message.topic}",
        "type": "Sluice.Mqtt.MessageReceived",
        "specversion": "1.0",
        "subject": message.topic,
        "time": timezone.now().isoformat().replace("+00:00", "Z"),
        "mqttqos": str(message.qos),
        "mqttretain": "true" if message.retain else "false",
    }
    payload = bytes(message.payload)
    try:
        event["data"] = json.loads(payload)
        event["datacontenttype"] = "application/json"
    except ValueError:
        try:
            event["data"] = payload.decode("utf-8")
            event["datacontenttype"] = "text/plain"
        except UnicodeDecodeError:
            event["data_base64"] = base64.b64encode(payload).decode()
            event["datacontenttype"] = "application/octet-stream"
    return event


class Bridge:
    def __init__(
        self,
        topic: EventGridTopic,
        filters: list[str],
        host: str = "127.0.0.1",
        port: int = 1883,
        client_id: str = "sluice-mqtt-bridge",
    ) -> None:
        self.namespace, self.topic_name = topic.namespace.name, topic.name
        self.filters, self.host, self.port = filters, host, port
        self.stored = 0
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            manual_ack=True,
        )
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 10)

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("MQTT connect refused: %s", reason_code)
            return
        client.subscribe([(f, 1) for f in self.filters])
        log.info("MQTT bridge subscribed to %s", self.filters)

    def store(self, message: mqtt.MQTTMessage) -> None:
        close_old_connections()
        event = eventgrid.validate_cloudevent(to_cloudevent(message, self.host, self.port))
        with transaction.atomic():
            ns = entities.get_namespace(self.namespace, create=False)
            eventgrid.publish(entities.get_eg_topic(ns, self.topic_name), [event], timezone.now())

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        try:
            self.store(message)
        except Exception as exc:
            log.warning(
                "MQTT message on %s not stored (%s); reconnecting for redelivery",
                message.topic,
                exc,
            )
            time.sleep(RETRY_PAUSE)
            client.disconnect()
            return
        client.ack(message.mid, message.qos)
        self.stored += 1

    def run_forever(self) -> None:
        while True:
            try:
                self.client.connect(self.host, self.port, keepalive=30)
                self.client.loop_forever(retry_first_connection=True)
            except OSError as exc:
                log.warning("MQTT connection to %s:%s failed: %s", self.host, self.port, exc)
            time.sleep(RETRY_PAUSE)
