"""Event Hubs links: senders to `<hub>` (partition key -> the service's lookup3
hash, else round-robin) or `<hub>/Partitions/<p>`, and partition receivers
`<hub>/ConsumerGroups/<cg>/Partitions/<p>` positioned by the
`apache.org:selector-filter:string` filter:

    amqp.annotation.x-opt-offset > '-1'              (start of stream; '@latest' = end)
    amqp.annotation.x-opt-offset >= '1234'           (inclusive)
    amqp.annotation.x-opt-sequence-number > '41'
    amqp.annotation.x-opt-enqueued-time > '1700000000000'   (unix ms)
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

from proton import Condition, Data, Delivery, Link

from broker.amqp import convert
from broker.amqp.connection import POLL_SECONDS, LinkHandler, Refused
from broker.models import ConsumerGroup, EventHub, Partition
from broker.services import eventhubs as eh
from broker.services.errors import BrokerError

SELECTOR = "apache.org:selector-filter:string"
SELECTOR_RE = re.compile(
    r"^\s*amqp\.annotation\.x-opt-(offset|sequence-number|enqueued-time)\s*(>=|>)\s*'([^']*)'\s*$",
    re.IGNORECASE,
)


def now() -> datetime:
    return datetime.now(UTC)


def _hub(namespace, name: str) -> EventHub | None:
    return EventHub.objects.filter(namespace=namespace, name=name).first()


def find_hub_target(namespace, path: str) -> tuple[EventHub, str | None] | None:
    parts = path.split("/")
    hub = _hub(namespace, parts[0])
    if hub is None:
        return None
    if len(parts) == 1:
        return hub, None
    if len(parts) == 3 and parts[1].lower() == "partitions":
        _partition(hub, parts[2])
        return hub, parts[2]
    raise Refused("amqp:not-found", f"'{path}' is not an event hub send address.")


def _partition(hub: EventHub, partition_id: str) -> Partition:
    try:
        return eh.get_partition(hub, partition_id)
    except BrokerError as exc:
        raise Refused("amqp:not-found", exc.message) from exc


def find_partition_source(namespace, path: str):
    parts = path.split("/")
    hub = _hub(namespace, parts[0])
    if hub is None:
        return None
    if len(parts) != 5 or parts[1].lower() != "consumergroups" or parts[3].lower() != "partitions":
        raise Refused("amqp:not-found", f"'{path}' is not a partition receive address.")
    group = ConsumerGroup.objects.filter(hub=hub, name__iexact=parts[2]).first()
    if group is None:
        raise Refused(
            "amqp:not-found", f"Consumer group '{parts[2]}' does not exist on '{hub.name}'."
        )
    return hub, group, _partition(hub, parts[4])


class HubSender(LinkHandler):
    def __init__(self, conn, link, hub: EventHub, partition_id: str | None) -> None:
        super().__init__(conn, link)
        self.hub = hub
        self.partition_id = partition_id

    def message(self, delivery: Delivery, payload: bytes, message_format: int) -> None:
        messages, notes = convert.unpack(payload, message_format)
        key = convert.text(notes.get("x-opt-partition-key")) or None
        try:
            if messages:
                eh.send(
                    self.hub,
                    [convert.to_incoming(m) for m in messages],
                    now(),
                    partition_key=key,
                    partition_id=self.partition_id,
                )
        except BrokerError as exc:
            delivery.local.condition = Condition(
                "amqp:not-found" if exc.status == 404 else "amqp:invalid-field", exc.message
            )
            delivery.update(Delivery.REJECTED)
            delivery.settle()
            return
        delivery.update(Delivery.ACCEPTED)
        delivery.settle()
        self.conn.server.notify()


def selector(link: Link) -> str | None:
    data: Data = link.remote_source.filter
    data.rewind()
    if not data.next():
        return None
    value = data.get_object()
    if not isinstance(value, dict):
        return None
    for key, item in value.items():
        if str(key) == SELECTOR:
            return convert.text(getattr(item, "value", item))
    return None


def start_position(partition: Partition, expression: str | None) -> eh.Position:
    if not expression:
        return eh.Position(partition.next_sequence_number)
    match = SELECTOR_RE.match(expression)
    if match is None:
        raise Refused("amqp:invalid-field", f"Unsupported selector filter: {expression!r}.")
    field, op, value = match.group(1).lower(), match.group(2), match.group(3)
    inclusive = op == ">="
    try:
        if field == "offset":
            if value == "-1":
                return eh.Position(0)
            if value == "@latest":
                return eh.Position(partition.next_sequence_number)
            return eh.resolve_position(partition, f"offset:{int(value)}", inclusive)
        if field == "sequence-number":
            return eh.Position(max(0, int(value) + (0 if inclusive else 1)))
        # Times go out truncated to the millisecond; stored ones keep microseconds.
        moment = datetime.fromtimestamp(int(value) / 1000, tz=UTC)
        if not inclusive:
            moment += timedelta(milliseconds=1)
        return eh.Position(0, after_time=moment - timedelta(microseconds=1))
    except (ValueError, OverflowError, BrokerError) as exc:
        raise Refused("amqp:invalid-field", f"Bad selector filter {expression!r}: {exc}") from exc


class PartitionReceiver(LinkHandler):
    polls = True

    def __init__(
        self, conn, link, hub: EventHub, group: ConsumerGroup, partition: Partition
    ) -> None:
        super().__init__(conn, link)
        self.partition = partition
        self.position = start_position(partition, selector(link))
        self.presettled = link.remote_snd_settle_mode == Link.SND_SETTLED
        self.generation = -1
        self.last_empty = 0.0
        self.tags = 0

    def poll(self) -> None:
        generation = self.conn.server.generation
        if generation == self.generation and time.monotonic() - self.last_empty < POLL_SECONDS:
            return
        while self.link.credit > 0:
            events = eh.read(self.partition, self.position, min(self.link.credit, 200))
            if not events:
                self.generation, self.last_empty = generation, time.monotonic()
                return
            for event in events:
                self._send(event)
            self.position = eh.Position(events[-1].sequence_number + 1)

    def _send(self, event) -> None:
        self.tags += 1
        delivery = self.link.delivery(str(self.tags).encode())
        self.link.send(bytes(convert.from_event(event).encode()))
        self.link.advance()
        if self.presettled:
            delivery.settle()

    def settled(self, delivery: Delivery) -> None:
        if delivery.remote_state:
            delivery.update(delivery.remote_state)
        delivery.settle()
