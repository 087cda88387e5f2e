"""Management REST API under `/api/v1/broker/` (DRF, authenticated by the project's
default DRF authentication/permission classes: viewers read, editors write, only
admins see or rotate the namespace keys).

Everything is in the default namespace unless `?namespace=NAME` is given.
Bodies use the Azure property names (camelCase); responses carry counts
(active, locked, scheduled, deferred, deadLettered) so backlog and dead letters
are visible without a data-plane key.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from rest_framework.response import Response
from rest_framework.views import APIView

from broker.models import Channel
from broker.services import entities, eventgrid, inspect, store
from broker.services.errors import BrokerError, bad_request
from broker.views.servicebus import message_json


def _ns(request):
    name = request.query_params.get("namespace") or None
    return entities.get_namespace(name, create=name is None)


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise bad_request("The body must be a JSON object.")
    return request.data


def _num(body: dict, key: str, default: Any, kind=float) -> Any:
    if body.get(key) is None:
        return default
    try:
        return kind(body[key])
    except (TypeError, ValueError):
        raise bad_request(f"'{key}' must be a number.")


def _flag(body: dict, key: str) -> bool | None:
    value = body.get(key)
    if value is not None and not isinstance(value, bool):
        raise bad_request(f"'{key}' must be true or false.")
    return value


def _text(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"'{key}' must be a string.")
    return value


def _name(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("name"), str):
        raise bad_request("The body must be a JSON object with a 'name'.")
    return body["name"]


def channel_options(body: dict) -> dict:
    out = {
        "lock_duration_seconds": _num(body, "lockDurationInSeconds", None),
        "max_delivery_count": _num(body, "maxDeliveryCount", None, int),
        "default_ttl_seconds": _num(body, "defaultMessageTimeToLiveInSeconds", None),
        "dead_letter_on_expiration": _flag(body, "deadLetteringOnMessageExpiration"),
        "requires_session": _flag(body, "requiresSession"),
        "forward_to": _text(body, "forwardTo"),
    }
    if body.get("duplicateDetectionHistoryTimeWindowInSeconds") is not None:
        out["requires_duplicate_detection"] = True
        out["duplicate_window_seconds"] = _num(
            body, "duplicateDetectionHistoryTimeWindowInSeconds", 600
        )
    return {k: v for k, v in out.items() if v is not None}


class BrokerSchema(AutoSchema):
    """Bodies are plain JSON objects in Azure's property names (see module doc)."""

    def get_request_serializer(self):
        return OpenApiTypes.OBJECT if self.method in ("POST", "PUT", "PATCH") else None

    def get_response_serializers(self):
        return OpenApiTypes.OBJECT

    def get_tags(self):
        return ["broker"]

    def get_operation_id(self):
        return f"broker{type(self.view).__name__}{self.method.capitalize()}"


class BrokerView(APIView):
    """Renders `BrokerError` as `{"error": {code, message}}` with its status."""

    schema = BrokerSchema()

    def handle_exception(self, exc):
        if isinstance(exc, BrokerError):
            return Response(
                {"error": {"code": exc.code, "message": exc.message}}, status=exc.status
            )
        return super().handle_exception(exc)


class Overview(BrokerView):
    def get(self, request):
        return Response(inspect.namespace_summary(_ns(request), timezone.now()))


class Keys(BrokerView):
    required_roles = {"read": "admin", "write": "admin"}  # accounts.models.Role values

    def get(self, request):
        ns = _ns(request)
        return Response(
            {"namespace": ns.name, "primaryKey": ns.primary_key, "secondaryKey": ns.secondary_key}
        )

    def post(self, request):
        ns = entities.regenerate_key(_ns(request), str(_body(request).get("key", "")))
        return Response(
            {"namespace": ns.name, "primaryKey": ns.primary_key, "secondaryKey": ns.secondary_key}
        )


# --- Event Grid -------------------------------------------------------------------


class EgTopics(BrokerView):
    def get(self, request):
        return Response(
            {"value": [self.summary(t) for t in _ns(request).eg_topics.order_by("name")]}
        )

    def post(self, request):
        name = _name(_body(request))
        topic = entities.create_eg_topic(
            _ns(request), name, _num(_body(request), "eventRetentionInDays", 1, int)
        )
        return Response(self.summary(topic), status=201)

    @staticmethod
    def summary(topic) -> dict:
        return {
            "name": topic.name,
            "eventRetentionInDays": topic.retention_days,
            "subscriptions": [c.name for c in topic.subscriptions.order_by("name")],
        }


class EgTopic(BrokerView):
    def get(self, request, topic):
        return Response(EgTopics.summary(entities.get_eg_topic(_ns(request), topic)))

    def delete(self, request, topic):
        entities.get_eg_topic(_ns(request), topic).delete()
        return Response(status=204)


class EgSubscriptions(BrokerView):
    def get(self, request, topic):
        t = entities.get_eg_topic(_ns(request), topic)
        now = timezone.now()
        return Response(
            {"value": [inspect.channel_summary(c, now) for c in t.subscriptions.order_by("name")]}
        )

    def post(self, request, topic):
        body = _body(request)
        t = entities.get_eg_topic(_ns(request), topic)
        options = {
            k: v
            for k, v in channel_options(body).items()
            if k in ("lock_duration_seconds", "max_delivery_count")
        }
        options["filters"] = body.get("filtersConfiguration") or body.get("filters") or {}
        options["default_ttl_seconds"] = _num(body, "eventTimeToLiveInSeconds", 24 * 3600)
        if body.get("deliveryMode") == "Push":
            options.update(
                delivery_mode="Push",
                endpoint_url=str(body.get("endpointUrl", "")),
                delivery_schema=str(body.get("eventDeliverySchema") or "CloudEventSchemaV1_0"),
                max_events_per_batch=_num(body, "maxEventsPerBatch", 1, int),
            )
        channel = entities.create_event_subscription(t, _name(body), **options)
        return Response(inspect.channel_summary(channel, timezone.now()), status=201)


class EgSubscription(BrokerView):
    def get(self, request, topic, sub):
        channel = entities.get_event_subscription(entities.get_eg_topic(_ns(request), topic), sub)
        return Response(inspect.channel_summary(channel, timezone.now()))

    def delete(self, request, topic, sub):
        entities.get_event_subscription(entities.get_eg_topic(_ns(request), topic), sub).delete()
        return Response(status=204)


class EgDeadLetters(BrokerView):
    def get(self, request, topic, sub):
        channel = entities.get_event_subscription(entities.get_eg_topic(_ns(request), topic), sub)
        return Response(
            {
                "value": [
                    eventgrid.dead_letter_view(m)
                    for m in store.peek(channel, 0, 1000, dead_letter=True)
                ]
            }
        )


# --- Service Bus ------------------------------------------------------------------


class Queues(BrokerView):
    def get(self, request):
        now = timezone.now()
        queues = Channel.objects.filter(namespace=_ns(request), kind=Channel.Kind.QUEUE).order_by(
            "name"
        )
        return Response({"value": [inspect.channel_summary(q, now) for q in queues]})

    def post(self, request):
        queue = entities.create_queue(
            _ns(request), _name(_body(request)), **channel_options(_body(request))
        )
        return Response(inspect.channel_summary(queue, timezone.now()), status=201)


class Queue(BrokerView):
    def get(self, request, queue):
        return Response(
            inspect.channel_summary(entities.get_queue(_ns(request), queue), timezone.now())
        )

    def delete(self, request, queue):
        entities.get_queue(_ns(request), queue).delete()
        return Response(status=204)


def _dead_letters(channel) -> Response:
    return Response(
        {"value": [message_json(m) for m in store.peek(channel, 0, 1000, dead_letter=True)]}
    )


class QueueDeadLetters(BrokerView):
    def get(self, request, queue):
        return _dead_letters(entities.get_queue(_ns(request), queue))


class SbTopics(BrokerView):
    def get(self, request):
        return Response(
            {"value": [self.summary(t) for t in _ns(request).sb_topics.order_by("name")]}
        )

    def post(self, request):
        options = {
            k: v
            for k, v in channel_options(_body(request)).items()
            if k
            in ("default_ttl_seconds", "requires_duplicate_detection", "duplicate_window_seconds")
        }
        topic = entities.create_sb_topic(_ns(request), _name(_body(request)), **options)
        return Response(self.summary(topic), status=201)

    @staticmethod
    def summary(topic) -> dict:
        return {
            "name": topic.name,
            "requiresDuplicateDetection": topic.requires_duplicate_detection,
            "subscriptions": [c.name for c in topic.subscriptions.order_by("name")],
        }


class SbTopic(BrokerView):
    def get(self, request, topic):
        return Response(SbTopics.summary(entities.get_sb_topic(_ns(request), topic)))

    def delete(self, request, topic):
        entities.get_sb_topic(_ns(request), topic).delete()
        return Response(status=204)


class SbSubscriptions(BrokerView):
    def get(self, request, topic):
        t = entities.get_sb_topic(_ns(request), topic)
        now = timezone.now()
        return Response(
            {"value": [inspect.channel_summary(c, now) for c in t.subscriptions.order_by("name")]}
        )

    def post(self, request, topic):
        t = entities.get_sb_topic(_ns(request), topic)
        channel = entities.create_sb_subscription(
            t, _name(_body(request)), **channel_options(_body(request))
        )
        return Response(inspect.channel_summary(channel, timezone.now()), status=201)


def _sb_sub(request, topic, sub):
    return entities.get_sb_subscription(entities.get_sb_topic(_ns(request), topic), sub)


class SbSubscription(BrokerView):
    def get(self, request, topic, sub):
        return Response(inspect.channel_summary(_sb_sub(request, topic, sub), timezone.now()))

    def delete(self, request, topic, sub):
        _sb_sub(request, topic, sub).delete()
        return Response(status=204)


class SbSubscriptionDeadLetters(BrokerView):
    def get(self, request, topic, sub):
        return _dead_letters(_sb_sub(request, topic, sub))


class Rules(BrokerView):
    def get(self, request, topic, sub):
        return Response(
            {
                "value": [
                    inspect.rule_summary(r)
                    for r in _sb_sub(request, topic, sub).rules.order_by("name")
                ]
            }
        )

    def post(self, request, topic, sub):
        body = _body(request)
        rule = entities.create_rule(
            _sb_sub(request, topic, sub),
            _name(body),
            str(body.get("sqlFilter") or ""),
            body.get("correlationFilter"),
            str(body.get("sqlAction") or ""),
        )
        return Response(inspect.rule_summary(rule), status=201)


class Rule(BrokerView):
    def delete(self, request, topic, sub, rule):
        deleted, _ = _sb_sub(request, topic, sub).rules.filter(name=rule).delete()
        if not deleted:
            raise BrokerError("NotFound", f"Rule '{rule}' does not exist.", 404)
        return Response(status=204)


# --- Event Hubs -------------------------------------------------------------------


class Hubs(BrokerView):
    def get(self, request):
        return Response(
            {"value": [inspect.hub_summary(h) for h in _ns(request).hubs.order_by("name")]}
        )

    def post(self, request):
        body = _body(request)
        hub = entities.create_hub(
            _ns(request),
            _name(body),
            _num(body, "partitionCount", 4, int),
            _num(body, "retentionHours", 24),
        )
        return Response(inspect.hub_summary(hub), status=201)


class Hub(BrokerView):
    def get(self, request, hub):
        return Response(inspect.hub_summary(entities.get_hub(_ns(request), hub)))

    def delete(self, request, hub):
        entities.get_hub(_ns(request), hub).delete()
        return Response(status=204)


class ConsumerGroups(BrokerView):
    def get(self, request, hub):
        h = entities.get_hub(_ns(request), hub)
        return Response(
            {
                "value": [
                    inspect.consumer_group_summary(g) for g in h.consumer_groups.order_by("name")
                ]
            }
        )

    def post(self, request, hub):
        group = entities.create_consumer_group(
            entities.get_hub(_ns(request), hub), _name(_body(request))
        )
        return Response(inspect.consumer_group_summary(group), status=201)


class ConsumerGroup(BrokerView):
    def get(self, request, hub, group):
        return Response(
            inspect.consumer_group_summary(
                entities.get_consumer_group(entities.get_hub(_ns(request), hub), group)
            )
        )

    def delete(self, request, hub, group):
        if group == "$Default":
            raise bad_request("The $Default consumer group cannot be deleted.")
        entities.get_consumer_group(entities.get_hub(_ns(request), hub), group).delete()
        return Response(status=204)
