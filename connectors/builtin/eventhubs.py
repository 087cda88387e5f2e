"""Event Hubs for workflows (`/serviceProviders/eventHub`, spec §1.8): the
`receiveEvents` trigger and the `sendEvent` / `sendEvents` actions.

Trigger parameters: `eventHubName`, `consumerGroup` (default `$Default`),
`maxEventsPerRun` (default 100), `startFrom` (`earliest` default | `latest`, used
only when no checkpoint exists).

Delivery, per partition, each tick: if no batch is in flight, read the events
after the checkpoint, create one run with `{"body": [event, …]}` and mark the
batch in flight (holder = run id) in the same transaction — a compare-and-set on
the checkpoint row, so two schedulers cannot both claim it. When that run
*succeeds*, the checkpoint advances to the batch's last sequence number. When it
fails, the same batch is retried in a new run, up to `MAX_ATTEMPTS` runs, then
skipped (logged) so one poison batch cannot stall the partition forever.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import Field

from broker.models import Checkpoint, ConsumerGroup, HubEvent, Partition
from broker.services import entities, eventhubs, subscribers
from broker.services.errors import BrokerError
from connectors.base import ActionContext, Connector
from connectors.builtin.eventgrid import (
    ServiceProviderInputs,
    TriggerOnly,
    TriggerRef,
    broker_error,
    provider_triggers,
    start_runs,
    workflow_of,
)
from connectors.registry import register, register_trigger

log = logging.getLogger("sluice.broker.workflows")
PROVIDER = "eventHub"
MAX_ATTEMPTS = 3
FAILED = {"Failed", "Cancelled", "TimedOut", "Aborted"}


def event_output(e: HubEvent, partition: Partition) -> dict:
    raw = bytes(e.body)
    try:
        content: str = raw.decode("utf-8")
    except UnicodeDecodeError:
        content = base64.b64encode(raw).decode()
    return {
        "contentData": content,
        "properties": e.properties,
        "partitionId": str(partition.index),
        "systemProperties": {
            "SequenceNumber": e.sequence_number,
            "Offset": str(e.offset),
            "EnqueuedTimeUtc": e.enqueued_at.isoformat(),
            "PartitionKey": e.partition_key or None,
        },
    }


class WorkflowEventHubs(subscribers.Subscriber):
    kind = "workflow-eventhubs"

    def sync(self, now: datetime) -> None:
        wanted: set[int] = set()
        for ref in provider_triggers(PROVIDER, {"receiveEvents"}):
            group = self._group(ref)
            if group is not None:
                wanted.add(group.id)
        ConsumerGroup.objects.filter(subscriber=self.kind).exclude(id__in=wanted).update(
            subscriber="", subscriber_config={}
        )

    def _group(self, ref: TriggerRef) -> ConsumerGroup | None:
        params = ref.parameters
        try:
            ns = entities.get_namespace(params.get("namespace"))
            name = str(params.get("eventHubName", ""))
            hub = ns.hubs.filter(name=name).first() or entities.create_hub(ns, name)
            cg_name = str(params.get("consumerGroup") or "$Default")
            group = hub.consumer_groups.filter(
                name=cg_name
            ).first() or entities.create_consumer_group(hub, cg_name)
        except BrokerError as exc:
            log.warning("Event Hubs trigger %s: %s", ref.key, exc.message)
            return None
        config = {
            "workflow": ref.workflow.id,
            "trigger": ref.name,
            "batch": max(1, min(int(params.get("maxEventsPerRun") or 100), 1000)),
            "startFrom": params.get("startFrom") or "earliest",
        }
        if group.subscriber != self.kind or group.subscriber_config != config:
            ConsumerGroup.objects.filter(id=group.id).update(
                subscriber=self.kind, subscriber_config=config
            )
        return group

    def deliver_hub(self, group: ConsumerGroup, now: datetime) -> int:
        workflow = workflow_of(group.subscriber_config)
        if workflow is None:
            return 0
        started = 0
        for partition in group.hub.partitions.order_by("index"):
            checkpoint = self._checkpoint(group, partition)
            if checkpoint.inflight_holder:
                self._finish(checkpoint)
            else:
                started += self._start(group, partition, checkpoint, workflow)
        return started

    @staticmethod
    def _checkpoint(group: ConsumerGroup, partition: Partition) -> Checkpoint:
        start = -1
        if group.subscriber_config.get("startFrom") == "latest":
            start = partition.next_sequence_number - 1
        with transaction.atomic():
            cp, _ = Checkpoint.objects.get_or_create(
                consumer_group=group, partition=partition, defaults={"sequence_number": start}
            )
        return cp

    def _start(self, group, partition, checkpoint: Checkpoint, workflow, attempt: int = 1) -> int:
        config = group.subscriber_config
        events = list(
            HubEvent.objects.filter(
                partition=partition, sequence_number__gt=checkpoint.sequence_number
            ).order_by("sequence_number")[: config["batch"]]
        )
        if not events:
            return 0
        with transaction.atomic():
            claimed = Checkpoint.objects.filter(
                id=checkpoint.id, inflight_holder="", sequence_number=checkpoint.sequence_number
            ).update(
                inflight_holder="claiming", inflight_sequence_number=events[-1].sequence_number
            )
            if not claimed:
                return 0
            runs = start_runs(
                workflow,
                config["trigger"],
                {"headers": {}, "body": [event_output(e, partition) for e in events]},
            )
            if not runs:
                Checkpoint.objects.filter(id=checkpoint.id).update(
                    inflight_holder="",
                    sequence_number=events[-1].sequence_number,
                    offset=events[-1].offset,
                    inflight_sequence_number=None,
                )
                return 0
            Checkpoint.objects.filter(id=checkpoint.id).update(
                inflight_holder=f"run:{runs[0].id}#{attempt}"
            )
        return 1

    def _finish(self, checkpoint: Checkpoint) -> None:
        from workflows.models import Run

        holder = checkpoint.inflight_holder
        if not holder.startswith("run:"):
            return
        run_id, _, attempt = holder[4:].partition("#")
        status = Run.objects.filter(id=run_id).values_list("status", flat=True).first()
        if status == "Succeeded" or (status in FAILED and int(attempt or 1) >= MAX_ATTEMPTS):
            if status != "Succeeded":
                log.warning(
                    "Event Hubs batch up to %s skipped after %s failed runs",
                    checkpoint.inflight_sequence_number,
                    attempt,
                )
            self._advance(checkpoint, holder)
        elif status in FAILED or status is None:
            self._retry(checkpoint, holder, int(attempt or 1))

    @staticmethod
    def _advance(checkpoint: Checkpoint, holder: str) -> None:
        last = HubEvent.objects.filter(
            partition_id=checkpoint.partition_id,
            sequence_number=checkpoint.inflight_sequence_number,
        ).first()
        Checkpoint.objects.filter(id=checkpoint.id, inflight_holder=holder).update(
            sequence_number=checkpoint.inflight_sequence_number,
            offset=last.offset if last else checkpoint.offset,
            inflight_holder="",
            inflight_sequence_number=None,
        )

    def _retry(self, checkpoint: Checkpoint, holder: str, attempt: int) -> None:
        if Checkpoint.objects.filter(id=checkpoint.id, inflight_holder=holder).update(
            inflight_holder="", inflight_sequence_number=None
        ):
            checkpoint.refresh_from_db()
            group = checkpoint.consumer_group
            workflow = workflow_of(group.subscriber_config)
            if workflow is not None:
                self._start(group, checkpoint.partition, checkpoint, workflow, attempt + 1)


subscribers.register(WorkflowEventHubs())


class TriggerInputs(ServiceProviderInputs):
    eventHubName: str
    consumerGroup: str | None = None
    maxEventsPerRun: int | None = None
    startFrom: str | None = None
    namespace: str | None = None
    connection: str | None = None


@register_trigger
class ReceiveEvents(TriggerOnly):
    kind = f"ServiceProvider/{PROVIDER}/receiveEvents"
    title = "When events are available in Event hub"
    description = "Starts a run per batch of events; checkpoints after the run succeeds."
    Inputs = TriggerInputs


# --- actions ----------------------------------------------------------------------------


class EventData(ServiceProviderInputs):
    contentData: Any = None
    properties: dict = Field(default_factory=dict)


class SendInputs(ServiceProviderInputs):
    eventHubName: str
    eventData: EventData | None = None
    eventDatas: list[EventData] | None = None
    partitionKey: str | None = None
    partitionId: str | None = None
    namespace: str | None = None
    connection: str | None = None


def _body(content: Any) -> bytes:
    if content is None:
        return b""
    return content.encode() if isinstance(content, str) else json.dumps(content).encode()


@register
class SendEvent(Connector):
    kind = f"ServiceProvider/{PROVIDER}/sendEvent"
    title = "Send an event to Event Hubs"
    Inputs = SendInputs

    def run(self, inputs: SendInputs, context: ActionContext) -> Any:
        datas = inputs.eventDatas or ([inputs.eventData] if inputs.eventData else [])
        events = [eventhubs.Incoming(_body(d.contentData), dict(d.properties)) for d in datas]
        try:
            hub = entities.get_hub(entities.get_namespace(inputs.namespace), inputs.eventHubName)
            sent = eventhubs.send(
                hub, events, timezone.now(), inputs.partitionKey, inputs.partitionId
            )
        except BrokerError as exc:
            raise broker_error(exc)
        return {
            "statusCode": 200,
            "body": {
                "partitionId": str(sent[0].partition.index),
                "sequenceNumbers": [e.sequence_number for e in sent],
            },
        }


@register
class SendEvents(SendEvent):
    kind = f"ServiceProvider/{PROVIDER}/sendEvents"
    title = "Send events to Event Hubs"
