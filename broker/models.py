"""Broker storage: namespaces, entities and one message table.

Design (see README.md):

* A `Namespace` holds two regenerable access keys (base64, because the Event Grid
  SDK's `generate_sas` base64-decodes the key).
* Every *consumable* queue-like thing is a `Channel`: an Event Grid event
  subscription, a Service Bus queue, or a Service Bus topic subscription. They
  share one settlement model (peek-lock, delivery count, TTL, dead-letter), so they
  share one `Message` table.
* A message is receivable when `state == active` and `available_at <= now`.
  Locking a message pushes `available_at` to the lock expiry, so an expired lock
  makes the message receivable again without any sweep; scheduled enqueue and
  release-with-delay are the same column. Every state change is a compare-and-set
  UPDATE on (`id`, `lock_token`, `available_at`), which is what makes SQLite
  (IMMEDIATE transactions) and PostgreSQL (plus `SKIP LOCKED`) equally safe.
* Event Hubs is a different animal (an append-only log read by offset), so its
  events live in `HubEvent`, numbered per partition.
"""

from __future__ import annotations

import base64
import secrets

from django.db import models


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


class Namespace(models.Model):
    name = models.SlugField(max_length=50, unique=True)
    primary_key = models.CharField(max_length=64, default=new_key)
    secondary_key = models.CharField(max_length=64, default=new_key)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class EventGridTopic(models.Model):
    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="eg_topics")
    name = models.CharField(max_length=50)
    retention_days = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["namespace", "name"], name="unique_eg_topic")
        ]

    def __str__(self) -> str:
        return self.name


class ServiceBusTopic(models.Model):
    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="sb_topics")
    name = models.CharField(max_length=260)
    default_ttl_seconds = models.FloatField(default=14 * 24 * 3600)
    requires_duplicate_detection = models.BooleanField(default=False)
    duplicate_window_seconds = models.FloatField(default=600)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["namespace", "name"], name="unique_sb_topic")
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """A consumable queue: EG event subscription, SB queue or SB subscription."""

    class Kind(models.TextChoices):
        EVENT_SUBSCRIPTION = "eventsubscription"
        QUEUE = "queue"
        SUBSCRIPTION = "subscription"

    class DeliveryMode(models.TextChoices):
        QUEUE = "Queue"
        PUSH = "Push"

    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=260)
    eg_topic = models.ForeignKey(
        EventGridTopic,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    sb_topic = models.ForeignKey(
        ServiceBusTopic,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    lock_duration_seconds = models.FloatField(default=60)
    max_delivery_count = models.PositiveIntegerField(default=10)
    default_ttl_seconds = models.FloatField(default=14 * 24 * 3600)
    dead_letter_on_expiration = models.BooleanField(default=False)
    requires_session = models.BooleanField(default=False)
    requires_duplicate_detection = models.BooleanField(default=False)
    duplicate_window_seconds = models.FloatField(default=600)
    forward_to = models.CharField(max_length=260, blank=True, default="")
    # Event Grid only
    filters = models.JSONField(default=dict, blank=True)
    delivery_mode = models.CharField(
        max_length=8, choices=DeliveryMode.choices, default=DeliveryMode.QUEUE
    )
    endpoint_url = models.URLField(max_length=2000, blank=True, default="")
    endpoint_validated = models.BooleanField(default=False)
    delivery_schema = models.CharField(
        max_length=24, default="CloudEventSchemaV1_0", blank=True
    )  # or "EventGridSchema" (push only)
    max_events_per_batch = models.PositiveIntegerField(default=1)  # push only, 1..5000
    # Who consumes it inside Sluice ("" = external clients; "workflow" = a trigger)
    subscriber = models.CharField(max_length=40, blank=True, default="", db_index=True)
    subscriber_config = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["namespace", "name"],
                condition=models.Q(kind="queue"),
                name="unique_queue",
            ),
            models.UniqueConstraint(
                fields=["eg_topic", "name"],
                condition=models.Q(kind="eventsubscription"),
                name="unique_event_subscription",
            ),
            models.UniqueConstraint(
                fields=["sb_topic", "name"],
                condition=models.Q(kind="subscription"),
                name="unique_sb_subscription",
            ),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        if self.kind == self.Kind.EVENT_SUBSCRIPTION:
            return f"topics/{self.eg_topic.name}/eventsubscriptions/{self.name}"
        if self.kind == self.Kind.SUBSCRIPTION:
            return f"{self.sb_topic.name}/subscriptions/{self.name}"
        return self.name


class Rule(models.Model):
    """A Service Bus subscription rule: a filter and an optional SQL action."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=50)
    sql_filter = models.TextField(blank=True, default="")
    correlation_filter = models.JSONField(null=True, blank=True)
    sql_action = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "name"], name="unique_rule")]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active"
        DEFERRED = "deferred"
        DEAD_LETTERED = "deadlettered"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="messages")
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    available_at = models.DateTimeField()
    enqueued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    lock_token = models.CharField(max_length=36, blank=True, default="", db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    first_locked_at = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(max_length=100, blank=True, default="", db_index=True)
    delivery_count = models.PositiveIntegerField(default=0)
    message_id = models.CharField(max_length=128, blank=True, default="")
    session_id = models.CharField(max_length=128, blank=True, default="")
    correlation_id = models.CharField(max_length=128, blank=True, default="")
    content_type = models.CharField(max_length=200, blank=True, default="")
    subject = models.CharField(max_length=1000, blank=True, default="")
    to = models.CharField(max_length=260, blank=True, default="")
    reply_to = models.CharField(max_length=260, blank=True, default="")
    reply_to_session_id = models.CharField(max_length=128, blank=True, default="")
    partition_key = models.CharField(max_length=128, blank=True, default="")
    properties = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(default=b"")
    dead_letter_reason = models.CharField(max_length=200, blank=True, default="")
    dead_letter_description = models.TextField(blank=True, default="")
    dead_letter_source = models.CharField(max_length=260, blank=True, default="")
    last_outcome = models.CharField(max_length=200, blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["channel", "state", "available_at", "id"], name="msg_receivable"),
            models.Index(fields=["state", "expires_at"], name="msg_expiry"),
            models.Index(fields=["state", "delivery_count"], name="msg_redelivery"),
            models.Index(fields=["channel", "session_id", "state", "id"], name="msg_session"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}#{self.id}"

    @property
    def sequence_number(self) -> int:
        return self.id


class Session(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="sessions")
    session_id = models.CharField(max_length=128)
    lock_token = models.CharField(max_length=36, blank=True, default="")
    locked_until = models.DateTimeField(null=True, blank=True)
    state = models.BinaryField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "session_id"], name="unique_session")
        ]

    def __str__(self) -> str:
        return self.session_id


class DuplicateRecord(models.Model):
    """A MessageId seen on an entity (queue or SB topic) within its window."""

    entity = models.CharField(max_length=300)
    message_id = models.CharField(max_length=128)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "message_id"], name="unique_duplicate")
        ]

    def __str__(self) -> str:
        return f"{self.entity}:{self.message_id}"


class EventHub(models.Model):
    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="hubs")
    name = models.CharField(max_length=260)
    partition_count = models.PositiveIntegerField(default=4)
    retention_hours = models.FloatField(default=24)
    round_robin = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["namespace", "name"], name="unique_hub")]

    def __str__(self) -> str:
        return self.name


class Partition(models.Model):
    hub = models.ForeignKey(EventHub, on_delete=models.CASCADE, related_name="partitions")
    index = models.PositiveIntegerField()
    next_sequence_number = models.BigIntegerField(default=0)
    next_offset = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hub", "index"], name="unique_partition")]

    def __str__(self) -> str:
        return f"{self.hub_id}/{self.index}"


class HubEvent(models.Model):
    partition = models.ForeignKey(Partition, on_delete=models.CASCADE, related_name="events")
    sequence_number = models.BigIntegerField()
    offset = models.BigIntegerField()
    enqueued_at = models.DateTimeField()
    partition_key = models.CharField(max_length=128, blank=True, default="")
    properties = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partition", "sequence_number"], name="unique_hub_seq")
        ]
        indexes = [models.Index(fields=["partition", "enqueued_at"], name="hub_event_time")]

    def __str__(self) -> str:
        return f"{self.partition_id}@{self.sequence_number}"


class ConsumerGroup(models.Model):
    hub = models.ForeignKey(EventHub, on_delete=models.CASCADE, related_name="consumer_groups")
    name = models.CharField(max_length=50)
    subscriber = models.CharField(max_length=40, blank=True, default="", db_index=True)
    subscriber_config = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hub", "name"], name="unique_cg")]

    def __str__(self) -> str:
        return self.name


class Checkpoint(models.Model):
    """Last processed position of a consumer group on a partition; `inflight_*`
    marks a batch handed to an internal subscriber and not yet confirmed."""

    consumer_group = models.ForeignKey(
        ConsumerGroup, on_delete=models.CASCADE, related_name="checkpoints"
    )
    partition = models.ForeignKey(Partition, on_delete=models.CASCADE, related_name="+")
    sequence_number = models.BigIntegerField(default=-1)
    offset = models.BigIntegerField(default=-1)
    inflight_sequence_number = models.BigIntegerField(null=True, blank=True)
    inflight_holder = models.CharField(max_length=100, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consumer_group", "partition"], name="unique_checkpoint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consumer_group_id}/{self.partition_id}@{self.sequence_number}"
