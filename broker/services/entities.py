"""Create, find and delete namespaces and entities. Names are validated here so
the HTTP API, the management API and the CLI refuse the same things."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import IntegrityError, transaction

from broker.models import (
    Channel,
    ConsumerGroup,
    EventGridTopic,
    EventHub,
    Namespace,
    Partition,
    Rule,
    ServiceBusTopic,
    new_key,
)
from broker.services.errors import BrokerError, bad_request, not_found

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")
ENTITY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,259}$")
RESERVED = {"api", "topics", "admin", "static", "ns", "$deadletterqueue"}


def default_namespace_name() -> str:
    return getattr(settings, "SLUICE_BROKER_NAMESPACE", "default")


def get_namespace(name: str | None = None, create: bool = True) -> Namespace:
    name = name or default_namespace_name()
    if create:
        ns, _ = Namespace.objects.get_or_create(name=name)
        return ns
    try:
        return Namespace.objects.get(name=name)
    except Namespace.DoesNotExist:
        raise not_found("Namespace", name)


def regenerate_key(namespace: Namespace, which: str) -> Namespace:
    if which not in ("primary", "secondary"):
        raise bad_request("Key name must be 'primary' or 'secondary'.")
    setattr(namespace, f"{which}_key", new_key())
    namespace.save(update_fields=[f"{which}_key"])
    return namespace


def check_name(name: str, pattern: re.Pattern = NAME_RE, what: str = "name") -> str:
    if not isinstance(name, str) or not pattern.match(name) or name.lower() in RESERVED:
        raise bad_request(
            f"Invalid {what} '{name}': use letters, digits, '.', '_' or '-' "
            f"(starting with a letter or digit); reserved words are refused.",
            "InvalidName",
        )
    return name


LIMITS = {
    "lock_duration_seconds": (1, 300),
    "max_delivery_count": (1, 2000),
    "default_ttl_seconds": (1, 3650 * 24 * 3600),
    "duplicate_window_seconds": (1, 7 * 24 * 3600),
    "retention_days": (1, 365),
    "retention_hours": (0.0001, 365 * 24),
    "max_events_per_batch": (1, 5000),
}


def check_limits(options: dict) -> dict:
    for key, (low, high) in LIMITS.items():
        value = options.get(key)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise bad_request(f"{key} must be a number from {low} to {high}.", "InvalidOption")
    return options


def _check_forward(ns: Namespace, name: str, options: dict) -> None:
    target = options.get("forward_to")
    if not target:
        return
    from broker.services.servicebus import resolve

    if target == name:
        raise bad_request("An entity cannot forward to itself.", "InvalidForwardTo")
    try:
        resolve(ns, target)
    except BrokerError:
        raise bad_request(f"forwardTo: no queue or topic named '{target}'.", "InvalidForwardTo")


def _create(factory, what: str, name: str):
    try:
        with transaction.atomic():
            return factory()
    except IntegrityError:
        raise BrokerError("Conflict", f"{what} '{name}' already exists.", 409)


def _entity_name_free(ns: Namespace, name: str) -> None:
    """Queues, SB topics and event hubs share the `/{entity}/messages` path space."""
    taken = (
        Channel.objects.filter(namespace=ns, kind=Channel.Kind.QUEUE, name=name).exists()
        or ServiceBusTopic.objects.filter(namespace=ns, name=name).exists()
        or EventHub.objects.filter(namespace=ns, name=name).exists()
    )
    if taken:
        raise BrokerError("Conflict", f"An entity named '{name}' already exists.", 409)


# --- Event Grid -------------------------------------------------------------------


def create_eg_topic(ns: Namespace, name: str, retention_days: int = 1) -> EventGridTopic:
    check_name(name, what="topic name")
    check_limits({"retention_days": retention_days})
    return _create(
        lambda: EventGridTopic.objects.create(
            namespace=ns, name=name, retention_days=retention_days
        ),
        "Topic",
        name,
    )


def get_eg_topic(ns: Namespace, name: str) -> EventGridTopic:
    try:
        return EventGridTopic.objects.get(namespace=ns, name=name)
    except EventGridTopic.DoesNotExist:
        raise not_found("Topic", name)


def create_event_subscription(topic: EventGridTopic, name: str, **options) -> Channel:
    from broker.services.egfilters import validate_filters

    check_name(name, what="subscription name")
    options.setdefault("dead_letter_on_expiration", True)
    options.setdefault("default_ttl_seconds", 24 * 3600)
    check_limits(options)
    if options.get("delivery_schema", "CloudEventSchemaV1_0") not in (
        "CloudEventSchemaV1_0",
        "EventGridSchema",
    ):
        raise bad_request(
            "eventDeliverySchema must be CloudEventSchemaV1_0 or EventGridSchema.", "InvalidOption"
        )
    if options.get("delivery_mode") == Channel.DeliveryMode.PUSH:
        options.setdefault("max_delivery_count", 30)
        if not str(options.get("endpoint_url", "")).startswith(("http://", "https://")):
            raise bad_request("Push delivery needs an http(s) endpoint URL.", "InvalidEndpoint")
    validate_filters(options.get("filters") or {})
    return _create(
        lambda: Channel.objects.create(
            namespace=topic.namespace,
            kind=Channel.Kind.EVENT_SUBSCRIPTION,
            eg_topic=topic,
            name=name,
            **options,
        ),
        "Event subscription",
        name,
    )


def get_event_subscription(topic: EventGridTopic, name: str) -> Channel:
    try:
        return Channel.objects.select_related("eg_topic").get(
            kind=Channel.Kind.EVENT_SUBSCRIPTION, eg_topic=topic, name=name
        )
    except Channel.DoesNotExist:
        raise not_found("Event subscription", name)


# --- Service Bus ------------------------------------------------------------------


def create_queue(ns: Namespace, name: str, **options) -> Channel:
    check_name(name, ENTITY_RE, "queue name")
    check_limits(options)
    _entity_name_free(ns, name)
    _check_forward(ns, name, options)
    return _create(
        lambda: Channel.objects.create(namespace=ns, kind=Channel.Kind.QUEUE, name=name, **options),
        "Queue",
        name,
    )


def get_queue(ns: Namespace, name: str) -> Channel:
    try:
        return Channel.objects.get(namespace=ns, kind=Channel.Kind.QUEUE, name=name)
    except Channel.DoesNotExist:
        raise not_found("Queue", name)


def create_sb_topic(ns: Namespace, name: str, **options) -> ServiceBusTopic:
    check_name(name, ENTITY_RE, "topic name")
    check_limits(options)
    _entity_name_free(ns, name)
    return _create(
        lambda: ServiceBusTopic.objects.create(namespace=ns, name=name, **options), "Topic", name
    )


def get_sb_topic(ns: Namespace, name: str) -> ServiceBusTopic:
    try:
        return ServiceBusTopic.objects.get(namespace=ns, name=name)
    except ServiceBusTopic.DoesNotExist:
        raise not_found("Topic", name)


def create_sb_subscription(topic: ServiceBusTopic, name: str, **options) -> Channel:
    check_name(name, what="subscription name")
    check_limits(options)
    _check_forward(topic.namespace, "", options)
    options.setdefault("default_ttl_seconds", topic.default_ttl_seconds)

    def make() -> Channel:
        channel = Channel.objects.create(
            namespace=topic.namespace,
            kind=Channel.Kind.SUBSCRIPTION,
            sb_topic=topic,
            name=name,
            **options,
        )
        Rule.objects.create(channel=channel, name="$Default", sql_filter="1=1")
        return channel

    return _create(make, "Subscription", name)


def get_sb_subscription(topic: ServiceBusTopic, name: str) -> Channel:
    try:
        return Channel.objects.select_related("sb_topic").get(
            kind=Channel.Kind.SUBSCRIPTION, sb_topic=topic, name=name
        )
    except Channel.DoesNotExist:
        raise not_found("Subscription", name)


def create_rule(
    channel: Channel,
    name: str,
    sql_filter: str = "",
    correlation_filter: dict | None = None,
    sql_action: str = "",
) -> Rule:
    from broker.services import sqlfilter

    check_name(name.lstrip("$"), what="rule name")
    if bool(sql_filter) == bool(correlation_filter):
        raise bad_request("A rule needs exactly one of sqlFilter or correlationFilter.")
    if sql_filter:
        sqlfilter.parse(sql_filter)
    if sql_action:
        sqlfilter.parse_action(sql_action)
    if correlation_filter is not None and not isinstance(correlation_filter, dict):
        raise bad_request("correlationFilter must be a JSON object.")
    return _create(
        lambda: Rule.objects.create(
            channel=channel,
            name=name,
            sql_filter=sql_filter,
            correlation_filter=correlation_filter,
            sql_action=sql_action,
        ),
        "Rule",
        name,
    )


# --- Event Hubs -------------------------------------------------------------------


def create_hub(
    ns: Namespace, name: str, partitions: int = 4, retention_hours: float = 24
) -> EventHub:
    check_name(name, ENTITY_RE, "event hub name")
    if not isinstance(partitions, int) or not 1 <= partitions <= 1024:
        raise bad_request("partitions must be an integer from 1 to 1024.")
    check_limits({"retention_hours": retention_hours})
    _entity_name_free(ns, name)

    def make() -> EventHub:
        hub = EventHub.objects.create(
            namespace=ns, name=name, partition_count=partitions, retention_hours=retention_hours
        )
        Partition.objects.bulk_create(Partition(hub=hub, index=i) for i in range(partitions))
        ConsumerGroup.objects.create(hub=hub, name="$Default")
        return hub

    return _create(make, "Event hub", name)


def get_hub(ns: Namespace, name: str) -> EventHub:
    try:
        return EventHub.objects.get(namespace=ns, name=name)
    except EventHub.DoesNotExist:
        raise not_found("Event hub", name)


def create_consumer_group(hub: EventHub, name: str) -> ConsumerGroup:
    check_name(name.lstrip("$"), what="consumer group name")
    return _create(lambda: ConsumerGroup.objects.create(hub=hub, name=name), "Consumer group", name)


def get_consumer_group(hub: EventHub, name: str) -> ConsumerGroup:
    try:
        return ConsumerGroup.objects.get(hub=hub, name=name)
    except ConsumerGroup.DoesNotExist:
        raise not_found("Consumer group", name)
