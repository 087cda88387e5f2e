"""Read-only summaries (counts, backlog, dead-letter) for the CLI and management API."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max, Min

from broker.models import Channel, ConsumerGroup, EventHub, Namespace
from broker.services import store


def channel_summary(channel: Channel, now: datetime) -> dict:
    out = {
        "name": channel.name,
        "path": channel.path,
        "kind": channel.kind,
        "lockDurationInSeconds": channel.lock_duration_seconds,
        "maxDeliveryCount": channel.max_delivery_count,
        "defaultTimeToLiveInSeconds": channel.default_ttl_seconds,
        "deadLetteringOnMessageExpiration": channel.dead_letter_on_expiration,
        "requiresSession": channel.requires_session,
        "requiresDuplicateDetection": channel.requires_duplicate_detection,
        "forwardTo": channel.forward_to,
        "counts": store.counts(channel, now),
    }
    if channel.kind == Channel.Kind.EVENT_SUBSCRIPTION:
        out.update(
            deliveryMode=channel.delivery_mode,
            endpointUrl=channel.endpoint_url,
            filters=channel.filters,
            subscriber=channel.subscriber,
        )
    if channel.kind == Channel.Kind.SUBSCRIPTION:
        out["rules"] = [rule_summary(r) for r in channel.rules.order_by("name")]
    return out


def rule_summary(rule) -> dict:
    return {
        "name": rule.name,
        "sqlFilter": rule.sql_filter,
        "correlationFilter": rule.correlation_filter,
        "sqlAction": rule.sql_action,
    }


def hub_summary(hub: EventHub) -> dict:
    partitions = []
    for p in hub.partitions.order_by("index"):
        bounds = p.events.aggregate(first=Min("sequence_number"), last=Max("sequence_number"))
        partitions.append(
            {
                "id": str(p.index),
                "beginSequenceNumber": bounds["first"] if bounds["first"] is not None else -1,
                "lastEnqueuedSequenceNumber": p.next_sequence_number - 1,
                "lastEnqueuedOffset": str(p.next_offset - 1) if p.next_sequence_number else "-1",
                "isEmpty": bounds["first"] is None,
            }
        )
    return {
        "name": hub.name,
        "partitionCount": hub.partition_count,
        "partitionIds": [str(i) for i in range(hub.partition_count)],
        "retentionHours": hub.retention_hours,
        "createdAt": hub.created_at.isoformat(),
        "partitions": partitions,
        "consumerGroups": [g.name for g in hub.consumer_groups.order_by("name")],
    }


def consumer_group_summary(group: ConsumerGroup) -> dict:
    return {
        "name": group.name,
        "checkpoints": [
            {
                "partition": str(c.partition.index),
                "sequenceNumber": c.sequence_number,
                "offset": c.offset,
            }
            for c in group.checkpoints.select_related("partition").order_by("partition__index")
        ],
    }


def namespace_summary(ns: Namespace, now: datetime) -> dict:
    channels = Channel.objects.filter(namespace=ns).select_related("eg_topic", "sb_topic")
    return {
        "namespace": ns.name,
        "eventGridTopics": [t.name for t in ns.eg_topics.order_by("name")],
        "serviceBusTopics": [t.name for t in ns.sb_topics.order_by("name")],
        "channels": [channel_summary(c, now) for c in channels.order_by("kind", "name")],
        "eventHubs": [hub_summary(h) for h in ns.hubs.order_by("name")],
    }
