"""Internal subscribers: how code outside the broker (workflow triggers) consumes
channels and consumer groups without the broker knowing what it is.

A subscriber kind registers a `Subscriber` object. On every tick the broker calls
`sync(now)` (let the subscriber create/remove the channels it needs), then
`deliver(channel, now)` for each channel whose `subscriber` field names the kind,
and `deliver_hub(group, now)` for each consumer group likewise. The subscriber
uses the ordinary store functions (`receive`, `complete`, …) inside its own
transactions, so "event accepted" and "work created" commit together.
"""

from __future__ import annotations

from datetime import datetime

from broker.models import Channel, ConsumerGroup


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
