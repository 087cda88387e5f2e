"""The message store: enqueue, receive (lock), settle, sweep.

Concurrency: every transition is a compare-and-set UPDATE keyed on the row's
`id` plus the values it was read with (`lock_token`, `available_at`, `state`), so
two receivers can never both lock a message, and a settlement with a stale or
expired lock token changes nothing. On PostgreSQL the candidate rows are also read
with `SELECT … FOR UPDATE SKIP LOCKED`, so competing consumers take *different*
rows instead of colliding; on SQLite the IMMEDIATE transaction mode (configured in
settings) serializes writers and the CAS is enough.

Delivery count = number of times a message has been handed out (locked). When a
lock ends without completion (abandon, release, lock expiry) and the count has
reached the channel's `max_delivery_count`, the message is dead-lettered with
`MaxDeliveryCountExceeded`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Greatest

from broker.models import Channel, Message, Session
from broker.services.errors import BrokerError

ACTIVE = Message.State.ACTIVE
DEFERRED = Message.State.DEFERRED
DEAD = Message.State.DEAD_LETTERED
EG_RENEW_WINDOW = timedelta(hours=1)


@dataclass
class Settlement:
    succeeded: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)

    def fail(self, token: str, code: str, message: str) -> None:
        self.failed.append({"lockToken": token, "error": {"code": code, "message": message}})


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def new_message(
    channel: Channel,
    now: datetime,
    *,
    body: bytes = b"",
    ttl_seconds: float | None = None,
    scheduled_at: datetime | None = None,
    **fields,
) -> Message:
    """An unsaved message for `channel`; TTL is capped at the channel default."""
    ttl = (
        channel.default_ttl_seconds
        if ttl_seconds is None
        else min(ttl_seconds, channel.default_ttl_seconds)
    )
    start = scheduled_at if scheduled_at and scheduled_at > now else now
    return Message(
        channel=channel,
        body=body,
        enqueued_at=now,
        available_at=start,
        scheduled_at=scheduled_at,
        expires_at=start + timedelta(seconds=ttl),
        **fields,
    )


def time_to_live(message: Message) -> float | None:
    """Seconds from (scheduled) enqueue to expiry: `available_at` moves with locks."""
    if message.expires_at is None:
        return None
    return (message.expires_at - (message.scheduled_at or message.enqueued_at)).total_seconds()


def enqueue(messages: list[Message]) -> list[Message]:
    return Message.objects.bulk_create(messages) if messages else []


def _candidates(channel: Channel, now: datetime, limit: int, state: str, session_id: str | None):
    qs = Message.objects.filter(channel=channel, state=state, available_at__lte=now)
    if session_id is not None:  # a session is strictly FIFO by sequence number
        qs = qs.filter(session_id=session_id).order_by("id")
    else:  # the index (channel, state, available_at, id) serves this order + LIMIT
        qs = qs.order_by("available_at", "id")
    if is_postgres():
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs[:limit])


def _cas(message: Message):
    return Message.objects.filter(
        id=message.id,
        state=message.state,
        lock_token=message.lock_token,
        available_at=message.available_at,
    )


def _retire(channel: Channel, message: Message, now: datetime) -> bool:
    """Expire or dead-letter a candidate instead of delivering it. True if retired."""
    if message.expires_at and message.expires_at <= now:
        if channel.dead_letter_on_expiration:
            _cas(message).update(
                **_dead_fields(channel, now, "TTLExpiredException", "Message expired.")
            )
        else:
            _cas(message).delete()
        return True
    if message.delivery_count >= channel.max_delivery_count:
        _cas(message).update(
            **_dead_fields(
                channel,
                now,
                "MaxDeliveryCountExceeded",
                f"Message could not be consumed after {channel.max_delivery_count} delivery attempts.",
            )
        )
        return True
    return False


def _dead_fields(channel: Channel, now: datetime, reason: str, description: str) -> dict:
    return {
        "state": DEAD,
        "lock_token": "",
        "locked_until": None,
        "holder": "",
        "available_at": now,
        "dead_letter_reason": reason,
        "dead_letter_description": description,
        "dead_letter_source": channel.path,
    }


def _lock(channel: Channel, message: Message, now: datetime, holder: str) -> bool:
    token = str(uuid.uuid4())
    until = now + timedelta(seconds=channel.lock_duration_seconds)
    changed = _cas(message).update(
        lock_token=token,
        locked_until=until,
        available_at=until,
        first_locked_at=now,
        holder=holder,
        delivery_count=F("delivery_count") + 1,
    )
    if changed:
        message.lock_token, message.locked_until, message.available_at = token, until, until
        message.first_locked_at, message.holder = now, holder
        message.delivery_count += 1
    return bool(changed)


def _lock_many(
    channel: Channel, messages: list[Message], now: datetime, holder: str
) -> list[Message]:
    """Lock `messages` (read in this transaction) with one UPDATE: a distinct token
    each. The CAS conditions stay in the WHERE clause; rows that changed since they
    were read keep their old token and are left out of the result."""
    if not messages:
        return []
    until = now + timedelta(seconds=channel.lock_duration_seconds)
    tokens = {m.id: str(uuid.uuid4()) for m in messages}
    guard = Q()
    for m in messages:
        guard |= Q(id=m.id, lock_token=m.lock_token, available_at=m.available_at)
    rows = Message.objects.filter(id__in=list(tokens))  # the PK index first, then the CAS
    rows.filter(guard, state=messages[0].state).update(
        lock_token=Case(
            *(When(id=i, then=Value(t)) for i, t in tokens.items()), output_field=CharField()
        ),
        locked_until=until,
        available_at=until,
        first_locked_at=now,
        holder=holder,
        delivery_count=F("delivery_count") + 1,
    )
    won = set(
        Message.objects.filter(id__in=tokens, lock_token__in=tokens.values()).values_list(
            "id", flat=True
        )
    )
    out = []
    for m in messages:
        if m.id in won:
            m.lock_token, m.locked_until, m.available_at = tokens[m.id], until, until
            m.first_locked_at, m.holder = now, holder
            m.delivery_count += 1
            out.append(m)
    return out


def receive(
    channel: Channel,
    now: datetime,
    max_count: int = 1,
    *,
    dead_letter: bool = False,
    session_id: str | None = None,
    delete: bool = False,
    holder: str = "",
) -> list[Message]:
    """Lock (or, with `delete`, remove) up to `max_count` receivable messages."""
    state = DEAD if dead_letter else ACTIVE
    chosen: list[Message] = []
    with transaction.atomic():
        for message in _candidates(channel, now, max_count * 2 + 8, state, session_id):
            if len(chosen) >= max_count:
                break
            if not dead_letter and _retire(channel, message, now):
                continue
            chosen.append(message)
        if not delete:
            return _lock_many(channel, chosen, now, holder)
        out = []
        for message in chosen:
            if _cas(message).delete()[0]:
                message.delivery_count += 1
                out.append(message)
        return out


def receive_deferred(channel: Channel, now: datetime, sequence_numbers: list[int]) -> list[Message]:
    out = []
    with transaction.atomic():
        qs = Message.objects.filter(channel=channel, state=DEFERRED, id__in=sequence_numbers)
        for message in qs.filter(Q(lock_token="") | Q(locked_until__lte=now)).order_by("id"):
            if _lock(channel, message, now, ""):
                out.append(message)
    return out


def peek(
    channel: Channel, from_sequence: int = 0, count: int = 1, dead_letter: bool = False
) -> list[Message]:
    states = [DEAD] if dead_letter else [ACTIVE, DEFERRED]
    qs = Message.objects.filter(channel=channel, state__in=states, id__gte=from_sequence)
    return list(qs.order_by("id")[:count])


# --- settlement by lock token ---------------------------------------------------


def valid_token(token: object) -> bool:
    try:
        uuid.UUID(str(token))
    except ValueError:
        return False
    return isinstance(token, str)


def _held(channel: Channel, token: str, now: datetime):
    return Message.objects.filter(channel=channel, lock_token=token or "-", locked_until__gt=now)


def _why_failed(channel: Channel, token: str, result: Settlement) -> None:
    if Message.objects.filter(channel=channel, lock_token=token).exists():
        result.fail(token, "TokenLost", "The lock has expired; the message is available again.")
    else:
        result.fail(token, "BadToken", "No message is locked with this token.")


def settle(channel: Channel, tokens: list, now: datetime, operation, **kwargs) -> Settlement:
    """Apply `operation(channel, token, now, **kwargs) -> bool` to each token
    (completion of many tokens is one DELETE)."""
    if operation is complete and len(tokens) > 1:
        return _complete_many(channel, tokens, now)
    result = Settlement()
    for token in tokens:
        if not valid_token(token):
            result.fail(str(token), "BadToken", "Lock tokens are UUIDs.")
            continue
        with transaction.atomic():
            ok = operation(channel, token, now, **kwargs)
        if ok:
            result.succeeded.append(token)
        else:
            _why_failed(channel, token, result)
    return result


def _complete_many(channel: Channel, tokens: list, now: datetime) -> Settlement:
    result = Settlement()
    valid = [t for t in tokens if valid_token(t)]
    with transaction.atomic():
        held = Message.objects.filter(channel=channel, lock_token__in=valid, locked_until__gt=now)
        if is_postgres():
            held = held.select_for_update()
        found = set(held.values_list("lock_token", flat=True))
        Message.objects.filter(channel=channel, lock_token__in=found).delete()
    for token in tokens:
        if token in found:
            result.succeeded.append(token)
        elif not valid_token(token):
            result.fail(str(token), "BadToken", "Lock tokens are UUIDs.")
        else:
            _why_failed(channel, token, result)
    return result


def complete(channel: Channel, token: str, now: datetime) -> bool:
    return bool(_held(channel, token, now).delete()[0])


def abandon(channel: Channel, token: str, now: datetime, delay_seconds: float = 0) -> bool:
    held = _held(channel, token, now)
    spent = held.filter(delivery_count__gte=channel.max_delivery_count, state=ACTIVE)
    reason = f"Message could not be consumed after {channel.max_delivery_count} delivery attempts."
    if spent.update(**_dead_fields(channel, now, "MaxDeliveryCountExceeded", reason)):
        return True
    return bool(
        held.update(
            lock_token="",
            locked_until=None,
            holder="",
            available_at=now + timedelta(seconds=delay_seconds),
        )
    )


def release_unseen(channel: Channel, token: str, now: datetime, delay_seconds: float = 0) -> bool:
    """Unlock a message its receiver never processed (e.g. the work it should start
    was refused for back-pressure): the delivery does not count."""
    return bool(
        _held(channel, token, now).update(
            lock_token="",
            locked_until=None,
            holder="",
            available_at=now + timedelta(seconds=delay_seconds),
            delivery_count=Greatest(F("delivery_count") - 1, Value(0)),
        )
    )


def dead_letter(
    channel: Channel, token: str, now: datetime, reason: str = "", description: str = ""
) -> bool:
    held = _held(channel, token, now).exclude(state=DEAD)
    return bool(held.update(**_dead_fields(channel, now, reason or "DeadLettered", description)))


def reject(channel: Channel, token: str, now: datetime) -> bool:
    if channel.dead_letter_on_expiration:
        return dead_letter(channel, token, now, "Rejected", "Rejected by the receiver.")
    return complete(channel, token, now)


def defer(channel: Channel, token: str, now: datetime) -> bool:
    held = _held(channel, token, now).filter(state__in=[ACTIVE, DEFERRED])
    return bool(held.update(state=DEFERRED, lock_token="", locked_until=None, holder=""))


def renew(channel: Channel, token: str, now: datetime, window: timedelta | None = None) -> bool:
    held = _held(channel, token, now)
    if window is not None:
        held = held.filter(first_locked_at__gt=now - window)
    until = now + timedelta(seconds=channel.lock_duration_seconds)
    return bool(held.update(locked_until=until, available_at=until))


def locked_message(channel: Channel, token: str, now: datetime) -> Message | None:
    return _held(channel, token, now).first()


# --- sessions -------------------------------------------------------------------


def _try_lock_session(
    channel: Channel, session_id: str, now: datetime, token: str | None
) -> Session | None:
    with transaction.atomic():
        Session.objects.get_or_create(channel=channel, session_id=session_id)
    new_token = token or str(uuid.uuid4())
    until = now + timedelta(seconds=channel.lock_duration_seconds)
    free = Q(lock_token="") | Q(locked_until__lte=now)
    if token:
        free |= Q(lock_token=token, locked_until__gt=now)
    rows = Session.objects.filter(free, channel=channel, session_id=session_id)
    if not rows.update(lock_token=new_token, locked_until=until):
        return None
    return Session.objects.get(channel=channel, session_id=session_id)


def accept_session(
    channel: Channel, now: datetime, session_id: str | None = None, token: str | None = None
) -> Session | None:
    """Lock a named session (409 if someone else holds it) or the next free one."""
    if session_id:
        session = _try_lock_session(channel, session_id, now, token)
        if session is None:
            raise BrokerError(
                "SessionCannotBeLocked",
                f"Session '{session_id}' is locked by another receiver.",
                409,
            )
        return session
    busy = Session.objects.filter(channel=channel, locked_until__gt=now).values("session_id")
    waiting = (
        Message.objects.filter(channel=channel, state=ACTIVE, available_at__lte=now)
        .exclude(session_id__in=busy)
        .order_by("available_at", "id")
        .values_list("session_id", flat=True)
    )
    seen: set[str] = set()
    for candidate in waiting[:50]:
        if candidate in seen:
            continue
        seen.add(candidate)
        session = _try_lock_session(channel, candidate, now, None)
        if session is not None:
            return session
    return None


def held_session(channel: Channel, session_id: str, token: str, now: datetime) -> Session:
    session = Session.objects.filter(
        channel=channel, session_id=session_id, lock_token=token, locked_until__gt=now
    ).first()
    if session is None:
        raise BrokerError(
            "SessionLockLost", f"The lock on session '{session_id}' is not held.", 410
        )
    return session


def renew_session(channel: Channel, session: Session, now: datetime) -> Session:
    session.locked_until = now + timedelta(seconds=channel.lock_duration_seconds)
    Session.objects.filter(id=session.id, lock_token=session.lock_token).update(
        locked_until=session.locked_until
    )
    return session


def release_session(session: Session) -> None:
    Session.objects.filter(id=session.id, lock_token=session.lock_token).update(
        lock_token="", locked_until=None
    )


# --- sweeps (broker/ticks.py) -----------------------------------------------------


def sweep_expired(now: datetime) -> int:
    due = Message.objects.filter(state=ACTIVE, expires_at__lte=now, available_at__lte=now)
    dead = due.filter(channel__dead_letter_on_expiration=True).update(
        state=DEAD,
        lock_token="",
        locked_until=None,
        holder="",
        available_at=now,
        dead_letter_reason="TTLExpiredException",
        dead_letter_description="Message expired.",
    )
    dropped = Message.objects.filter(
        state=ACTIVE,
        expires_at__lte=now,
        available_at__lte=now,
        channel__dead_letter_on_expiration=False,
    ).delete()[0]
    return dead + dropped


def sweep_exhausted(now: datetime) -> int:
    """Dead-letter messages whose lock expired after their last allowed delivery."""
    candidates = Message.objects.filter(state=ACTIVE, delivery_count__gte=1, available_at__lte=now)
    return candidates.filter(delivery_count__gte=F("channel__max_delivery_count")).update(
        state=DEAD,
        lock_token="",
        locked_until=None,
        holder="",
        available_at=now,
        dead_letter_reason="MaxDeliveryCountExceeded",
        dead_letter_description="Message could not be consumed within the maximum delivery count.",
    )


def counts(channel: Channel, now: datetime) -> dict:
    qs = Message.objects.filter(channel=channel)
    return {
        "active": qs.filter(state=ACTIVE, available_at__lte=now).count(),
        "locked": qs.filter(state=ACTIVE, locked_until__gt=now).count(),
        "scheduled": qs.filter(state=ACTIVE, available_at__gt=now, lock_token="").count(),
        "deferred": qs.filter(state=DEFERRED).count(),
        "deadLettered": qs.filter(state=DEAD).count(),
        "total": qs.count(),
    }


def sweep_duplicates(now: datetime) -> int:
    from broker.models import DuplicateRecord

    return DuplicateRecord.objects.filter(expires_at__lte=now).delete()[0]


def sweep_sessions(now: datetime) -> int:
    """Forget sessions with no messages, no state and no live lock."""
    from django.db.models import Exists, OuterRef

    pending = Message.objects.filter(channel=OuterRef("channel"), session_id=OuterRef("session_id"))
    idle = Session.objects.filter(state__isnull=True).filter(
        Q(lock_token="") | Q(locked_until__lte=now)
    )
    return idle.exclude(Exists(pending)).delete()[0]
