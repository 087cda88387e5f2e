"""`tick(now)`: the broker's once-a-second housekeeping, called by `sluice scheduler`.

What it does, each step safe when two schedulers run at once (every change is a
set-based UPDATE/DELETE or a compare-and-set on a locked row):

1. TTL expiry → dead-letter (if the channel dead-letters on expiration) or drop.
2. Locks that expired after the last allowed delivery → dead-letter.
3. Push delivery to Event Grid webhook subscriptions (with retries/back-off).
4. Internal subscribers (workflow triggers): `sync`, then deliver to each channel
   and consumer group they own.
5. Cleanup: duplicate-detection records past their window, sessions without
   messages or state, Event Hubs events past retention.

Scheduled enqueue, release delays and lock expiry need no step of their own: a
message is receivable when `available_at <= now`, and all three just set that
column.
"""

from __future__ import annotations

import logging
from datetime import datetime

from broker.models import Channel, ConsumerGroup
from broker.services import eventhubs, push, store, subscribers

log = logging.getLogger(__name__)


def _load_subscribers() -> None:
    """Importing the connector registry registers the workflow subscribers."""
    try:
        from connectors import registry

        registry.all_connectors()
    except Exception:
        log.exception("loading connectors failed; internal subscribers may be missing")


def _push(now: datetime) -> None:
    channels = Channel.objects.filter(delivery_mode=Channel.DeliveryMode.PUSH, subscriber="")
    for channel in channels.select_related("eg_topic"):
        if channel.endpoint_url:
            push.deliver(channel, now)


def _internal(now: datetime) -> None:
    for kind, sub in subscribers.registered().items():
        try:
            sub.sync(now)
            for channel in Channel.objects.filter(subscriber=kind).select_related(
                "eg_topic", "sb_topic"
            ):
                sub.deliver(channel, now)
            for group in ConsumerGroup.objects.filter(subscriber=kind).select_related("hub"):
                sub.deliver_hub(group, now)
        except Exception:
            log.exception("internal subscriber %s failed", kind)


def tick(now: datetime) -> None:
    subscribers.ensure_loaded()
    store.sweep_expired(now)
    store.sweep_exhausted(now)
    _push(now)
    _internal(now)
    store.sweep_duplicates(now)
    store.sweep_sessions(now)
    eventhubs.sweep_retention(now)
