"""Event Grid for workflows: the Event Grid trigger and the publish action.

Trigger (Sluice's built-in; Logic Apps Standard has none — spec §1.8):

    {"type": "ServiceProvider",
     "inputs": {"parameters": {"topicName": "orders", "filters": {…}},
                "serviceProviderConfiguration": {"serviceProviderId": "/serviceProviders/eventGrid",
                                                 "operationId": "receiveEvents"}}}

How it is delivered: on each broker tick (`broker/ticks.py`, every second from
`sluice scheduler`) the `WorkflowEventGrid` subscriber (1) *syncs*: every enabled
workflow's Event Grid trigger gets its own event subscription on the topic
(`wf<id>-<hash of trigger name>`, created or updated, removed with the trigger);
(2) *delivers*: it locks up to `BATCH` events and, per event, creates the run and
acknowledges the event in one transaction (`workflows.services.create_run`). One
run per event; trigger outputs `{"headers": {}, "body": <CloudEvent>}`. If run
creation fails (e.g. the waiting-run queue is full) the event is released with a
delay and redelivered, dead-lettered after the subscription's maxDeliveryCount.

This module also holds the plumbing the Service Bus and Event Hubs triggers
share: finding ServiceProvider triggers in enabled workflows and creating runs.
Pitfall: triggers import `workflows.models`/`workflows.services` lazily — a
trigger *is* the workflow side of the broker; actions never do.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, model_validator

from broker.models import Channel
from broker.services import entities, eventgrid, store, subscribers
from broker.services.errors import BrokerError
from connectors.base import ActionContext, Connector, ConnectorError, Trigger
from connectors.registry import register, register_trigger

log = logging.getLogger("sluice.broker.workflows")
PROVIDER = "eventGrid"
BATCH = 20
BUDGET_SECONDS = 2.0  # per channel per delivery call; the rest waits for the next tick
RETRY_DELAY = 10


# --- shared plumbing for the three broker connectors --------------------------------


class ServiceProviderInputs(BaseModel):
    """Accepts either the bare parameters or the WDL `{parameters, serviceProviderConfiguration}`."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("parameters"), dict):
            return {
                **data["parameters"],
                "connection": (data.get("serviceProviderConfiguration") or {}).get(
                    "connectionName"
                ),
            }
        return data


def broker_error(exc: BrokerError) -> ConnectorError:
    return ConnectorError(exc.message, code=exc.code, status_code=exc.status)


@dataclass
class TriggerRef:
    workflow: Any
    name: str
    operation: str
    parameters: dict
    spec: dict

    @property
    def key(self) -> str:
        return f"{self.workflow.id}/{self.name}"


def provider_triggers(provider: str, operations: set[str]) -> list[TriggerRef]:
    """Every trigger of an enabled workflow that uses `provider` + one of `operations`."""
    from workflows.models import Workflow

    found = []
    enabled = Workflow.objects.filter(state=Workflow.State.ENABLED, current_version__isnull=False)
    for workflow in enabled.select_related("current_version"):
        definition = workflow.current_version.definition or {}
        definition = definition.get("definition", definition)
        for name, spec in (definition.get("triggers") or {}).items():
            ref = _match(workflow, name, spec, provider, operations)
            if ref is not None:
                found.append(ref)
    return found


def _match(
    workflow, name: str, spec: Any, provider: str, operations: set[str]
) -> TriggerRef | None:
    if not isinstance(spec, dict) or str(spec.get("type", "")).lower() != "serviceprovider":
        return None
    inputs = spec.get("inputs") or {}
    config = inputs.get("serviceProviderConfiguration") or {}
    if (
        str(config.get("serviceProviderId", "")).rstrip("/").rsplit("/", 1)[-1].lower()
        != provider.lower()
    ):
        return None
    operation = str(config.get("operationId", ""))
    if operation not in operations:
        return None
    return TriggerRef(workflow, name, operation, dict(inputs.get("parameters") or {}), spec)


def workflow_of(config: dict):
    from workflows.models import Workflow

    return Workflow.objects.filter(id=config.get("workflow"), state=Workflow.State.ENABLED).first()


def start_runs(workflow, trigger_name: str, outputs: dict) -> list:
    """Create the run(s) in the caller's transaction (splitOn gives one per item)."""
    from workflows.services import create_runs

    return create_runs(workflow, trigger_name, outputs)


def give_back(channel: Channel, token: str, now: datetime, exc: Exception, delay: float) -> None:
    """Run creation failed: back-pressure (`RunQueueFull`) does not count as a
    delivery; any other failure does (so a broken trigger ends in dead letters)."""
    from workflows.services import RunQueueFull

    if isinstance(exc, RunQueueFull):
        store.release_unseen(channel, token, now, delay_seconds=delay)
    else:
        store.abandon(channel, token, now, delay_seconds=delay)


def subscription_name(ref: TriggerRef) -> str:
    digest = hashlib.sha1(ref.name.encode()).hexdigest()[:8]
    return f"wf{ref.workflow.id}-{digest}"


# --- the Event Grid trigger ------------------------------------------------------------


class WorkflowEventGrid(subscribers.Subscriber):
    kind = "workflow-eventgrid"

    def sync(self, now: datetime) -> None:
        wanted: set[int] = set()
        for ref in provider_triggers(PROVIDER, {"receiveEvents"}):
            channel = self._ensure(ref)
            if channel is not None:
                wanted.add(channel.id)
        Channel.objects.filter(subscriber=self.kind).exclude(id__in=wanted).delete()

    def _ensure(self, ref: TriggerRef) -> Channel | None:
        params = ref.parameters
        try:
            ns = entities.get_namespace(params.get("namespace"))
            topic = entities.get_eg_topic(ns, str(params.get("topicName", "")))
        except BrokerError as exc:
            log.warning("Event Grid trigger %s: %s", ref.key, exc.message)
            return None
        config = {"workflow": ref.workflow.id, "trigger": ref.name}
        filters = params.get("filters") or {}
        name = subscription_name(ref)
        channel = Channel.objects.filter(
            eg_topic=topic, name=name, kind=Channel.Kind.EVENT_SUBSCRIPTION
        ).first()
        if channel is None:
            try:
                channel = entities.create_event_subscription(
                    topic, name, filters=filters, subscriber=self.kind, subscriber_config=config
                )
            except BrokerError as exc:
                log.warning("Event Grid trigger %s: %s", ref.key, exc.message)
                return None
        elif channel.filters != filters or channel.subscriber_config != config:
            Channel.objects.filter(id=channel.id).update(
                filters=filters, subscriber_config=config, subscriber=self.kind
            )
        return channel

    def deliver(self, channel: Channel, now: datetime) -> int:
        workflow = workflow_of(channel.subscriber_config)
        if workflow is None:
            return 0
        started, deadline = 0, time.monotonic() + BUDGET_SECONDS
        while time.monotonic() < deadline:
            messages = store.receive(channel, timezone.now(), BATCH, holder="workflow")
            for message in messages:
                started += self._one(channel, message, workflow, timezone.now())
            if len(messages) < BATCH:
                break
        return started

    def _one(self, channel: Channel, message, workflow, now: datetime) -> int:
        outputs = {"headers": {}, "body": eventgrid.delivery(message)["event"]}
        try:
            with transaction.atomic():
                runs = start_runs(workflow, channel.subscriber_config["trigger"], outputs)
                if not store.complete(channel, message.lock_token, now):
                    raise RuntimeError("lock lost before the run was recorded")
        except Exception as exc:
            log.warning("Event Grid trigger of %s could not start a run: %s", workflow.name, exc)
            give_back(channel, message.lock_token, timezone.now(), exc, RETRY_DELAY)
            return 0
        return len(runs)


subscribers.register(WorkflowEventGrid())


# --- trigger catalog entries (validation accepts the trigger; the designer lists it) --


class EventGridTriggerInputs(ServiceProviderInputs):
    topicName: str = Field(description="Event Grid namespace topic")
    filters: dict = Field(
        default_factory=dict,
        description="includedEventTypes, subjectBeginsWith/EndsWith, filters[]",
    )
    namespace: str | None = None
    connection: str | None = None


class TriggerOnly(Trigger):
    """A broker trigger: delivered by the broker's internal subscriber (above), never
    polled by the connectors scheduler (it has no `recurrence` and no `poll`)."""


@register_trigger
class EventGridTrigger(TriggerOnly):
    kind = f"ServiceProvider/{PROVIDER}/receiveEvents"
    title = "When events are published to an Event Grid topic"
    description = "Starts one run per CloudEvent published to a Sluice Event Grid namespace topic."
    Inputs = EventGridTriggerInputs


# --- the publish action ----------------------------------------------------------------


class PublishInputs(ServiceProviderInputs):
    topicName: str
    events: list[dict] | dict = Field(description="CloudEvents 1.0 (one or a list)")
    namespace: str | None = None
    connection: str | None = None


@register
class PublishEvents(Connector):
    kind = f"ServiceProvider/{PROVIDER}/publishEvents"
    title = "Publish events to an Event Grid topic"
    description = "Publishes CloudEvents 1.0 to a Sluice Event Grid namespace topic."
    Inputs = PublishInputs

    def run(self, inputs: PublishInputs, context: ActionContext) -> Any:
        events = inputs.events if isinstance(inputs.events, list) else [inputs.events]
        try:
            ns = entities.get_namespace(inputs.namespace)
            topic = entities.get_eg_topic(ns, inputs.topicName)
            checked = [eventgrid.validate_cloudevent(e, i) for i, e in enumerate(events)]
            with transaction.atomic():
                stored = eventgrid.publish(topic, checked, context.now or _now())
        except BrokerError as exc:
            raise broker_error(exc)
        return {"statusCode": 200, "body": {"published": len(checked), "deliveries": stored}}


def _now() -> datetime:
    return timezone.now()
