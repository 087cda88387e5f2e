"""Internal subscribers: how code outside the broker (workflow triggers) consumes
channels and consumer groups without the broker knowing what it is.

A subscriber kind registers a `Subscriber` object. On every tick the broker calls
`sync(now)` (let the subscriber create/remove the channels it needs), then
`deliver(channel, now)` for each channel whose `subscriber` field names the kind,
and `deliver_hub(group, now)` for each consumer group likewise. The subscriber
uses the ordinary store functions (`receive`, `complete`, …) inside its own
transactions, so "event accepted" and "work created" commit together.

Deliver on publish: when a publish/send commits into a channel or hub that an
internal subscriber owns, `notify_*` delivers right away in the publishing
process (after commit, errors logged), so a trigger fires in milliseconds rather
than at the next tick; the tick remains the safety net. Turn it off with
`SLUICE_BROKER_DELIVER_ON_PUBLISH = False`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from broker.models import Channel, ConsumerGroup

log = logging.getLogger(__name__)


class Subscriber:
    kind: str = ""

    def sync(self, now: datetime) -> None:
        """Create or delete the broker channels this subscriber needs."""

    def deliver(self, channel: Channel, now: datetime) -> int:
        return 0

    def deliver_hub(self, group: ConsumerGroup, now: datetime) -> int:
        return 0


_SUBSCRIBERS: dict[str, Subscriber] = {}


def register(subscriber: Subscriber) -> Subscriber:
    _SUBSCRIBERS[subscriber.kind] = subscriber
    return subscriber


def registered() -> dict[str, Subscriber]:
    return dict(_SUBSCRIBERS)


def get(kind: str) -> Subscriber | None:
    return _SUBSCRIBERS.get(kind)


def ensure_loaded() -> None:
    """Subscribers register when the connector modules are imported."""
    try:
        from connectors import registry

        registry.all_connectors()
    except Exception:  # a broken connector must not stop the broker
        log.exception("loading connectors failed; internal subscribers may be missing")


def _enabled() -> bool:
    return getattr(settings, "SLUICE_BROKER_DELIVER_ON_PUBLISH", True)


def _deliver_channels(channels: list[Channel]) -> None:
    for channel in channels:
        sub = _SUBSCRIBERS.get(channel.subscriber)
        try:
            if sub is not None:
                sub.deliver(channel, timezone.now())
        except Exception:  # the tick retries
            log.exception("deliver-on-publish to %s failed", channel)


def notify_channels(channels) -> None:
    owned = {c.id: c for c in channels if c.subscriber}
    if owned and _enabled():
        ensure_loaded()
        transaction.on_commit(lambda: _deliver_channels(list(owned.values())))


def _deliver_groups(groups: list[ConsumerGroup]) -> None:
    for group in groups:
        sub = _SUBSCRIBERS.get(group.subscriber)
        try:
            if sub is not None:
                sub.deliver_hub(group, timezone.now())
        except Exception:  # the tick retries
            log.exception("deliver-on-publish to consumer group %s failed", group)


def notify_hub(hub) -> None:
    if not _enabled():
        return
    groups = list(
        ConsumerGroup.objects.filter(hub=hub).exclude(subscriber="").select_related("hub")
    )
    if groups:
        ensure_loaded()
        transaction.on_commit(lambda: _deliver_groups(groups))
