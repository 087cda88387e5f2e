"""Event Grid: CloudEvents 1.0 validation, publishing to a namespace topic (fan-out
to the subscriptions whose filters match), and the basic-tier Event Grid schema.

Events are stored as CloudEvent JSON in `Message.body`; Event Grid schema events
are converted to CloudEvents on the way in (`type` = eventType, `source` = the
topic path, `dataversion` kept as an extension), so every subscription filters and
delivers one shape.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from urllib.parse import unquote

from dateutil import parser as dateparser

from broker.models import Channel, EventGridTopic
from broker.services import egfilters, store, subscribers
from broker.services.errors import BrokerError, bad_request

MAX_EVENT_BYTES = 1024 * 1024
EXTENSION_RE = re.compile(r"^[a-z0-9]{1,20}$")
REQUIRED = ("id", "source", "type", "specversion")
STANDARD = {
    "id",
    "source",
    "type",
    "specversion",
    "data",
    "data_base64",
    "time",
    "dataschema",
    "datacontenttype",
    "subject",
}
EG_REQUIRED = ("id", "subject", "data", "eventType", "eventTime", "dataVersion")


def _too_big(event: dict, index: int) -> BrokerError:
    return BrokerError(
        "PayloadTooLarge", f"Event {index} is larger than {MAX_EVENT_BYTES} bytes.", 413
    )


def _check_time(value: object, index: int) -> None:
    try:
        dateparser.isoparse(str(value))
    except (ValueError, OverflowError):
        raise bad_request(
            f"Event {index}: 'time' is not an RFC 3339 timestamp: {value!r}.", "InvalidCloudEvent"
        )


def validate_cloudevent(event: object, index: int = 0) -> dict:
    """Return the event if it is a valid CloudEvent 1.0 (JSON format), else raise 400."""
    if not isinstance(event, dict):
        raise bad_request(f"Event {index} is not a JSON object.", "InvalidCloudEvent")
    for name in REQUIRED:
        if not isinstance(event.get(name), str) or not event[name]:
            raise bad_request(
                f"Event {index}: required attribute '{name}' is missing or empty.",
                "InvalidCloudEvent",
            )
    if event["specversion"] != "1.0":
        raise bad_request(f"Event {index}: specversion must be '1.0'.", "InvalidCloudEvent")
    if "data" in event and "data_base64" in event:
        raise bad_request(
            f"Event {index}: 'data' and 'data_base64' are exclusive.", "InvalidCloudEvent"
        )
    if "data_base64" in event:
        try:
            base64.b64decode(str(event["data_base64"]), validate=True)
        except binascii.Error:
            raise bad_request(f"Event {index}: 'data_base64' is not base64.", "InvalidCloudEvent")
    if "time" in event:
        _check_time(event["time"], index)
    for name in event.keys() - STANDARD:
        if not EXTENSION_RE.match(name):
            raise bad_request(
                f"Event {index}: extension attribute name '{name}' must be 1-20 lowercase letters or digits.",
                "InvalidCloudEvent",
            )
    if len(json.dumps(event).encode()) > MAX_EVENT_BYTES:
        raise _too_big(event, index)
    return event


def parse_json_body(body: bytes) -> object:
    try:
        return json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"The request body is not valid JSON: {exc}.", "InvalidJson")


def events_from_structured(body: bytes, batch: bool) -> list[dict]:
    parsed = parse_json_body(body)
    if batch:
        if not isinstance(parsed, list):
            raise bad_request("A cloudevents-batch body must be a JSON array.", "InvalidCloudEvent")
        if not parsed:
            raise bad_request("The batch is empty.", "InvalidCloudEvent")
        return [validate_cloudevent(e, i) for i, e in enumerate(parsed)]
    return [validate_cloudevent(parsed)]


def event_from_binary(headers, body: bytes) -> dict:
    """HTTP binary mode: attributes in `ce-*` headers, the body is the data."""
    event: dict = {}
    for name, value in headers.items():
        if name.lower().startswith("ce-"):
            event[name[3:].lower()] = unquote(value)
    content_type = headers.get("Content-Type", "")
    if content_type:
        event["datacontenttype"] = content_type
    if body:
        media = content_type.split(";")[0].strip().lower()
        if media == "application/json" or media.endswith("+json"):
            event["data"] = parse_json_body(body)
        elif media.startswith("text/"):
            event["data"] = body.decode("utf-8", errors="replace")
        else:
            event["data_base64"] = base64.b64encode(body).decode()
    return validate_cloudevent(event)


def events_from_eventgrid_schema(body: bytes, topic: EventGridTopic) -> list[dict]:
    parsed = parse_json_body(body)
    if not isinstance(parsed, list) or not parsed:
        raise bad_request("The body must be a non-empty JSON array of events.", "InvalidEvent")
    out = []
    for i, e in enumerate(parsed):
        if not isinstance(e, dict):
            raise bad_request(f"Event {i} is not a JSON object.", "InvalidEvent")
        missing = [k for k in EG_REQUIRED if k not in e or e[k] is None]
        if missing:
            raise bad_request(
                f"Event {i}: required properties missing: {', '.join(missing)}.", "InvalidEvent"
            )
        _check_time(e["eventTime"], i)
        ce = {
            "id": str(e["id"]),
            "source": f"/namespaces/{topic.namespace.name}/topics/{topic.name}",
            "type": str(e["eventType"]),
            "specversion": "1.0",
            "subject": str(e["subject"]),
            "time": str(e["eventTime"]),
            "data": e["data"],
            "dataversion": str(e["dataVersion"]),
        }
        out.append(validate_cloudevent(ce, i))
    return out


def publish(topic: EventGridTopic, events: list[dict], now: datetime) -> int:
    """Store each event once per subscription whose filters match it."""
    subscriptions = list(topic.subscriptions.all())
    rows = []
    for event in events:
        body = json.dumps(event, separators=(",", ":")).encode()
        for channel in subscriptions:
            if egfilters.matches(channel.filters, event):
                rows.append(
                    store.new_message(
                        channel,
                        now,
                        body=body,
                        message_id=event["id"],
                        subject=str(event.get("subject") or "")[:1000],
                        content_type="application/cloudevents+json",
                    )
                )
    store.enqueue(rows)
    subscribers.notify_channels({m.channel for m in rows})
    return len(rows)


def delivery(message) -> dict:
    return {
        "brokerProperties": {
            "lockToken": message.lock_token,
            "deliveryCount": message.delivery_count,
        },
        "event": json.loads(bytes(message.body)),
    }


def dead_letter_view(message) -> dict:
    """A dead-lettered event as the browsable store shows it (CloudEvents names)."""
    event = json.loads(bytes(message.body))
    return {
        "sequenceNumber": message.id,
        "event": event,
        "deadletterreason": message.dead_letter_reason,
        "deadletterdescription": message.dead_letter_description,
        "deliveryattempts": message.delivery_count,
        "lastdeliveryoutcome": message.last_outcome,
        "publishtime": message.enqueued_at.isoformat(),
        "lastdeliveryattempttime": message.last_attempt_at.isoformat()
        if message.last_attempt_at
        else None,
    }


def release_delay(raw: str | None) -> int:
    if raw in (None, ""):
        return 0
    try:
        delay = int(raw)
    except ValueError:
        delay = -1
    if delay not in (0, 10, 60, 600, 3600):
        raise bad_request(
            "releaseDelayInSeconds must be one of 0, 10, 60, 600, 3600.", "InvalidReleaseDelay"
        )
    return delay


def lock_tokens(body: bytes) -> list:
    parsed = parse_json_body(body)
    tokens = parsed.get("lockTokens") if isinstance(parsed, dict) else None
    if not isinstance(tokens, list) or not tokens:
        raise bad_request(
            'The body must be {"lockTokens": ["…", …]} with at least one token.',
            "InvalidLockTokens",
        )
    if len(tokens) > 100:
        raise bad_request("At most 100 lock tokens per request.", "InvalidLockTokens")
    return tokens


def is_queue(channel: Channel) -> None:
    if channel.delivery_mode != Channel.DeliveryMode.QUEUE:
        raise bad_request(
            "This event subscription uses push delivery; it cannot be received from.",
            "NotQueueMode",
        )
