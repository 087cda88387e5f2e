"""Management request/response nodes.

* `<entity>/$management` (Service Bus, `type: entity-mgmt`): renew-lock,
  peek-message, schedule-message, cancel-scheduled-message, update-disposition,
  receive-by-sequence-number, get/set-session-state, renew-session-lock,
  get-message-sessions. Status in `statusCode`/`statusDescription`, errors also
  carry `errorCondition` (which the SDK maps to its exception types).
* `$management` (Event Hubs, `operation: READ`): `com.microsoft:eventhub` and
  `com.microsoft:partition` runtime information. Status in `status-code`.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from datetime import UTC, datetime

from django.db.models import Max, Min
from proton import Message, int32, symbol

from broker.amqp import convert, sbextra
from broker.amqp.cbs import verify_token
from broker.amqp.nodes import RequestNode
from broker.amqp.servicebus import ERROR_CONDITIONS, channel_of, resolve_target
from broker.models import Channel, EventHub, HubEvent, ServiceBusTopic
from broker.models import Message as Row
from broker.services import servicebus as sb
from broker.services import store
from broker.services.errors import BrokerError
from broker.services.eventhubs import get_partition

VENDOR = "com.microsoft:"
DISPOSITIONS = {"completed", "abandoned", "suspended", "defered", "deferred"}


class Failure(Exception):
    def __init__(self, status: int, condition: str, description: str) -> None:
        super().__init__(description)
        self.status, self.condition, self.description = status, condition, description


def now() -> datetime:
    return datetime.now(UTC)


def _key(value) -> str:
    return convert.text(value)


def _body(request: Message) -> dict:
    body = request.body if isinstance(request.body, dict) else {}
    return {_key(k): v for k, v in body.items()}


def _tokens(values) -> list[str]:
    out = []
    for value in values or []:
        if isinstance(value, uuid.UUID):
            out.append(str(value))
        elif isinstance(value, bytes | memoryview) and len(bytes(value)) == 16:
            out.append(str(uuid.UUID(bytes=bytes(value))))
        else:
            out.append(convert.text(value))
    return out


# --- Service Bus ----------------------------------------------------------------------


class ServiceBusNode(RequestNode):
    def __init__(self, conn, link, address: str, entity: str) -> None:
        super().__init__(conn, link, address)
        self.entity_path = entity
        self._channel: Channel | None = None
        self._dead_letter = False

    def entity(self) -> Channel | ServiceBusTopic:
        parts = self.entity_path.split("/")
        self._dead_letter = parts[-1].lower() == "$deadletterqueue"
        if self._dead_letter:
            parts = parts[:-1]
        namespace = self.conn.server.namespace()
        if len(parts) == 1:
            return resolve_target(namespace, parts[0])
        return channel_of(namespace, parts)

    def channel(self) -> Channel:
        target = self.entity()
        if not isinstance(target, Channel):
            raise Failure(
                400,
                "amqp:not-allowed",
                f"'{self.entity_path}' is a topic: receive from a subscription.",
            )
        return target

    def respond(self, request: Message) -> Message:
        props = {_key(k): v for k, v in (request.properties or {}).items()}
        operation = _key(props.get("operation"))
        handler = getattr(self, "op_" + operation.removeprefix(VENDOR).replace("-", "_"), None)
        try:
            if handler is None:
                raise Failure(
                    400, "amqp:not-implemented", f"Operation '{operation}' is not supported."
                )
            status, body = handler(_body(request))
        except Failure as exc:
            return self._answer(exc.status, exc.description, None, exc.condition)
        except BrokerError as exc:
            condition = ERROR_CONDITIONS.get(exc.status, "amqp:invalid-field")
            return self._answer(exc.status, exc.message, None, condition)
        except Exception as exc:  # a bad request must not kill the connection
            if exc.__class__.__name__ == "Refused":
                return self._answer(404, str(exc), None, "amqp:not-found")
            return self._answer(500, f"{type(exc).__name__}: {exc}", None, "amqp:internal-error")
        return self._answer(status, "OK" if status < 300 else "", body, None)

    @staticmethod
    def _answer(status: int, description: str, body, condition: str | None) -> Message:
        props = {"statusCode": int32(status), "statusDescription": description}
        if condition:
            props["errorCondition"] = symbol(condition)
        return Message(properties=props, body=body)

    # renew-lock -------------------------------------------------------------------
    def op_renew_lock(self, body: dict):
        channel, moment = self.channel(), now()
        expirations = []
        for token in _tokens(body.get("lock-tokens")):
            if not store.renew(channel, token, moment):
                raise Failure(
                    410, VENDOR + "message-lock-lost", f"The lock {token} is lost or invalid."
                )
            row = store.locked_message(channel, token, moment)
            expirations.append(convert.to_ms(row.locked_until if row else moment))
        return 200, {"expirations": expirations}

    # peek -------------------------------------------------------------------------
    def op_peek_message(self, body: dict):
        channel = self.channel()
        start = int(body.get("from-sequence-number") or 0)
        count = max(1, int(body.get("message-count") or 1))
        session_id = convert.text(body.get("session-id")) or None
        if session_id:
            states = (
                [Row.State.DEAD_LETTERED]
                if self._dead_letter
                else [Row.State.ACTIVE, Row.State.DEFERRED]
            )
            rows = list(
                Row.objects.filter(
                    channel=channel, state__in=states, id__gte=start, session_id=session_id
                ).order_by("id")[:count]
            )
        else:
            rows = store.peek(channel, start, count, dead_letter=self._dead_letter)
        if not rows:
            return 204, None
        return 200, {
            "messages": [
                {"message": convert.encode(convert.from_row(r, peeked=True))} for r in rows
            ]
        }

    # scheduling -------------------------------------------------------------------
    def op_schedule_message(self, body: dict):
        target = self.entity()
        sequence_numbers = []
        for item in body.get("messages") or []:
            item = {_key(k): v for k, v in item.items()}
            outgoing = convert.to_outgoing(convert.decode(bytes(item["message"])))
            if outgoing.scheduled_at is None:
                raise Failure(
                    400,
                    "amqp:invalid-field",
                    "A scheduled message needs x-opt-scheduled-enqueue-time.",
                )
            rows = sb.send(target, [outgoing], now())
            sequence_numbers.append(rows[0].id if rows else -1)
            remember_copies(rows)
        return 200, {"sequence-numbers": sequence_numbers}

    def op_cancel_scheduled_message(self, body: dict):
        target = self.entity()
        ids: list[int] = []
        for number in body.get("sequence-numbers") or []:
            ids.extend(_SCHEDULED.pop(int(number), [int(number)]))
        channels = [target] if isinstance(target, Channel) else list(target.subscriptions.all())
        for channel in channels:
            sb.cancel_scheduled(channel, ids, now())
        return 200, None

    # settlement of deferred messages ------------------------------------------------
    def op_update_disposition(self, body: dict):
        channel, moment = self.channel(), now()
        status = convert.text(body.get("disposition-status"))
        if status not in DISPOSITIONS:
            raise Failure(400, "amqp:invalid-field", f"Unknown disposition-status '{status}'.")
        for token in _tokens(body.get("lock-tokens")):
            if status == "completed":
                ok = store.complete(channel, token, moment)
            elif status == "abandoned":
                ok = store.abandon(channel, token, moment)
            elif status == "suspended":
                ok = store.dead_letter(
                    channel,
                    token,
                    moment,
                    convert.text(body.get("deadletter-reason")),
                    convert.text(body.get("deadletter-description")),
                )
            else:
                ok = store.defer(channel, token, moment)
            if not ok:
                raise Failure(
                    410, VENDOR + "message-lock-lost", f"The lock {token} is lost or invalid."
                )
        return 200, None

    def op_receive_by_sequence_number(self, body: dict):
        channel, moment = self.channel(), now()
        numbers = [int(n) for n in body.get("sequence-numbers") or []]
        session_id = convert.text(body.get("session-id")) or None
        rows = store.receive_deferred(channel, moment, numbers)
        if session_id:
            rows = [r for r in rows if r.session_id == session_id]
        if len(rows) < len(set(numbers)):
            for row in rows:
                sbextra.release(channel, row.lock_token, moment)
            raise Failure(
                404, VENDOR + "message-not-found", "Some of the deferred messages were not found."
            )
        delete = int(body.get("receiver-settle-mode") or 0) == 0
        out = []
        for row in rows:
            item = {
                "message": convert.encode(convert.from_row(row)),
                "lock-token": uuid.UUID(row.lock_token),
            }
            if delete:
                store.complete(channel, row.lock_token, moment)
            out.append(item)
        return 200, {"messages": out}

    # sessions ---------------------------------------------------------------------
    def _session_id(self, body: dict) -> str:
        session_id = convert.text(body.get("session-id"))
        if not session_id:
            raise Failure(400, "amqp:invalid-field", "session-id is required.")
        return session_id

    def op_get_session_state(self, body: dict):
        state = sbextra.get_session_state(self.channel(), self._session_id(body))
        return 200, {"session-state": state}

    def op_set_session_state(self, body: dict):
        state = body.get("session-state")
        sbextra.set_session_state(
            self.channel(), self._session_id(body), None if state is None else bytes(state)
        )
        return 200, None

    def op_renew_session_lock(self, body: dict):
        until = sbextra.renew_session_lock(self.channel(), self._session_id(body), now())
        if until is None:
            raise Failure(410, VENDOR + "session-lock-lost", "The session lock is lost.")
        return 200, {"expiration": convert.to_ms(until)}

    def op_get_message_sessions(self, body: dict):
        ids = sbextra.session_ids(self.channel(), now())
        if not ids:
            return 204, None
        return 200, {"skip": int32(0), "sessions-ids": ids}


# A message scheduled to a topic becomes one row per subscription; the SDK only
# knows the first sequence number, so the others are remembered for a cancel.
_SCHEDULED: OrderedDict[int, list[int]] = OrderedDict()
MAX_REMEMBERED = 100_000


def remember_copies(rows: list) -> None:
    if len(rows) < 2:
        return
    _SCHEDULED[rows[0].id] = [r.id for r in rows]
    while len(_SCHEDULED) > MAX_REMEMBERED:
        _SCHEDULED.popitem(last=False)


# --- Event Hubs ---------------------------------------------------------------------


class EventHubsNode(RequestNode):
    def respond(self, request: Message) -> Message:
        props = {_key(k): v for k, v in (request.properties or {}).items()}
        try:
            body = self._read(props)
        except Failure as exc:
            return Message(
                properties={
                    "status-code": int32(exc.status),
                    "status-description": exc.description,
                    "error-condition": symbol(exc.condition),
                }
            )
        return Message(
            properties={"status-code": int32(200), "status-description": "OK"}, body=body
        )

    def _read(self, props: dict) -> dict:
        name = convert.text(props.get("name"))
        if convert.text(props.get("operation")) != "READ":
            raise Failure(400, "amqp:not-implemented", "Only the READ operation is supported.")
        if not self.conn.is_authorized(name):
            token = props.get("security_token")
            verified = verify_token(self.conn.server.namespace(), convert.text(token))
            if verified is None:
                raise Failure(
                    401, "amqp:unauthorized-access", "A valid security_token is required."
                )
            self.conn.authorize(*verified)
        hub = EventHub.objects.filter(namespace=self.conn.server.namespace(), name=name).first()
        if hub is None:
            raise Failure(404, "amqp:not-found", f"Event hub '{name}' does not exist.")
        kind = convert.text(props.get("type"))
        if kind == VENDOR + "eventhub":
            return hub_properties(hub)
        if kind == VENDOR + "partition":
            try:
                return partition_properties(hub, convert.text(props.get("partition")))
            except BrokerError as exc:
                raise Failure(404, "amqp:not-found", exc.message) from exc
        raise Failure(400, "amqp:not-implemented", f"Unknown type '{kind}'.")


def hub_properties(hub: EventHub) -> dict:
    return {
        "name": hub.name,
        "type": VENDOR + "eventhub",
        "created_at": convert.to_ms(hub.created_at),
        "partition_count": int32(hub.partition_count),
        "partition_ids": [str(i) for i in range(hub.partition_count)],
    }


def partition_properties(hub: EventHub, partition_id: str) -> dict:
    partition = get_partition(hub, partition_id)
    stats = HubEvent.objects.filter(partition=partition).aggregate(
        first=Min("sequence_number"), last=Max("sequence_number")
    )
    last = HubEvent.objects.filter(partition=partition).order_by("-sequence_number").first()
    empty = last is None
    begin = stats["first"] if not empty else partition.next_sequence_number - 1
    return {
        "name": hub.name,
        "type": VENDOR + "partition",
        "partition": str(partition.index),
        "begin_sequence_number": int(begin),
        "last_enqueued_sequence_number": int(partition.next_sequence_number - 1),
        "last_enqueued_offset": str(last.offset) if last else "-1",
        "last_enqueued_time_utc": convert.to_ms(last.enqueued_at)
        if last
        else convert.to_ms(datetime.fromtimestamp(0, UTC)),
        "is_partition_empty": empty,
    }
