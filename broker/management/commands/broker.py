"""`sluice broker …`: create and inspect broker entities, show or rotate keys, run
the MQTT bridge.

    sluice broker topic create NAME
    sluice broker subscription create TOPIC NAME [--filter JSON] [--push URL] …
    sluice broker queue create NAME [--lock-duration S] [--max-delivery-count N] …
    sluice broker sbtopic create NAME        sluice broker sbsubscription create TOPIC NAME
    sluice broker rule create TOPIC SUB NAME (--sql EXPR | --correlation JSON) [--action SQL]
    sluice broker hub create NAME --partitions N
    sluice broker consumergroup create HUB NAME
    sluice broker keys [--regenerate primary|secondary] [--json]
    sluice broker list
    sluice broker tick [--loop]       (what `sluice scheduler` calls every second)
    sluice broker mqtt --topic-filter 'sensors/#' --eventgrid-topic NAME
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from broker.services import entities, inspect
from broker.services.errors import BrokerError


def _json_arg(raw: str | None, what: str):
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise CommandError(f"{what} is not valid JSON: {exc}")


class Command(BaseCommand):
    help = "Manage the embedded broker (topics, subscriptions, queues, hubs, keys)."

    def add_arguments(self, parser):
        parser.add_argument("--namespace", default=None, help="namespace (default: 'default')")
        sub = parser.add_subparsers(dest="noun", required=True)
        self._topic(sub)
        self._subscription(sub)
        self._queue(sub)
        self._simple(sub, "sbtopic", ["name"], dup=True)
        self._simple(sub, "sbsubscription", ["topic", "name"], channel=True)
        rule = (
            sub.add_parser("rule").add_subparsers(dest="verb", required=True).add_parser("create")
        )
        for name in ("topic", "subscription", "name"):
            rule.add_argument(name)
        rule.add_argument("--sql", default="")
        rule.add_argument("--correlation", default=None)
        rule.add_argument("--action", default="")
        hub = sub.add_parser("hub").add_subparsers(dest="verb", required=True).add_parser("create")
        hub.add_argument("name")
        hub.add_argument("--partitions", type=int, default=4)
        hub.add_argument("--retention-hours", type=float, default=24)
        self._simple(sub, "consumergroup", ["hub", "name"])
        keys = sub.add_parser("keys")
        keys.add_argument("--regenerate", choices=["primary", "secondary"])
        keys.add_argument("--json", action="store_true")
        sub.add_parser("list")
        tick = sub.add_parser("tick")
        tick.add_argument(
            "--loop", action="store_true", help="tick every --interval seconds until killed"
        )
        tick.add_argument("--interval", type=float, default=1.0)
        mqtt = sub.add_parser("mqtt")
        mqtt.add_argument("--host", default="127.0.0.1")
        mqtt.add_argument("--port", type=int, default=1883)
        mqtt.add_argument("--topic-filter", action="append", required=True)
        mqtt.add_argument("--eventgrid-topic", required=True)
        mqtt.add_argument("--client-id", default="sluice-mqtt-bridge")

    @staticmethod
    def _channel_options(p) -> None:
        p.add_argument("--lock-duration", type=float, default=None, help="seconds")
        p.add_argument("--max-delivery-count", type=int, default=None)
        p.add_argument("--ttl", type=float, default=None, help="default message TTL, seconds")
        p.add_argument("--dead-letter-on-expiration", action="store_true")
        p.add_argument("--requires-session", action="store_true")
        p.add_argument("--forward-to", default="")

    def _topic(self, sub) -> None:
        p = sub.add_parser("topic").add_subparsers(dest="verb", required=True)
        create = p.add_parser("create")
        create.add_argument("name")
        create.add_argument("--retention-days", type=int, default=1)
        p.add_parser("delete").add_argument("name")

    def _subscription(self, sub) -> None:
        p = sub.add_parser("subscription").add_subparsers(dest="verb", required=True)
        create = p.add_parser("create")
        create.add_argument("topic")
        create.add_argument("name")
        create.add_argument(
            "--filter", default=None, help="filters JSON (includedEventTypes, filters[])"
        )
        create.add_argument("--push", default="", help="webhook URL for push delivery")
        create.add_argument(
            "--schema",
            default="CloudEventSchemaV1_0",
            choices=["CloudEventSchemaV1_0", "EventGridSchema"],
            help="push delivery schema",
        )
        create.add_argument(
            "--max-events-per-batch", type=int, default=1, help="push batching (1..5000)"
        )
        create.add_argument("--lock-duration", type=float, default=60)
        create.add_argument("--max-delivery-count", type=int, default=10)
        create.add_argument(
            "--ttl", type=float, default=24 * 3600, help="event time to live, seconds"
        )

    def _queue(self, sub) -> None:
        p = sub.add_parser("queue").add_subparsers(dest="verb", required=True)
        create = p.add_parser("create")
        create.add_argument("name")
        self._channel_options(create)
        create.add_argument(
            "--duplicate-detection", type=float, default=None, help="window, seconds"
        )
        p.add_parser("delete").add_argument("name")

    def _simple(
        self, sub, noun: str, args: list[str], dup: bool = False, channel: bool = False
    ) -> None:
        create = (
            sub.add_parser(noun).add_subparsers(dest="verb", required=True).add_parser("create")
        )
        for name in args:
            create.add_argument(name)
        if dup:
            create.add_argument("--duplicate-detection", type=float, default=None)
        if channel:
            self._channel_options(create)

    def handle(self, *args, **opts):
        ns = entities.get_namespace(opts["namespace"])
        try:
            result = getattr(self, f"do_{opts['noun']}")(ns, opts)
        except BrokerError as exc:
            raise CommandError(f"{exc.code}: {exc.message}")
        if result is not None:
            self.stdout.write(
                result if isinstance(result, str) else json.dumps(result, indent=2, default=str)
            )

    @staticmethod
    def _options(opts) -> dict:
        mapping = {
            "lock_duration": "lock_duration_seconds",
            "max_delivery_count": "max_delivery_count",
            "ttl": "default_ttl_seconds",
            "forward_to": "forward_to",
        }
        out = {
            model: opts[cli] for cli, model in mapping.items() if opts.get(cli) not in (None, "")
        }
        for flag in ("dead_letter_on_expiration", "requires_session"):
            if opts.get(flag):
                out[flag] = True
        if opts.get("duplicate_detection") is not None:
            out["requires_duplicate_detection"] = True
            out["duplicate_window_seconds"] = opts["duplicate_detection"]
        return out

    def do_topic(self, ns, opts):
        if opts["verb"] == "delete":
            entities.get_eg_topic(ns, opts["name"]).delete()
            return f"deleted topic {opts['name']}"
        topic = entities.create_eg_topic(ns, opts["name"], opts["retention_days"])
        return f"created topic {topic.name}"

    def do_subscription(self, ns, opts):
        topic = entities.get_eg_topic(ns, opts["topic"])
        options = {
            "filters": _json_arg(opts["filter"], "--filter") or {},
            "lock_duration_seconds": opts["lock_duration"],
            "default_ttl_seconds": opts["ttl"],
        }
        if opts["max_delivery_count"] is not None:
            options["max_delivery_count"] = opts["max_delivery_count"]
        if opts["push"]:
            options.update(
                delivery_mode="Push",
                endpoint_url=opts["push"],
                delivery_schema=opts["schema"],
                max_events_per_batch=opts["max_events_per_batch"],
            )
        channel = entities.create_event_subscription(topic, opts["name"], **options)
        return f"created event subscription {channel.path}"

    def do_queue(self, ns, opts):
        if opts["verb"] == "delete":
            entities.get_queue(ns, opts["name"]).delete()
            return f"deleted queue {opts['name']}"
        queue = entities.create_queue(ns, opts["name"], **self._options(opts))
        return f"created queue {queue.name}"

    def do_sbtopic(self, ns, opts):
        topic = entities.create_sb_topic(ns, opts["name"], **self._options(opts))
        return f"created topic {topic.name}"

    def do_sbsubscription(self, ns, opts):
        topic = entities.get_sb_topic(ns, opts["topic"])
        channel = entities.create_sb_subscription(topic, opts["name"], **self._options(opts))
        return f"created subscription {channel.path}"

    def do_rule(self, ns, opts):
        topic = entities.get_sb_topic(ns, opts["topic"])
        channel = entities.get_sb_subscription(topic, opts["subscription"])
        correlation = _json_arg(opts["correlation"], "--correlation")
        rule = entities.create_rule(channel, opts["name"], opts["sql"], correlation, opts["action"])
        return f"created rule {rule.name} on {channel.path}"

    def do_hub(self, ns, opts):
        hub = entities.create_hub(ns, opts["name"], opts["partitions"], opts["retention_hours"])
        return f"created event hub {hub.name} with {hub.partition_count} partitions"

    def do_consumergroup(self, ns, opts):
        group = entities.create_consumer_group(entities.get_hub(ns, opts["hub"]), opts["name"])
        return f"created consumer group {group.name}"

    def do_keys(self, ns, opts):
        if opts["regenerate"]:
            ns = entities.regenerate_key(ns, opts["regenerate"])
        keys = {
            "namespace": ns.name,
            "primaryKey": ns.primary_key,
            "secondaryKey": ns.secondary_key,
        }
        if opts["json"]:
            return keys
        return "\n".join(f"{k}: {v}" for k, v in keys.items())

    def do_list(self, ns, opts):
        return inspect.namespace_summary(ns, timezone.now())

    def do_tick(self, ns, opts):
        import time

        from broker.ticks import tick

        while True:
            tick(timezone.now())
            if not opts["loop"]:
                return "tick done"
            time.sleep(opts["interval"])

    def do_mqtt(self, ns, opts):
        from broker.mqtt import Bridge

        topic = entities.get_eg_topic(ns, opts["eventgrid_topic"])
        bridge = Bridge(topic, opts["topic_filter"], opts["host"], opts["port"], opts["client_id"])
        self.stdout.write(f"bridging {opts['topic_filter']} -> topic {topic.name}; Ctrl-C to stop")
        bridge.run_forever()
