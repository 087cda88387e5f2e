"""Creates the entities the AMQP tests use, in the server's own database.

Run in a subprocess (`python -m tests.amqp.entities_setup`) with SLUICE_DATA_DIR
pointing at the listener's data directory: the listener is a separate process
with its own SQLite file, so the test process's Django test database is not it.
"""

from __future__ import annotations

import os


def create() -> None:
    from broker.models import Rule
    from broker.services import entities

    ns = entities.get_namespace()
    for name in (
        "q-send",
        "q-batch",
        "q-complete",
        "q-abandon",
        "q-release",
        "q-dlq",
        "q-defer",
        "q-schedule",
        "q-rad",
        "q-peek",
        "q-async",
        "q-to-http",
        "q-from-http",
        "q-bench",
        "q-plain",
        "q-anonymous",
        "q-tls",
        "q-orphan",
        "q-compete",
    ):
        entities.create_queue(ns, name)
    entities.create_queue(ns, "q-sessions", requires_session=True)
    entities.create_queue(ns, "q-empty-sessions", requires_session=True)
    entities.create_queue(ns, "q-late-sessions", requires_session=True)
    entities.create_queue(ns, "q-dedup", requires_duplicate_detection=True)
    entities.create_queue(ns, "q-large")
    topic = entities.create_sb_topic(ns, "t-orders")
    entities.create_sb_subscription(topic, "all")
    events = entities.create_sb_topic(ns, "t-events")
    entities.create_sb_subscription(events, "audit")
    entities.create_sb_subscription(events, "billing")
    red = entities.create_sb_subscription(topic, "red")
    Rule.objects.filter(channel=red).delete()
    entities.create_rule(red, "only-red", sql_filter="color = 'red'")
    entities.create_hub(ns, "eh-main", partitions=4)
    entities.create_hub(ns, "eh-props", partitions=2)
    entities.create_hub(ns, "eh-async", partitions=2)
    entities.create_hub(ns, "eh-http", partitions=2)
    entities.create_hub(ns, "eh-time", partitions=1)
    entities.create_hub(ns, "eh-owners", partitions=1)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    create()
