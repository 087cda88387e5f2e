"""Event Hubs: partitioned append-only logs with sequence numbers, byte offsets and
enqueued times; consumer groups with checkpoints; retention.

Partition keys hash exactly as the service does (Jenkins lookup3 `hashlittle2`,
folded to a signed 16-bit value; ported from azure-sdk-for-net `PartitionResolver`
and checked with its test vectors). Without a key or id, events go round-robin.

Appending locks the partition row (`SELECT … FOR UPDATE` on PostgreSQL; the
IMMEDIATE transaction does it on SQLite), so sequence numbers are gapless and in
commit order per partition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dateutil import parser as dateparser
from django.db import transaction
from django.db.models import F

from broker.models import Checkpoint, ConsumerGroup, EventHub, HubEvent, Partition
from broker.services import subscribers
from broker.services.errors import BrokerError, bad_request

MASK = 0xFFFFFFFF
MAX_BATCH_BYTES = 1024 * 1024


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & MASK


def _word(data: bytes, i: int) -> int:
    return int.from_bytes(data[i : i + 4], "little")


def _mix(a: int, b: int, c: int) -> tuple[int, int, int]:
    a = (a - c) & MASK
    a ^= _rot(c, 4)
    c = (c + b) & MASK
    b = (b - a) & MASK
    b ^= _rot(a, 6)
    a = (a + c) & MASK
    c = (c - b) & MASK
    c ^= _rot(b, 8)
    b = (b + a) & MASK
    a = (a - c) & MASK
    a ^= _rot(c, 16)
    c = (c + b) & MASK
    b = (b - a) & MASK
    b ^= _rot(a, 19)
    a = (a + c) & MASK
    c = (c - b) & MASK
    c ^= _rot(b, 4)
    b = (b + a) & MASK
    return a, b, c


def _final(a: int, b: int, c: int) -> tuple[int, int, int]:
    c ^= b
    c = (c - _rot(b, 14)) & MASK
    a ^= c
    a = (a - _rot(c, 11)) & MASK
    b ^= a
    b = (b - _rot(a, 25)) & MASK
    c ^= b
    c = (c - _rot(b, 16)) & MASK
    a ^= c
    a = (a - _rot(c, 4)) & MASK
    b ^= a
    b = (b - _rot(a, 14)) & MASK
    c ^= b
    c = (c - _rot(b, 24)) & MASK
    return a, b, c


def _tail(data: bytes, i: int, a: int, b: int, c: int) -> tuple[int, int, int]:
    """Add the last 1–12 bytes (lookup3's switch), zero-padded little-endian words."""
    rest = data[i:] + b"\x00" * (12 - len(data[i:]))
    a = (a + _word(rest, 0)) & MASK
    b = (b + _word(rest, 4)) & MASK
    c = (c + _word(rest, 8)) & MASK
    return a, b, c


def lookup3(data: bytes, seed1: int = 0, seed2: int = 0) -> tuple[int, int]:
    a = b = c = (0xDEADBEEF + len(data) + seed1) & MASK
    c = (c + seed2) & MASK
    i, size = 0, len(data)
    while size > 12:
        a = (a + _word(data, i)) & MASK
        b = (b + _word(data, i + 4)) & MASK
        c = (c + _word(data, i + 8)) & MASK
        a, b, c = _mix(a, b, c)
        i, size = i + 12, size - 12
    if size == 0:
        return c, b
    a, b, c = _final(*_tail(data, i, a, b, c))
    return c, b


def hash_code(key: str | None) -> int:
    """The service's `GenerateHashCode`: `(short)(hash1 ^ hash2)`; 0 for no key."""
    if key is None:
        return 0
    h1, h2 = lookup3(key.encode("utf-8"))
    value = (h1 ^ h2) & 0xFFFF
    return value - 0x10000 if value >= 0x8000 else value


def partition_index(key: str, partition_count: int) -> int:
    return abs(hash_code(key)) % partition_count


# --- sending ----------------------------------------------------------------------


@dataclass
class Incoming:
    body: bytes
    properties: dict = field(default_factory=dict)


def _choose(hub: EventHub, partition_key: str | None, partition_id: str | None) -> int:
    if partition_id not in (None, ""):
        if partition_key:
            raise bad_request("Give a partition key or a partition id, not both.")
        if not str(partition_id).isdigit() or int(partition_id) >= hub.partition_count:
            raise BrokerError(
                "NotFound", f"Partition '{partition_id}' does not exist on '{hub.name}'.", 404
            )
        return int(partition_id)
    if partition_key:
        if len(partition_key) > 128:
            raise bad_request("A partition key is limited to 128 characters.")
        return partition_index(partition_key, hub.partition_count)
    EventHub.objects.filter(id=hub.id).update(round_robin=F("round_robin") + 1)
    turn = EventHub.objects.values_list("round_robin", flat=True).get(id=hub.id)
    return turn % hub.partition_count


def _locked_partition(hub: EventHub, index: int) -> Partition:
    return Partition.objects.select_for_update().get(hub=hub, index=index)


def send(
    hub: EventHub,
    events: list[Incoming],
    now: datetime,
    partition_key: str | None = None,
    partition_id: str | None = None,
) -> list[HubEvent]:
    """Append a batch atomically to one partition."""
    if not events:
        raise bad_request("The batch is empty.")
    if sum(len(e.body) for e in events) > MAX_BATCH_BYTES:
        raise BrokerError(
            "MessageSizeExceeded", f"A publication is limited to {MAX_BATCH_BYTES} bytes.", 413
        )
    with transaction.atomic():
        partition = _locked_partition(hub, _choose(hub, partition_key, partition_id))
        rows = []
        for e in events:
            rows.append(
                HubEvent(
                    partition=partition,
                    sequence_number=partition.next_sequence_number,
                    offset=partition.next_offset,
                    enqueued_at=now,
                    partition_key=partition_key or "",
                    properties=e.properties,
                    body=e.body,
                )
            )
            partition.next_sequence_number += 1
            partition.next_offset += max(len(e.body), 1)
        Partition.objects.filter(id=partition.id).update(
            next_sequence_number=partition.next_sequence_number, next_offset=partition.next_offset
        )
        subscribers.notify_hub(hub)
        return HubEvent.objects.bulk_create(rows)


# --- reading ----------------------------------------------------------------------

POSITION_RE = re.compile(
    r"^(earliest|latest|checkpoint|offset:-?\d{1,18}|sequence:-?\d{1,18}|time:.+)$"
)


@dataclass
class Position:
    """A resolved start: events with sequence_number >= `sequence`, or enqueued after `after_time`."""

    sequence: int = 0
    after_time: datetime | None = None


def resolve_position(
    partition: Partition, spec: str, inclusive: bool, group: ConsumerGroup | None = None
) -> Position:
    if not POSITION_RE.match(spec or ""):
        raise bad_request(
            "from must be earliest, latest, checkpoint, offset:N, sequence:N or time:ISO-8601.",
            "InvalidPosition",
        )
    kind, _, value = spec.partition(":")
    if kind == "earliest":
        return Position(0)
    if kind == "latest":
        return Position(partition.next_sequence_number)
    if kind == "checkpoint":
        cp = Checkpoint.objects.filter(consumer_group=group, partition=partition).first()
        return Position(cp.sequence_number + 1 if cp else 0)
    if kind == "sequence":
        return Position(int(value) + (0 if inclusive else 1))
    if kind == "offset":
        event = (
            HubEvent.objects.filter(
                partition=partition, offset__gte=int(value) + (0 if inclusive else 1)
            )
            .order_by("sequence_number")
            .first()
        )
        return Position(event.sequence_number if event else partition.next_sequence_number)
    try:
        moment = dateparser.isoparse(value)
    except ValueError:
        raise bad_request(f"time:{value} is not an ISO-8601 timestamp.", "InvalidPosition")
    return Position(0, after_time=moment)


def read(partition: Partition, position: Position, max_count: int) -> list[HubEvent]:
    qs = HubEvent.objects.filter(partition=partition, sequence_number__gte=position.sequence)
    if position.after_time is not None:
        qs = qs.filter(enqueued_at__gt=position.after_time)
    return list(qs.order_by("sequence_number")[:max_count])


def get_partition(hub: EventHub, partition_id: str) -> Partition:
    try:
        return Partition.objects.get(hub=hub, index=int(partition_id))
    except (ValueError, Partition.DoesNotExist):
        raise BrokerError(
            "NotFound", f"Partition '{partition_id}' does not exist on '{hub.name}'.", 404
        )


def set_checkpoint(
    group: ConsumerGroup, partition: Partition, sequence_number: int, offset: int
) -> Checkpoint:
    if sequence_number >= partition.next_sequence_number or sequence_number < -1:
        raise bad_request(
            f"Sequence number {sequence_number} has not been enqueued on this partition."
        )
    cp, _ = Checkpoint.objects.update_or_create(
        consumer_group=group,
        partition=partition,
        defaults={"sequence_number": sequence_number, "offset": offset},
    )
    return cp


def get_checkpoint(group: ConsumerGroup, partition: Partition) -> Checkpoint | None:
    return Checkpoint.objects.filter(consumer_group=group, partition=partition).first()


def sweep_retention(now: datetime) -> int:
    removed = 0
    for hub in EventHub.objects.all():
        cutoff = now - timedelta(hours=hub.retention_hours)
        removed += HubEvent.objects.filter(partition__hub=hub, enqueued_at__lt=cutoff).delete()[0]
    return removed


def event_json(event: HubEvent) -> dict:
    import base64

    raw = bytes(event.body)
    try:
        text: str | None = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    return {
        "sequenceNumber": event.sequence_number,
        "offset": str(event.offset),
        "enqueuedTimeUtc": event.enqueued_at.isoformat(),
        "partitionKey": event.partition_key or None,
        "properties": event.properties,
        "body": text,
        "bodyBase64": base64.b64encode(raw).decode(),
    }
