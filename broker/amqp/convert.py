"""AMQP messages <-> broker records.

Inbound: a proton `Message` becomes a `servicebus.Outgoing` or an
`eventhubs.Incoming`; a batch transfer (message-format 0x80013700) is an
envelope whose data sections each hold one whole encoded message (`split_batch`).

Outbound: a `Message` row or a `HubEvent` becomes a proton `Message` with the
annotations the SDKs read (`x-opt-sequence-number`, `x-opt-enqueued-time`,
`x-opt-locked-until`, `x-opt-offset`, ...). The AMQP header's delivery-count is
"failed attempts so far" (0 on first delivery), while the broker counts
deliveries including the current one, hence the `- 1`.
"""

from __future__ import annotations

import base64
import json
import struct
import uuid
from datetime import UTC, datetime

from proton import Data, Described, Message, symbol, timestamp

from broker.amqp.framing import BATCH_FORMAT, _list_bounds
from broker.services.eventhubs import Incoming
from broker.services.servicebus import Outgoing

DATA_SECTION = 0x75
MESSAGE_ANNOTATIONS = 0x72
MAX_TTL_MS = 0xFFFFFFFF


# --- small value helpers ---------------------------------------------------------------


def to_ms(moment: datetime | None) -> timestamp | None:
    if moment is None:
        return None
    return timestamp(int(moment.timestamp() * 1000))


def from_ms(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def json_value(value):
    """An application-property value the JSON column can hold."""
    if value is None or isinstance(value, bool | str):
        return None if value is None else (value if isinstance(value, bool) else str(value))
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return str(value)


def body_bytes(message: Message) -> bytes:
    body = message.body
    if body is None:
        return b""
    if isinstance(body, bytes | memoryview | bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, list) and all(isinstance(b, bytes | memoryview) for b in body):
        return b"".join(bytes(b) for b in body)
    return json.dumps(body, default=str).encode("utf-8")


def annotations(message: Message) -> dict[str, object]:
    return {str(k): v for k, v in (message.annotations or {}).items()}


def app_properties(message: Message) -> dict:
    return {str(k): json_value(v) for k, v in (message.properties or {}).items()}


# --- inbound -----------------------------------------------------------------------


def decode(payload: bytes) -> Message:
    message = Message()
    message.decode(payload)
    return message


def split_batch(payload: bytes) -> tuple[list[Message], dict[str, object]]:
    """The messages inside a batch envelope, and the envelope's annotations."""
    messages: list[Message] = []
    envelope_annotations: dict[str, object] = {}
    view = memoryview(payload)
    while len(view):
        data = Data()
        used = data.decode(bytes(view))
        view = view[used:]
        section = data.get_object()
        if not isinstance(section, Described):
            continue
        code = int(section.descriptor) if not isinstance(section.descriptor, str) else -1
        if code == DATA_SECTION:
            messages.append(decode(bytes(section.value)))
        elif code == MESSAGE_ANNOTATIONS and isinstance(section.value, dict):
            envelope_annotations = {str(k): v for k, v in section.value.items()}
    return messages, envelope_annotations


def unpack(payload: bytes, message_format: int) -> tuple[list[Message], dict[str, object]]:
    if message_format == BATCH_FORMAT:
        return split_batch(payload)
    message = decode(payload)
    return [message], annotations(message)


def to_outgoing(message: Message) -> Outgoing:
    notes = annotations(message)
    ttl = message.ttl or None
    return Outgoing(
        body=body_bytes(message),
        message_id=text(message.id),
        correlation_id=text(message.correlation_id),
        session_id=text(message.group_id),
        content_type=text(message.content_type),
        subject=text(message.subject),
        to=text(message.address),
        reply_to=text(message.reply_to),
        reply_to_session_id=text(message.reply_to_group_id),
        partition_key=text(notes.get("x-opt-partition-key")),
        ttl_seconds=float(ttl) if ttl else None,
        scheduled_at=from_ms(notes.get("x-opt-scheduled-enqueue-time")),
        properties=app_properties(message),
    )


def to_incoming(message: Message) -> Incoming:
    return Incoming(body=body_bytes(message), properties=app_properties(message))


# --- outbound ----------------------------------------------------------------------


def lock_tag(token: str) -> bytes:
    """The delivery tag the SDKs read as the lock token (`UUID(bytes_le=tag)`)."""
    return uuid.UUID(token).bytes_le


def row_annotations(row, peeked: bool) -> dict:
    """The message annotations Service Bus puts on a delivered message."""
    notes: dict = {
        symbol("x-opt-sequence-number"): int(row.id),
        symbol("x-opt-enqueued-time"): to_ms(row.enqueued_at),
    }
    optional = {
        "x-opt-locked-until": to_ms(row.locked_until) if row.locked_until and not peeked else None,
        "x-opt-partition-key": row.partition_key or None,
        "x-opt-scheduled-enqueue-time": to_ms(row.scheduled_at),
        "x-opt-deadletter-source": row.dead_letter_source or None,
        "x-opt-message-state": 1 if row.state == "deferred" else None,
    }
    notes.update({symbol(k): v for k, v in optional.items() if v is not None})
    return notes


def from_row(row, *, peeked: bool = False) -> Message:
    """A Service Bus `Message` row as the SDK expects to receive it."""
    notes = row_annotations(row, peeked)
    properties = dict(row.properties or {})
    if row.state == "deadlettered" or row.dead_letter_reason:
        properties["DeadLetterReason"] = row.dead_letter_reason
        properties["DeadLetterErrorDescription"] = row.dead_letter_description
    message = Message(
        body=bytes(row.body),
        id=row.message_id or None,
        correlation_id=row.correlation_id or None,
        subject=row.subject or None,
        reply_to=row.reply_to or None,
        address=row.to or None,
        group_id=row.session_id or None,
        reply_to_group_id=row.reply_to_session_id or None,
        properties=properties or None,
        annotations=notes,
        durable=True,
    )
    if row.content_type:
        message.content_type = symbol(row.content_type)
    message.inferred = True
    message.ttl = ttl_seconds(row)
    attempts = row.delivery_count if peeked else row.delivery_count - 1
    message.delivery_count = max(0, attempts)
    return message


def ttl_seconds(row) -> float:
    """The header time-to-live: from (scheduled) enqueue to expiry, within a uint ms."""
    if row.expires_at is None:
        return 0
    start = max(row.enqueued_at, row.scheduled_at or row.enqueued_at)
    return min((row.expires_at - start).total_seconds(), MAX_TTL_MS / 1000)


def from_event(event) -> Message:
    """A `HubEvent` as the Event Hubs SDK expects to receive it."""
    notes: dict = {
        symbol("x-opt-sequence-number"): int(event.sequence_number),
        symbol("x-opt-offset"): str(event.offset),
        symbol("x-opt-enqueued-time"): to_ms(event.enqueued_at),
    }
    if event.partition_key:
        notes[symbol("x-opt-partition-key")] = event.partition_key
    message = Message(
        body=bytes(event.body), properties=dict(event.properties or {}) or None, annotations=notes
    )
    message.inferred = True
    return message


def encode(message: Message) -> bytes:
    """`message.encode()` with a header that spells out every field.

    Proton drops header fields at their default, so a delivery-count of 0 is not
    sent at all and the SDK reports `delivery_count=None`; Service Bus sends 0.
    """
    raw = bytes(message.encode())
    rest = raw
    if raw[:3] == b"\x00\x53\x70":
        bounds = _list_bounds(raw, 3)
        rest = raw[bounds[2] :] if bounds else raw
    ttl = int((message.ttl or 0) * 1000)
    fields = (
        (b"\x41" if message.durable else b"\x42")
        + b"\x50"
        + bytes([message.priority if message.priority is not None else 4])
        + (b"\x70" + struct.pack(">I", ttl) if ttl else b"\x40")
        + (b"\x41" if message.first_acquirer else b"\x42")
        + b"\x70"
        + struct.pack(">I", message.delivery_count or 0)
    )
    return b"\x00\x53\x70" + bytes([0xC0, len(fields) + 1, 5]) + fields + rest
