"""Service Bus REST data plane (and Event Hubs send, which shares `/{entity}/messages`).

Azure's REST shapes: `POST /{entity}/messages` send (201), `POST …/messages/head`
peek-lock (201 + `BrokerProperties` + `Location`, 204 when empty),
`DELETE …/messages/head` receive-and-delete (200/204),
`DELETE …/messages/{id}/{lockToken}` complete, `PUT …` unlock (abandon),
`POST …` renew lock. `{entity}` is a queue, `topic/subscriptions/sub`, either with
`/$deadletterqueue`. Sluice extensions (no REST equivalent in Azure): dead-letter,
defer, receive-deferred, peek, cancel-scheduled and session state, documented in
broker/README.md.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC
from email.utils import format_datetime

from dateutil import parser as dateparser
from django.http import HttpResponse
from django.utils import timezone

from broker.models import Channel, EventHub, ServiceBusTopic
from broker.services import entities, eventhubs, servicebus, store
from broker.services.errors import bad_request
from broker.views.common import data_plane, int_param, long_poll_view, ok

BATCH_TYPE = "application/vnd.microsoft.servicebus.json"
NOT_PROPERTIES = {
    "host",
    "user-agent",
    "accept",
    "accept-encoding",
    "accept-language",
    "connection",
    "content-length",
    "content-type",
    "authorization",
    "brokerproperties",
    "cookie",
    "expect",
    "transfer-encoding",
    "origin",
    "referer",
    "aeg-sas-key",
    "aeg-sas-token",
    "te",
    "keep-alive",
    "upgrade",
    "via",
    "pragma",
    "cache-control",
    "traceparent",
    "tracestate",
    "request-id",
    "sessionlocktoken",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-real-ip",
}
BROKER_FIELDS = {
    "MessageId": "message_id",
    "CorrelationId": "correlation_id",
    "SessionId": "session_id",
    "Label": "subject",
    "Subject": "subject",
    "To": "to",
    "ReplyTo": "reply_to",
    "ReplyToSessionId": "reply_to_session_id",
    "PartitionKey": "partition_key",
    "ContentType": "content_type",
}


def _rfc1123(moment) -> str | None:
    return format_datetime(moment, usegmt=True) if moment else None


def _header_value(raw: str):
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return value if isinstance(value, str | int | float | bool) else raw


def _parse_time(value, what: str):
    try:
        moment = dateparser.parse(str(value))
    except (ValueError, OverflowError):
        raise bad_request(f"{what} is not a date: {value!r}.")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _outgoing(body: bytes, props: dict, user: dict, content_type: str = "") -> servicebus.Outgoing:
    if not isinstance(props, dict):
        raise bad_request("BrokerProperties must be a JSON object.", "InvalidBrokerProperties")
    out = servicebus.Outgoing(body=body, properties=dict(user), content_type=content_type)
    for key, name in BROKER_FIELDS.items():
        if props.get(key) is not None:
            setattr(out, name, str(props[key]))
    if props.get("TimeToLive") is not None:
        try:
            out.ttl_seconds = float(props["TimeToLive"])
        except (TypeError, ValueError):
            raise bad_request("TimeToLive must be a number of seconds.", "InvalidBrokerProperties")
    if props.get("ScheduledEnqueueTimeUtc"):
        out.scheduled_at = _parse_time(props["ScheduledEnqueueTimeUtc"], "ScheduledEnqueueTimeUtc")
    return out


def _single(request) -> servicebus.Outgoing:
    raw = request.headers.get("BrokerProperties") or "{}"
    try:
        props = json.loads(raw)
    except ValueError:
        raise bad_request(
            "The BrokerProperties header is not valid JSON.", "InvalidBrokerProperties"
        )
    user = {
        k: _header_value(v)
        for k, v in request.headers.items()
        if k.lower() not in NOT_PROPERTIES and not k.lower().startswith("x-ms-")
    }
    return _outgoing(request.body, props, user, request.headers.get("Content-Type", ""))


def _batch_item(item) -> servicebus.Outgoing:
    if not isinstance(item, dict):
        raise bad_request("Each batch item must be a JSON object with Body.")
    if "BodyBase64" in item:
        body = base64.b64decode(str(item["BodyBase64"]))
    else:
        body_value = item.get("Body", "")
        body = (
            body_value.encode() if isinstance(body_value, str) else json.dumps(body_value).encode()
        )
    user = item.get("UserProperties") or {}
    if not isinstance(user, dict):
        raise bad_request("UserProperties must be a JSON object.")
    return _outgoing(body, item.get("BrokerProperties") or {}, user)


def _batch(request) -> list[servicebus.Outgoing]:
    try:
        items = json.loads(request.body)
    except ValueError:
        raise bad_request("A batch body must be a JSON array.", "InvalidBatch")
    if not isinstance(items, list) or not items:
        raise bad_request("A batch body must be a non-empty JSON array.", "InvalidBatch")
    return [_batch_item(i) for i in items]


def _is_batch(request) -> bool:
    return request.headers.get("Content-Type", "").split(";")[0].strip().lower() == BATCH_TYPE


def _hub_send(request, hub: EventHub, now, partition_id: str | None = None) -> HttpResponse:
    outgoing = _batch(request) if _is_batch(request) else [_single(request)]
    keys = {o.partition_key for o in outgoing}
    if len(keys) > 1:
        raise bad_request("All events of a batch must share one PartitionKey.")
    events = [eventhubs.Incoming(o.body, o.properties) for o in outgoing]
    sent = eventhubs.send(
        hub, events, now, partition_key=keys.pop() or None, partition_id=partition_id
    )
    return ok(
        {
            "partitionId": str(sent[0].partition.index),
            "sequenceNumbers": [e.sequence_number for e in sent],
        },
        201,
    )


@data_plane
def send(request, ns, now, entity: str):
    if request.method != "POST":
        raise bad_request("Use POST to send.", "MethodNotAllowed")
    hub = EventHub.objects.filter(namespace=ns, name=entity).first()
    if hub is not None:
        return _hub_send(request, hub, now)
    target = servicebus.resolve(ns, entity)
    outgoing = _batch(request) if _is_batch(request) else [_single(request)]
    servicebus.send(target, outgoing, now)
    return HttpResponse(status=201)


@data_plane
def send_partition(request, ns, now, entity: str, partition: str):
    if request.method != "POST":
        raise bad_request("Use POST to send.", "MethodNotAllowed")
    return _hub_send(request, entities.get_hub(ns, entity), now, partition_id=partition)


# --- receiving --------------------------------------------------------------------


def channel_for(ns, entity: str, subscription: str | None) -> Channel:
    if subscription:
        return entities.get_sb_subscription(entities.get_sb_topic(ns, entity), subscription)
    if ServiceBusTopic.objects.filter(namespace=ns, name=entity).exists():
        raise bad_request(
            "Receive from a subscription: /{topic}/subscriptions/{name}/messages/head."
        )
    return entities.get_queue(ns, entity)


def time_to_live(m) -> float | None:
    return store.time_to_live(m)


def broker_properties(m, session=None) -> dict:
    now = timezone.now()
    state = (
        "Deferred"
        if m.state == "deferred"
        else ("Scheduled" if m.available_at > now and not m.lock_token else "Active")
    )
    props = {
        "DeliveryCount": m.delivery_count,
        "EnqueuedSequenceNumber": m.id,
        "EnqueuedTimeUtc": _rfc1123(m.enqueued_at),
        "LockToken": m.lock_token or None,
        "LockedUntilUtc": _rfc1123(m.locked_until) if m.lock_token else None,
        "MessageId": m.message_id,
        "SequenceNumber": m.id,
        "State": state,
        "TimeToLive": time_to_live(m),
    }
    for key, name in BROKER_FIELDS.items():
        if key not in ("MessageId", "ContentType", "Subject") and getattr(m, name):
            props[key] = getattr(m, name)
    if m.scheduled_at:
        props["ScheduledEnqueueTimeUtc"] = _rfc1123(m.scheduled_at)
    if m.dead_letter_reason:
        props.update(
            DeadLetterReason=m.dead_letter_reason,
            DeadLetterErrorDescription=m.dead_letter_description,
            DeadLetterSource=m.dead_letter_source,
        )
    return {k: v for k, v in props.items() if v is not None}


def message_response(request, m, status: int, session=None) -> HttpResponse:
    response = HttpResponse(
        bytes(m.body), status=status, content_type=m.content_type or "application/octet-stream"
    )
    response["BrokerProperties"] = json.dumps(broker_properties(m))
    for key, value in (m.properties or {}).items():
        response[str(key)] = json.dumps(value)
    if m.lock_token:
        response["Location"] = request.build_absolute_uri(
            f"{request.path.rsplit('/head', 1)[0]}/{m.id}/{m.lock_token}"
        )
    if session is not None:
        response["SessionLockToken"] = session.lock_token
        response["SessionLockedUntilUtc"] = _rfc1123(session.locked_until)
    return response


def message_json(m) -> dict:
    body = bytes(m.body)
    return {
        "brokerProperties": broker_properties(m),
        "userProperties": m.properties,
        "contentType": m.content_type,
        "bodyBase64": base64.b64encode(body).decode(),
    }


def _prepare_head(
    request, ns, now, entity: str, subscription: str | None = None, dlq: str | None = None
) -> dict:
    if request.method not in ("POST", "DELETE"):
        raise bad_request(
            "Use POST (peek-lock) or DELETE (receive and delete).", "MethodNotAllowed"
        )
    channel = channel_for(ns, entity, subscription)
    state = {
        "channel": channel,
        "delete": request.method == "DELETE",
        "dead_letter": bool(dlq),
        "wait": int_param(request, "timeout", 60, 0, 120),
        "session": None,
        "session_id": request.GET.get("sessionId") or None,
        "session_token": request.headers.get("SessionLockToken") or None,
        "request": request,
    }
    if state["session_id"] and not channel.requires_session:
        raise bad_request(f"'{channel.path}' does not use sessions.")
    return state


def _attempt_head(state: dict):
    channel, now = state["channel"], timezone.now()
    session_id = None
    if channel.requires_session and not state["dead_letter"]:
        if state["session"] is None or state["session"].locked_until <= now:
            state["session"] = store.accept_session(
                channel, now, state["session_id"], state["session_token"]
            )
        if state["session"] is None:
            return None
        session_id = state["session"].session_id
    got = store.receive(
        channel,
        now,
        1,
        dead_letter=state["dead_letter"],
        session_id=session_id,
        delete=state["delete"],
    )
    return got[0] if got else None


def _render_head(state: dict, message) -> HttpResponse:
    session = state["session"]
    if message is None:
        response = HttpResponse(status=204)
        if session is not None and state["session_id"]:
            response["SessionLockToken"] = session.lock_token
        return response
    return message_response(state["request"], message, 200 if state["delete"] else 201, session)


head = long_poll_view(_prepare_head, _attempt_head, _render_head)


@data_plane
def settle(
    request,
    ns,
    now,
    entity: str,
    message: str,
    token: str,
    subscription: str | None = None,
    dlq: str | None = None,
    action: str | None = None,
):
    channel = channel_for(ns, entity, subscription)
    if action == "deadletter":
        body = _json_body(request)
        result = store.settle(
            channel,
            [token],
            now,
            store.dead_letter,
            reason=str(body.get("deadLetterReason", "")),
            description=str(body.get("deadLetterErrorDescription", "")),
        )
    elif action == "defer":
        result = store.settle(channel, [token], now, store.defer)
    elif request.method == "DELETE":
        result = store.settle(channel, [token], now, store.complete)
    elif request.method == "PUT":
        result = store.settle(channel, [token], now, store.abandon)
    elif request.method == "POST":
        result = store.settle(channel, [token], now, store.renew)
    else:
        raise bad_request(
            "Use DELETE (complete), PUT (unlock) or POST (renew lock).", "MethodNotAllowed"
        )
    if result.failed:
        if not store.valid_token(token):
            raise bad_request("Lock tokens are UUIDs.", "BadToken")
        message = "The lock on the message was lost: it expired, was settled, or never existed."
        return ok({"error": {"code": "MessageLockLost", "message": message}}, 410)
    if request.method == "POST" and action is None:
        held = store.locked_message(channel, token, now)
        response = HttpResponse(status=200)
        if held is not None:
            response["BrokerProperties"] = json.dumps(broker_properties(held))
        return response
    return HttpResponse(status=200)


def _json_body(request) -> dict:
    if not request.body:
        return {}
    try:
        body = json.loads(request.body)
    except ValueError:
        raise bad_request("The body must be a JSON object.")
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    return body


def _sequence_numbers(request) -> list[int]:
    numbers = _json_body(request).get("sequenceNumbers")
    if (
        not isinstance(numbers, list)
        or not 0 < len(numbers) <= 1000
        or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**63 for n in numbers
        )
    ):
        raise bad_request('The body must be {"sequenceNumbers": [1, 2, …]}.')
    return numbers


@data_plane
def deferred(
    request, ns, now, entity: str, subscription: str | None = None, dlq: str | None = None
):
    channel = channel_for(ns, entity, subscription)
    messages = store.receive_deferred(channel, now, _sequence_numbers(request))
    return ok({"value": [message_json(m) for m in messages]})


@data_plane
def peek(request, ns, now, entity: str, subscription: str | None = None, dlq: str | None = None):
    channel = channel_for(ns, entity, subscription)
    start = int_param(request, "fromSequenceNumber", 0, 0, 2**62)
    count = int_param(request, "count", 10, 1, 1000)
    return ok({"value": [message_json(m) for m in store.peek(channel, start, count, bool(dlq))]})


@data_plane
def cancel_scheduled(
    request, ns, now, entity: str, subscription: str | None = None, dlq: str | None = None
):
    channel = channel_for(ns, entity, subscription)
    return ok({"cancelled": servicebus.cancel_scheduled(channel, _sequence_numbers(request), now)})


@data_plane
def session_state(request, ns, now, entity: str, session: str, subscription: str | None = None):
    channel = channel_for(ns, entity, subscription)
    held = store.held_session(channel, session, request.headers.get("SessionLockToken", ""), now)
    if request.method == "PUT":
        held.state = request.body or None
        held.save(update_fields=["state"])
        return HttpResponse(status=200)
    if held.state is None:
        return HttpResponse(status=204)
    return HttpResponse(bytes(held.state), status=200, content_type="application/octet-stream")


@data_plane
def session_renew(request, ns, now, entity: str, session: str, subscription: str | None = None):
    channel = channel_for(ns, entity, subscription)
    held = store.renew_session(
        channel,
        store.held_session(channel, session, request.headers.get("SessionLockToken", ""), now),
        now,
    )
    response = HttpResponse(status=200)
    response["SessionLockedUntilUtc"] = _rfc1123(held.locked_until)
    return response
