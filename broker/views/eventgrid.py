"""Event Grid namespace data plane (api-version 2024-06-01) and the basic-tier
`/api/events` endpoint. Paths, bodies and status codes follow what
azure-eventgrid 4.22 sends and parses (see azure-sdk-wire.md §1)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from broker.services import entities, eventgrid, store
from broker.services.errors import bad_request
from broker.views.common import data_plane, int_param, long_poll_view, ok, require_api_version


def _media(request) -> str:
    return request.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _events(request) -> list[dict]:
    media = _media(request)
    if media == "application/cloudevents-batch+json":
        return eventgrid.events_from_structured(request.body, batch=True)
    if media.startswith("application/cloudevents"):
        return eventgrid.events_from_structured(request.body, batch=False)
    if "ce-id" in request.headers or "ce-specversion" in request.headers:
        return [eventgrid.event_from_binary(request.headers, request.body)]
    raise bad_request(
        "Send application/cloudevents+json, application/cloudevents-batch+json, "
        "or a binary-mode CloudEvent with ce-* headers.",
        "UnsupportedMediaType",
    )


@data_plane
def publish(request, ns, now, topic: str):
    require_api_version(request)
    if request.method != "POST":
        raise bad_request("Use POST.", "MethodNotAllowed")
    target = entities.get_eg_topic(ns, topic)
    eventgrid.publish(target, _events(request), now)
    return ok({})


@data_plane
def basic_publish(request, ns, now, topic: str | None = None):
    """Basic tier: Event Grid schema (JSON array) or CloudEvents; 200 only."""
    if request.method != "POST":
        raise bad_request("Use POST.", "MethodNotAllowed")
    name = topic or getattr(settings, "SLUICE_EVENTGRID_DEFAULT_TOPIC", "default")
    target = entities.get_eg_topic(ns, name)
    if _media(request).startswith("application/cloudevents") or "ce-id" in request.headers:
        events = _events(request)
    else:
        events = eventgrid.events_from_eventgrid_schema(request.body, target)
    eventgrid.publish(target, events, now)
    return ok({})


def _subscription(ns, topic: str, subscription: str):
    return entities.get_event_subscription(entities.get_eg_topic(ns, topic), subscription)


def _prepare_receive(request, ns, now, topic: str, subscription: str) -> dict:
    require_api_version(request)
    if request.method != "POST":
        raise bad_request("Use POST.", "MethodNotAllowed")
    channel = _subscription(ns, topic, subscription)
    eventgrid.is_queue(channel)
    return {
        "channel": channel,
        "max": int_param(request, "maxEvents", 1, 1, 100),
        "wait": int_param(request, "maxWaitTime", 60, 0, 120),
    }


def _attempt_receive(state: dict) -> list:
    return store.receive(state["channel"], timezone.now(), state["max"])


def _render_receive(state: dict, messages: list):
    return ok({"value": [eventgrid.delivery(m) for m in messages or []]})


receive = long_poll_view(_prepare_receive, _attempt_receive, _render_receive)

SETTLE = {
    "acknowledge": store.complete,
    "reject": store.reject,
    "renewLock": lambda channel, token, now: store.renew(
        channel, token, now, store.EG_RENEW_WINDOW
    ),
}


@data_plane
def settle(request, ns, now, topic: str, subscription: str, action: str):
    require_api_version(request)
    if request.method != "POST":
        raise bad_request("Use POST.", "MethodNotAllowed")
    channel = _subscription(ns, topic, subscription)
    eventgrid.is_queue(channel)
    tokens = eventgrid.lock_tokens(request.body)
    if action == "release":
        delay = eventgrid.release_delay(request.GET.get("releaseDelayInSeconds"))
        result = store.settle(channel, tokens, now, store.abandon, delay_seconds=delay)
    else:
        result = store.settle(channel, tokens, now, SETTLE[action])
    return ok({"succeededLockTokens": result.succeeded, "failedLockTokens": result.failed})


@data_plane
def dead_letters(request, ns, now, topic: str, subscription: str):
    channel = _subscription(ns, topic, subscription)
    start = int_param(request, "fromSequenceNumber", 0, 0, 2**62)
    count = int_param(request, "maxEvents", 100, 1, 1000)
    messages = store.peek(channel, start, count, dead_letter=True)
    return ok({"value": [eventgrid.dead_letter_view(m) for m in messages]})
