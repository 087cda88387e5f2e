"""Event Grid push delivery to webhooks (spec §4.3, §4.4).

Called from `broker/ticks.py`. Each due event is *locked* first (same CAS as a
pull receiver), so two schedulers never deliver the same event at once. Before
the first delivery the endpoint must pass validation: the CloudEvents
abuse-protection handshake (`OPTIONS` with `WebHook-Request-Origin`, answered with
`WebHook-Allowed-Origin: <origin>|*`), or for Event Grid schema subscriptions the
`SubscriptionValidationEvent` POST (`aeg-event-type: SubscriptionValidation`)
answered 200 with `{"validationResponse": <code>}`. Then each event is POSTed
alone (structured CloudEvent, or a one-element Event Grid schema array), or with
`maxEventsPerBatch` > 1 up to that many per POST (`application/cloudevents-batch+json`
or an Event Grid schema array); the whole batch shares the outcome.

Outcomes: 200–204 → acknowledged; 400 and 413 → dead-lettered at once; anything
else (including connection errors) → released with the Event Grid back-off
(10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, then hourly, with per-status
minimums and ±20 % jitter) until 30 attempts or the event's time to live (24 h by
default) run out, then dead-lettered.

Outbound requests go through `connectors.outbound.client()`, the project's one
seam for outbound HTTP (timeouts and the private-address guard).
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from broker.models import Channel, Message
from broker.services import store

log = logging.getLogger(__name__)
SCHEDULE = [10, 30, 60, 300, 600, 1800, 3600]
MINIMUM = {400: 300, 401: 300, 403: 300, 404: 300, 408: 120, 413: 10, 503: 30}
SUCCESS = {200, 201, 202, 203, 204}
PUSH_MAX_ATTEMPTS = 30
BATCH_PER_TICK = 100


def origin() -> str:
    public = getattr(settings, "SLUICE_PUBLIC_URL", "http://127.0.0.1:8000")
    return urlsplit(public).hostname or "sluice"


def backoff(attempt: int, status: int | None) -> float:
    base = SCHEDULE[min(attempt - 1, len(SCHEDULE) - 1)]
    base = max(base, MINIMUM.get(status or 0, 10))
    scale = getattr(settings, "SLUICE_EVENTGRID_PUSH_BACKOFF_SCALE", 1.0)
    return base * scale * random.uniform(0.8, 1.2)


def _http():
    from connectors.outbound import client

    return client(
        timeout=getattr(settings, "SLUICE_EVENTGRID_PUSH_TIMEOUT", 30.0), follow_redirects=False
    )


EVENT_GRID_SCHEMA = "EventGridSchema"


def to_event_grid_schema(event: dict, channel: Channel) -> dict:
    """A stored CloudEvent in the Event Grid event schema (`metadataVersion` "1")."""
    data = event.get("data")
    if data is None and "data_base64" in event:
        data = event["data_base64"]
    return {
        "id": event["id"],
        "topic": f"/namespaces/{channel.namespace.name}/topics/{channel.eg_topic.name}",
        "subject": event.get("subject") or "",
        "data": data,
        "eventType": event["type"],
        "eventTime": event.get("time") or "",
        "dataVersion": event.get("dataversion") or "",
        "metadataVersion": "1",
    }


def validation_event(channel: Channel, code: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "topic": f"/namespaces/{channel.namespace.name}/topics/{channel.eg_topic.name}",
        "subject": "",
        "data": {"validationCode": code},
        "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
        "eventTime": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "metadataVersion": "1",
        "dataVersion": "1",
    }


def _eventgrid_handshake(channel: Channel) -> bool:
    """Event Grid schema: POST a SubscriptionValidationEvent; the endpoint must echo
    `{"validationResponse": code}` with 200."""
    code = str(uuid.uuid4())
    try:
        with _http() as http:
            answer = http.post(
                channel.endpoint_url,
                json=[validation_event(channel, code)],
                headers={"aeg-event-type": "SubscriptionValidation"},
            )
        echoed = answer.json().get("validationResponse") if answer.status_code == 200 else None
    except Exception as exc:
        log.info("push validation of %s failed: %s", channel.endpoint_url, exc)
        return False
    return echoed == code


def _cloudevents_handshake(channel: Channel) -> bool:
    try:
        with _http() as http:
            answer = http.request(
                "OPTIONS",
                channel.endpoint_url,
                headers={"WebHook-Request-Origin": origin(), "WebHook-Request-Rate": "120"},
            )
    except Exception as exc:
        log.info("push handshake to %s failed: %s", channel.endpoint_url, exc)
        return False
    allowed = answer.headers.get("WebHook-Allowed-Origin", "")
    return answer.status_code == 200 and allowed in ("*", origin())


def handshake(channel: Channel) -> bool:
    """Endpoint validation before the first delivery; remembers success."""
    if channel.endpoint_validated:
        return True
    if channel.delivery_schema == EVENT_GRID_SCHEMA:
        validated = _eventgrid_handshake(channel)
    else:
        validated = _cloudevents_handshake(channel)
    if validated:
        Channel.objects.filter(id=channel.id).update(endpoint_validated=True)
        channel.endpoint_validated = True
    return validated


def _payload(channel: Channel, batch: list[Message]) -> bytes:
    """One event alone, or `max_events_per_batch` of them as one array."""
    if channel.delivery_schema == EVENT_GRID_SCHEMA:
        return json.dumps([to_event_grid_schema(event_of(m), channel) for m in batch]).encode()
    if channel.max_events_per_batch <= 1:
        return bytes(batch[0].body)
    return json.dumps([event_of(m) for m in batch]).encode()


def _headers(channel: Channel) -> dict:
    if channel.delivery_schema == EVENT_GRID_SCHEMA:
        return {"Content-Type": "application/json; charset=utf-8", "aeg-event-type": "Notification"}
    media = "cloudevents+json" if channel.max_events_per_batch <= 1 else "cloudevents-batch+json"
    return {
        "Content-Type": f"application/{media}; charset=utf-8",
        "WebHook-Request-Origin": origin(),
    }


def _post(channel: Channel, batch: list[Message]) -> tuple[int | None, str]:
    try:
        with _http() as http:
            answer = http.post(
                channel.endpoint_url, content=_payload(channel, batch), headers=_headers(channel)
            )
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"[:200]
    return answer.status_code, f"{answer.status_code} {answer.reason_phrase}"


def _record(message: Message, now: datetime, outcome: str) -> None:
    Message.objects.filter(id=message.id, lock_token=message.lock_token).update(
        last_outcome=outcome[:200], last_attempt_at=now
    )


def _settle(
    channel: Channel, message: Message, status: int | None, outcome: str, now: datetime
) -> None:
    _record(message, now, outcome)
    token = message.lock_token
    with transaction.atomic():
        if status in SUCCESS:
            store.complete(channel, token, now)
        elif status in (400, 413):
            store.dead_letter(channel, token, now, f"DeliveryFailed{status}", outcome)
        elif message.delivery_count >= PUSH_MAX_ATTEMPTS:
            store.dead_letter(channel, token, now, "MaxDeliveryAttemptsExceeded", outcome)
        else:
            store.abandon(
                channel, token, now, delay_seconds=backoff(message.delivery_count, status)
            )


def deliver(channel: Channel, now: datetime) -> int:
    """Deliver up to `BATCH_PER_TICK` due events of one push subscription."""
    messages = store.receive(channel, now, BATCH_PER_TICK, holder="push")
    if not messages:
        return 0
    if not handshake(channel):
        for m in messages:
            _settle(channel, m, None, "WebhookValidationFailed", now)
        return 0
    delivered, size = 0, max(1, channel.max_events_per_batch)
    for i in range(0, len(messages), size):
        batch = messages[i : i + size]
        status, outcome = _post(channel, batch)
        for m in batch:
            _settle(channel, m, status, outcome, now)
        delivered += len(batch) if status in SUCCESS else 0
    return delivered


def event_of(message: Message) -> dict:
    return json.loads(bytes(message.body))
