"""Service Bus semantics over the message store: send (duplicate detection,
sessions, scheduling, TTL, auto-forward, topic fan-out through rules) and the
message view that filters and the REST `BrokerProperties` header read.

An `Outgoing` is a protocol-neutral message as a sender describes it; the REST
view and a future AMQP listener both build one and call `send()`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, connection, transaction

from broker.models import Channel, DuplicateRecord, Message, Namespace, ServiceBusTopic
from broker.services import sqlfilter, store, subscribers
from broker.services.errors import BrokerError, bad_request, not_found

MAX_HOPS = 4
MAX_MESSAGE_BYTES = 1024 * 1024
SYSTEM_FIELDS = (
    "message_id",
    "correlation_id",
    "session_id",
    "content_type",
    "subject",
    "to",
    "reply_to",
    "reply_to_session_id",
    "partition_key",
)


@dataclass
class Outgoing:
    body: bytes = b""
    message_id: str = ""
    correlation_id: str = ""
    session_id: str = ""
    content_type: str = ""
    subject: str = ""
    to: str = ""
    reply_to: str = ""
    reply_to_session_id: str = ""
    partition_key: str = ""
    ttl_seconds: float | None = None
    scheduled_at: datetime | None = None
    properties: dict = field(default_factory=dict)

    def checked(self) -> Outgoing:
        if len(self.body) > MAX_MESSAGE_BYTES:
            raise BrokerError(
                "MessageSizeExceeded", f"A message is limited to {MAX_MESSAGE_BYTES} bytes.", 413
            )
        for name in ("message_id", "session_id"):
            if len(getattr(self, name)) > 128:
                raise bad_request(f"{name} is limited to 128 characters.")
        if self.ttl_seconds is not None and self.ttl_seconds <= 0:
            raise bad_request("TimeToLive must be positive.")
        self.message_id = self.message_id or uuid.uuid4().hex
        return self


def view(m) -> dict:
    """What SQL filters and correlation filters see (never the body)."""
    system = {name: getattr(m, name) or None for name in SYSTEM_FIELDS}
    system["size"] = len(bytes(m.body)) if m.body is not None else 0
    if isinstance(m, Message):
        system.update(
            sequence_number=m.id,
            delivery_count=m.delivery_count,
            enqueued_time_utc=m.enqueued_at.isoformat() if m.enqueued_at else None,
        )
    return {"sys": system, "user": dict(m.properties or {})}


# --- resolution -------------------------------------------------------------------


def resolve(ns: Namespace, name: str) -> Channel | ServiceBusTopic:
    queue = Channel.objects.filter(namespace=ns, kind=Channel.Kind.QUEUE, name=name).first()
    if queue is not None:
        return queue
    topic = ServiceBusTopic.objects.filter(namespace=ns, name=name).first()
    if topic is not None:
        return topic
    raise not_found("Queue or topic", name)


def _first_delivery(dup_key: str, window: float, message_id: str, now: datetime) -> bool:
    """Record `message_id` for the entity; False if it was seen within the window."""
    DuplicateRecord.objects.filter(
        entity=dup_key, message_id=message_id, expires_at__lte=now
    ).delete()
    try:
        with transaction.atomic():
            DuplicateRecord.objects.create(
                entity=dup_key, message_id=message_id, expires_at=now + timedelta(seconds=window)
            )
    except IntegrityError:
        return False
    return True


def _fields(out: Outgoing) -> dict:
    values = {name: getattr(out, name) for name in SYSTEM_FIELDS}
    values["properties"] = out.properties
    return values


def _into_channel(channel: Channel, out: Outgoing, now: datetime, hops: int) -> list[Message]:
    if channel.forward_to and not channel.requires_session:
        if hops >= MAX_HOPS:
            message = store.new_message(
                channel, now, body=out.body, ttl_seconds=out.ttl_seconds, **_fields(out)
            )
            message.state = Message.State.DEAD_LETTERED
            message.dead_letter_reason = "MaxTransferHopCountExceeded"
            message.dead_letter_source = channel.path
            return [message]
        target = resolve(channel.namespace, channel.forward_to)
        return _route(target, out, now, hops + 1)
    if channel.requires_session and not out.session_id:
        raise bad_request(
            f"'{channel.path}' requires sessions: set SessionId on every message.",
            "SessionIdRequired",
        )
    return [
        store.new_message(
            channel,
            now,
            body=out.body,
            ttl_seconds=out.ttl_seconds,
            scheduled_at=out.scheduled_at,
            **_fields(out),
        )
    ]


def _rule_copies(channel: Channel, out: Outgoing) -> list[Outgoing]:
    """One plain copy if any action-less rule matches, plus one per matching rule with an action."""
    message_view = view(out)
    copies: list[Outgoing] = []
    plain = False
    for rule in channel.rules.all():
        if not rule_matches(rule, message_view):
            continue
        if not rule.sql_action:
            plain = True
            continue
        try:
            changed = sqlfilter.apply_action(rule.sql_action, message_view)
        except sqlfilter.FilterError:
            continue
        copies.append(_with_view(out, changed, rule.name))
    return ([out] if plain else []) + copies


def _with_view(out: Outgoing, changed: dict, rule_name: str) -> Outgoing:
    copy = Outgoing(**{**out.__dict__, "properties": {**changed["user"], "RuleName": rule_name}})
    for name in SYSTEM_FIELDS:
        value = changed["sys"].get(name)
        setattr(copy, name, "" if value is None else str(value))
    return copy


def rule_matches(rule, message_view: dict) -> bool:
    if rule.correlation_filter is not None:
        return correlation_matches(rule.correlation_filter, message_view)
    return sqlfilter.matches(rule.sql_filter, message_view)


CORRELATION_KEYS = {
    "correlationid": "correlation_id",
    "contenttype": "content_type",
    "label": "subject",
    "subject": "subject",
    "messageid": "message_id",
    "replyto": "reply_to",
    "replytosessionid": "reply_to_session_id",
    "sessionid": "session_id",
    "to": "to",
}


def _properties_match(expected: dict, user: dict) -> bool:
    """Exact names first; names that came through HTTP headers lost their case."""
    lowered = {k.lower(): v for k, v in user.items()}
    missing = object()
    for name, value in expected.items():
        actual = user.get(name, lowered.get(name.lower(), missing))
        if actual != value:
            return False
    return True


def correlation_matches(spec: dict, message_view: dict) -> bool:
    for key, expected in spec.items():
        if key.lower() in ("properties", "userproperties"):
            if not _properties_match(expected or {}, message_view["user"]):
                return False
            continue
        name = CORRELATION_KEYS.get(key.lower())
        if name is None or message_view["sys"].get(name) != expected:
            return False
    return True


def _route(target, out: Outgoing, now: datetime, hops: int = 0) -> list[Message]:
    if isinstance(target, ServiceBusTopic):
        rows = []
        for channel in target.subscriptions.all():
            for copy in _rule_copies(channel, out):
                rows.extend(_into_channel(channel, copy, now, hops))
        return rows
    return _into_channel(target, out, now, hops)


def _dup_settings(target) -> tuple[str, float] | None:
    if not target.requires_duplicate_detection:
        return None
    prefix = "t" if isinstance(target, ServiceBusTopic) else "q"
    return f"{prefix}:{target.id}", target.duplicate_window_seconds


def send(
    target: Channel | ServiceBusTopic, messages: list[Outgoing], now: datetime
) -> list[Message]:
    """Enqueue messages (all or nothing). Duplicates within the window are accepted
    and silently dropped, as Service Bus does. Concurrent senders of the same
    MessageIds in different orders can deadlock on PostgreSQL's unique index; the
    loser is retried (only when this is the outermost transaction)."""
    for attempt in range(3):
        try:
            return _send_once(target, messages, now)
        except OperationalError as exc:
            if attempt == 2 or connection.in_atomic_block or "deadlock" not in str(exc).lower():
                raise
    raise AssertionError("unreachable")


def _send_once(
    target: Channel | ServiceBusTopic, messages: list[Outgoing], now: datetime
) -> list[Message]:
    dup = _dup_settings(target)
    with transaction.atomic():
        rows: list[Message] = []
        for out in messages:
            out.checked()
            if dup and not _first_delivery(dup[0], dup[1], out.message_id, now):
                continue
            rows.extend(_route(target, out, now))
        subscribers.notify_channels({m.channel for m in rows})
        return store.enqueue(rows)


def cancel_scheduled(channel: Channel, sequence_numbers: list[int], now: datetime) -> int:
    return Message.objects.filter(
        channel=channel,
        id__in=sequence_numbers,
        state=Message.State.ACTIVE,
        available_at__gt=now,
        delivery_count=0,
        lock_token="",
    ).delete()[0]
