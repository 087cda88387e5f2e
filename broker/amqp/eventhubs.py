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
import threading
import time
from datetime import UTC, datetime, timedelta

from proton import Condition, Data, Delivery, Link, symbol

from broker.amqp import convert
from broker.amqp.connection import POLL_SECONDS, LinkHandler, Refused
from broker.models import ConsumerGroup, EventHub, HubEvent, Partition
from broker.services import eventhubs as eh
from broker.services.errors import BrokerError

SELECTOR = "apache.org:selector-filter:string"
EPOCH = "com.microsoft:epoch"
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


def epoch_of(link: Link) -> int | None:
    """The `com.microsoft:epoch` link property (the SDK's `owner_level`)."""
    for key, value in (link.remote_properties or {}).items():
        if str(key) == EPOCH:
            return int(value)
    return None


def last_enqueued(partition: Partition) -> dict:
    """Delivery annotations for `track_last_enqueued_event_properties`."""
    last = HubEvent.objects.filter(partition=partition).order_by("-sequence_number").first()
    if last is None:
        return {}
    return {
        symbol("last_enqueued_sequence_number"): int(last.sequence_number),
        symbol("last_enqueued_offset"): str(last.offset),
        symbol("last_enqueued_time_utc"): convert.to_ms(last.enqueued_at),
        symbol("runtime_info_retrieval_time_utc"): convert.to_ms(now()),
    }


class PartitionReceiver(LinkHandler):
    """Reads one partition for one consumer group. A receiver with an epoch
    (owner level) takes the partition from receivers with a lower or no epoch,
    which are detached with `amqp:link:stolen`; a lower epoch is refused."""

    polls = True

    def __init__(
        self, conn, link, hub: EventHub, group: ConsumerGroup, partition: Partition
    ) -> None:
        super().__init__(conn, link)
        self.partition = partition
        self.owner_key = (group.id, partition.id)
        self.epoch = epoch_of(link)
        self.stolen = False
        self.position = start_position(partition, selector(link))
        self.presettled = link.remote_snd_settle_mode == Link.SND_SETTLED
        self.last_empty = 0.0
        self.tags = 0
        conn.server.owners.claim(self)

    @property
    def urgent(self) -> bool:
        return self.stolen

    def poll(self) -> None:
        if self.stolen:
            raise Refused("amqp:link:stolen", "A receiver with a higher epoch took this partition.")
        generation = self.conn.server.generation
        if generation == self.generation and time.monotonic() - self.last_empty < POLL_SECONDS:
            return
        while self.link.credit > 0:
            events = eh.read(self.partition, self.position, min(self.link.credit, 200))
            if not events:
                self.generation, self.last_empty = generation, time.monotonic()
                return
            notes = last_enqueued(self.partition)
            for event in events:
                self._send(event, notes)
            self.position = eh.Position(events[-1].sequence_number + 1)

    def _send(self, event, notes: dict) -> None:
        self.tags += 1
        delivery = self.link.delivery(str(self.tags).encode())
        message = convert.from_event(event)
        message.instructions = notes or None
        self.link.send(bytes(message.encode()))
        self.link.advance()
        if self.presettled:
            delivery.settle()

    def settled(self, delivery: Delivery) -> None:
        if delivery.remote_state:
            delivery.update(delivery.remote_state)
        delivery.settle()

    def closed(self) -> None:
        self.conn.server.owners.release(self)


class PartitionOwners:
    """Which receivers read a (consumer group, partition), across connections."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._receivers: dict[tuple[int, int], set[PartitionReceiver]] = {}

    def claim(self, receiver: PartitionReceiver) -> None:
        with self._lock:
            current = self._receivers.setdefault(receiver.owner_key, set())
            epochs = [r.epoch for r in current if r.epoch is not None and not r.stolen]
            if epochs and (receiver.epoch is None or receiver.epoch < max(epochs)):
                raise Refused(
                    "amqp:link:stolen",
                    f"A receiver with epoch {max(epochs)} owns this partition.",
                )
            losers = (
                []
                if receiver.epoch is None
                else [r for r in current if (r.epoch or -1) < receiver.epoch]
            )
            for loser in losers:
                loser.stolen = True
                current.discard(loser)
            current.add(receiver)
        for loser in losers:
            loser.conn.wake()

    def release(self, receiver: PartitionReceiver) -> None:
        with self._lock:
            self._receivers.get(receiver.owner_key, set()).discard(receiver)
