"""Service Bus operations the AMQP listener needs that `broker.services` does not
offer (yet). Built on the broker's models with the same compare-and-set style.

* `release`: the receiver gives a locked message back *without* it counting as a
  delivery attempt (AMQP `released`; the SDK releases prefetched messages it never
  handed to the application). The store counts an attempt when it locks, so the
  count is taken back here.
* Session state get/set and session-lock renewal by session id.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F
from django.db.models.functions import Greatest

from broker.models import Channel, Message, Session


def release(channel: Channel, token: str, now: datetime) -> bool:
    held = Message.objects.filter(channel=channel, lock_token=token, locked_until__gt=now)
    return bool(
        held.update(
            lock_token="",
            locked_until=None,
            holder="",
            available_at=now,
            delivery_count=Greatest(F("delivery_count") - 1, 0),
        )
    )


def get_session_state(channel: Channel, session_id: str) -> bytes | None:
    session = Session.objects.filter(channel=channel, session_id=session_id).first()
    if session is None or session.state is None:
        return None
    return bytes(session.state)


def set_session_state(channel: Channel, session_id: str, state: bytes | None) -> None:
    session, _ = Session.objects.get_or_create(channel=channel, session_id=session_id)
    session.state = state
    session.save(update_fields=["state"])


def renew_session_lock(channel: Channel, session_id: str, now: datetime) -> datetime | None:
    """New expiry of a held session lock, or None if nobody holds it."""
    until = now + timedelta(seconds=channel.lock_duration_seconds)
    held = Session.objects.filter(
        channel=channel, session_id=session_id, locked_until__gt=now
    ).exclude(lock_token="")
    return until if held.update(locked_until=until) else None


def session_ids(channel: Channel, now: datetime) -> list[str]:
    """Sessions with messages waiting (what `get-message-sessions` lists)."""
    rows = (
        Message.objects.filter(channel=channel, state=Message.State.ACTIVE)
        .exclude(session_id="")
        .values_list("session_id", flat=True)
        .distinct()
    )
    return sorted(set(rows))
