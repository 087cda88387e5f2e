"""Event Hubs HTTP read API (a Sluice extension; Azure reads only over AMQP/Kafka)
and checkpoints. Sending is in `views/servicebus.py` (Azure's REST path
`/{hub}/messages` is shared with Service Bus).

    GET /{hub}/partitions                                      runtime information
    GET /{hub}/consumergroups/{cg}/partitions/{p}/messages     ?from=earliest|latest|checkpoint|offset:N|sequence:N|time:ISO
                                                               &inclusive=false&maxCount=100&timeout=0 (long-poll seconds)
    GET|PUT /{hub}/consumergroups/{cg}/partitions/{p}/checkpoint   {"sequenceNumber": n, "offset": o}
"""

from __future__ import annotations

import json

from django.http import HttpResponse

from broker.services import entities, eventhubs, inspect
from broker.services.errors import bad_request
from broker.views.common import data_plane, int_param, long_poll_view, ok


@data_plane
def partitions(request, ns, now, entity: str):
    return ok(inspect.hub_summary(entities.get_hub(ns, entity)))


def _prepare_read(request, ns, now, entity: str, group: str, partition: str) -> dict:
    hub = entities.get_hub(ns, entity)
    consumer_group = entities.get_consumer_group(hub, group)
    part = eventhubs.get_partition(hub, partition)
    inclusive = request.GET.get("inclusive", "false").lower() == "true"
    return {
        "partition": part,
        "position": eventhubs.resolve_position(
            part, request.GET.get("from", "earliest"), inclusive, consumer_group
        ),
        "max": int_param(request, "maxCount", 100, 1, 1000),
        "wait": int_param(request, "timeout", 0, 0, 120),
    }


def _attempt_read(state: dict) -> list:
    return eventhubs.read(state["partition"], state["position"], state["max"])


def _render_read(state: dict, events: list) -> HttpResponse:
    return ok({"value": [eventhubs.event_json(e) for e in events or []]})


read = long_poll_view(_prepare_read, _attempt_read, _render_read)


@data_plane
def checkpoint(request, ns, now, entity: str, group: str, partition: str):
    hub = entities.get_hub(ns, entity)
    consumer_group = entities.get_consumer_group(hub, group)
    part = eventhubs.get_partition(hub, partition)
    if request.method == "PUT":
        try:
            body = json.loads(request.body or b"{}")
            seq, offset = int(body["sequenceNumber"]), int(body.get("offset", -1))
            if not -(2**62) < offset < 2**62:
                raise ValueError(offset)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise bad_request('The body must be {"sequenceNumber": n, "offset": o}.')
        eventhubs.set_checkpoint(consumer_group, part, seq, offset)
    cp = eventhubs.get_checkpoint(consumer_group, part)
    if cp is None:
        return HttpResponse(status=204)
    return ok(
        {"partition": partition, "sequenceNumber": cp.sequence_number, "offset": str(cp.offset)}
    )
