"""Service Bus links: senders to queues/topics and receivers from queues,
subscriptions and their dead-letter subqueues, in peek-lock or
receive-and-delete mode, with or without a session.

Settlement outcomes, as the SDK sends them:

    accepted                                  complete
    released                                  release (lock dropped, delivery not counted)
    modified(delivery-failed)                 abandon (counts as a delivery)
    modified(delivery-failed, undeliverable)  defer
    rejected(error.info DeadLetterReason…)    dead-letter

The broker must echo the outcome in its own settled disposition, otherwise the
SDK reports "the remote endpoint did not confirm the settlement".
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from proton import Condition, Data, Delivery, Link, symbol

from broker.amqp import convert
from broker.amqp.connection import POLL_SECONDS, LinkHandler, Refused
from broker.amqp.sbextra import release
from broker.models import Channel, ServiceBusTopic, Session
from broker.services import servicebus as sb
from broker.services import store
from broker.services.entities import get_sb_subscription, get_sb_topic
from broker.services.errors import BrokerError

SESSION_FILTER = "com.microsoft:session-filter"
LOCKED_UNTIL_UTC = "com.microsoft:locked-until-utc"
OPERATION_TIMEOUT = "com.microsoft:timeout"
DOTNET_EPOCH_TICKS = 621355968000000000
DEAD_LETTER = "$deadletterqueue"

ERROR_CONDITIONS = {
    404: "amqp:not-found",
    409: "com.microsoft:session-cannot-be-locked",
    410: "com.microsoft:message-lock-lost",
    413: "amqp:link:message-size-exceeded",
    401: "amqp:unauthorized-access",
}


def now() -> datetime:
    return datetime.now(UTC)


def condition_for(error: BrokerError) -> str:
    return ERROR_CONDITIONS.get(error.status, "amqp:invalid-field")


def ticks(moment: datetime) -> int:
    return DOTNET_EPOCH_TICKS + int(moment.timestamp() * 10_000_000)


# --- address resolution ---------------------------------------------------------------


def resolve_target(namespace, path: str) -> Channel | ServiceBusTopic:
    try:
        return sb.resolve(namespace, path)
    except BrokerError as exc:
        raise Refused(
            "amqp:not-found", f"The messaging entity '{path}' could not be found."
        ) from exc


def resolve_source(namespace, path: str) -> tuple[Channel, bool]:
    """(channel, dead-letter subqueue?) for a receive address."""
    parts = path.split("/")
    dead_letter = parts[-1].lower() == DEAD_LETTER
    if dead_letter:
        parts = parts[:-1]
    try:
        return channel_of(namespace, parts), dead_letter
    except BrokerError as exc:
        raise Refused(
            "amqp:not-found", f"The messaging entity '{path}' could not be found."
        ) from exc


def channel_of(namespace, parts: list[str]) -> Channel:
    if len(parts) == 3 and parts[1].lower() == "subscriptions":
        return get_sb_subscription(get_sb_topic(namespace, parts[0]), parts[2])
    if len(parts) == 1:
        target = sb.resolve(namespace, parts[0])
        if isinstance(target, Channel):
            return target
    raise BrokerError("NotFound", f"'{'/'.join(parts)}' is not a queue or subscription.", 404)


# --- sending ------------------------------------------------------------------------


class EntitySender(LinkHandler):
    """The client sends to a queue or topic (single messages and batches)."""

    def __init__(self, conn, link, target) -> None:
        super().__init__(conn, link)
        self.target = target

    def message(self, delivery: Delivery, payload: bytes, message_format: int) -> None:
        messages, _ = convert.unpack(payload, message_format)
        try:
            sb.send(self.target, [convert.to_outgoing(m) for m in messages], now())
        except BrokerError as exc:
            delivery.local.condition = Condition(condition_for(exc), exc.message)
            delivery.update(Delivery.REJECTED)
            delivery.settle()
            return
        delivery.update(Delivery.ACCEPTED)
        delivery.settle()
        self.conn.server.notify()


# --- receiving ----------------------------------------------------------------------


def session_filter(link: Link) -> tuple[bool, str | None]:
    """(has a session filter?, the session id it names or None for 'next')."""
    data: Data = link.remote_source.filter
    data.rewind()
    if not data.next():
        return False, None
    value = data.get_object()
    if not isinstance(value, dict):
        return False, None
    for key, wanted in value.items():
        if str(key) == SESSION_FILTER:
            return True, (convert.text(wanted) or None) if wanted is not None else None
    return False, None


class ChannelReceiver(LinkHandler):
    """The client receives from a queue, a subscription or a dead-letter subqueue."""

    polls = True

    def __init__(self, conn, link, channel: Channel, dead_letter: bool) -> None:
        super().__init__(conn, link)
        self.channel = channel
        self.dead_letter = dead_letter
        self.delete = link.remote_snd_settle_mode == Link.SND_SETTLED
        self.holder = f"amqp:{uuid.uuid4().hex[:12]}"
        self.session = None
        self.outstanding: set[str] = set()  # lock tokens delivered and not yet settled
        self.last_empty = 0.0
        self.generation = -1
        has_filter, session_id = session_filter(link)
        if channel.requires_session and not dead_letter:
            if not has_filter:
                raise Refused(
                    "amqp:not-allowed",
                    f"'{channel.path}' requires sessions: open a session receiver.",
                )
            if not self._accept_session(session_id):
                self._wait_for_a_session(link)
        elif has_filter:
            raise Refused("amqp:not-allowed", f"'{channel.path}' does not use sessions.")

    def _wait_for_a_session(self, link: Link) -> None:
        """Next-available with nothing waiting: hold the attach (unanswered) for the
        client's `com.microsoft:timeout`, as Service Bus does, then give up."""
        timeout_ms = link_timeout_ms(link)
        if not timeout_ms:
            raise Refused("com.microsoft:timeout", "No session is available to accept.")
        self.pending = True
        self.wait_until = time.monotonic() + timeout_ms / 1000

    @property
    def urgent(self) -> bool:
        return self.pending

    def _poll_pending(self) -> None:
        if self._accept_session(None):
            self.pending = False
            self.conn.finish_open(self.link)
        elif time.monotonic() >= self.wait_until:
            raise Refused("com.microsoft:timeout", "No session became available in time.")

    def _accept_session(self, session_id: str | None) -> bool:
        try:
            session = store.accept_session(self.channel, now(), session_id)
        except BrokerError as exc:
            raise Refused(condition_for(exc), exc.message) from exc
        if session is None:
            return False
        self.session = session
        data: Data = self.link.source.filter
        data.clear()
        data.put_map()
        data.enter()
        data.put_symbol(SESSION_FILTER)
        data.put_string(session.session_id)
        data.exit()
        self.link.properties = {symbol(LOCKED_UNTIL_UTC): ticks(session.locked_until)}
        return True

    @property
    def session_id(self) -> str | None:
        return self.session.session_id if self.session is not None else None

    def poll(self) -> None:
        if self.pending:
            self._poll_pending()
            return
        generation = self.conn.server.generation
        if generation == self.generation and time.monotonic() - self.last_empty < POLL_SECONDS:
            return
        if self.session is not None and not session_held(self.session, now()):
            raise Refused(
                "com.microsoft:session-lock-lost",
                f"The lock on session '{self.session.session_id}' expired.",
            )
        while self.link.credit > 0:
            rows = store.receive(
                self.channel,
                now(),
                min(self.link.credit, 100),
                dead_letter=self.dead_letter,
                session_id=self.session_id,
                delete=self.delete,
                holder=self.holder,
            )
            if not rows:
                self.generation, self.last_empty = generation, time.monotonic()
                return
            for row in rows:
                self._send(row)

    def _send(self, row) -> None:
        tag = uuid.uuid4().bytes if self.delete else convert.lock_tag(row.lock_token)
        delivery = self.link.delivery(tag)
        delivery.sluice_token = row.lock_token
        if not self.delete:
            self.outstanding.add(row.lock_token)
        self.link.send(convert.encode(convert.from_row(row)))
        self.link.advance()
        if self.delete:
            delivery.settle()

    def settled(self, delivery: Delivery) -> None:
        token = getattr(delivery, "sluice_token", None)
        remote = delivery.remote
        state = delivery.remote_state
        if token is None or self.delete or not state:
            delivery.settle()
            return
        self.outstanding.discard(token)
        ok = self._apply(state, remote, token)
        if ok:
            if state == Delivery.MODIFIED:
                delivery.local.failed = remote.failed
                delivery.local.undeliverable = remote.undeliverable
            delivery.update(
                state
            )  # a rejected echo must carry no error: the SDK reads one as failure
        else:
            delivery.local.condition = Condition(
                "com.microsoft:message-lock-lost",
                "The lock supplied is invalid: it expired or the message was already settled.",
            )
            delivery.update(Delivery.REJECTED)
        delivery.settle()

    def _apply(self, state, remote, token: str) -> bool:
        channel, moment = self.channel, now()
        if state == Delivery.ACCEPTED:
            return store.complete(channel, token, moment)
        if state == Delivery.RELEASED:
            return release(channel, token, moment)
        if state == Delivery.MODIFIED:
            if remote.undeliverable:
                return store.defer(channel, token, moment)
            if remote.failed:
                return store.abandon(channel, token, moment)
            return release(channel, token, moment)
        if state == Delivery.REJECTED:
            reason, description = dead_letter_details(remote.condition)
            return store.dead_letter(channel, token, moment, reason, description)
        return False

    def closed(self) -> None:
        """The link is gone (detach or connection loss): its locks go with it, so
        unsettled messages are available again at once (the attempt still counts)."""
        moment = now()
        for token in self.outstanding:
            store.abandon(self.channel, token, moment)
        self.outstanding.clear()
        if self.session is not None:
            store.release_session(self.session)


def link_timeout_ms(link: Link) -> int:
    for key, value in (link.remote_properties or {}).items():
        if str(key) == OPERATION_TIMEOUT:
            return int(value)
    return 0


def session_held(session, moment: datetime) -> bool:
    return Session.objects.filter(
        id=session.id, lock_token=session.lock_token, locked_until__gt=moment
    ).exists()


def dead_letter_details(condition: Condition | None) -> tuple[str, str]:
    if condition is None:
        return "", ""
    info = {str(k): v for k, v in (condition.info or {}).items()}
    reason = info.get("DeadLetterReason")
    description = info.get("DeadLetterErrorDescription", condition.description)
    return convert.text(reason), convert.text(description)
