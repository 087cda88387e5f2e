"""Service Bus for workflows: the built-in triggers of Logic Apps Standard
(`/serviceProviders/serviceBus`, spec §1.8/§6.8) and the send/settle actions.

Triggers (queue: `queueName`; topic: `topicName` + `subscriptionName`;
`maxMessageBatchSize`, default 1):

* `receiveQueueMessages` / `receiveTopicMessages` (auto-complete): each tick the
  subscriber locks up to a batch, creates the run(s) with
  `{"body": [message, …]}` (the usual `splitOn: @triggerOutputs()?['body']` gives
  one run per message) and completes the messages — all in one transaction.
* `peekLockQueueMessagesV2` / `peekLockTopicMessagesV2` (peek-lock): the same,
  but the messages stay locked and are *held by the run* (`Message.holder =
  "run:<id>"`). While the run is going, each tick renews the lock; when the run
  ends the message is settled by its outcome — Succeeded → complete; Failed,
  Cancelled, TimedOut → abandon (so after maxDeliveryCount failed runs it is
  dead-lettered) — unless an action already settled it explicitly with the
  message's `lockToken` (complete/abandon/deadLetter/defer/renew actions below).

Session variants (`onNewMessagesFromQueueSession`, …) accept the next free session
and deliver its messages in order to one run at a time.

Missing queues/topics/subscriptions named by a trigger are created (a
self-hosted convenience; Azure requires them to exist).
"""

from __future__ import annotations

import base64
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import Field

from broker.models import Channel, Message
from broker.services import entities, servicebus, store, subscribers
from broker.services.errors import BrokerError
from connectors.base import ActionContext, Connector, ConnectorError
from connectors.builtin.eventgrid import (
    ServiceProviderInputs,
    TriggerOnly,
    TriggerRef,
    broker_error,
    give_back,
    provider_triggers,
    start_runs,
    workflow_of,
)
from connectors.registry import register, register_trigger

log = logging.getLogger("sluice.broker.workflows")
PROVIDER = "serviceBus"
AUTO = {
    "receiveQueueMessages",
    "receiveTopicMessages",
    "receiveQueueMessagesForReplication",
    "receiveTopicMessagesForReplication",
}
PEEK = {"peekLockQueueMessagesV2", "peekLockTopicMessagesV2"}
SESSION = {
    "onNewMessagesFromQueueSession",
    "onNewMessagesFromTopicSession",
    "onSingleNewMessageFromQueueSession",
    "onSingleNewMessageFromTopicSession",
}
FAILED = {"Failed", "Cancelled", "TimedOut", "Aborted"}
RETRY_DELAY = 5
BUDGET_SECONDS = 2.0  # per channel per delivery call; the rest waits for the next tick


def message_output(m: Message) -> dict:
    """The message shape of the built-in trigger (spec §6.8)."""
    raw = bytes(m.body)
    try:
        content: str = raw.decode("utf-8")
    except UnicodeDecodeError:
        content = base64.b64encode(raw).decode()
    ttl = store.time_to_live(m)
    return {
        "contentData": content,
        "contentType": m.content_type,
        "sessionId": m.session_id or None,
        "userProperties": m.properties,
        "messageId": m.message_id,
        "lockToken": m.lock_token or None,
        "to": m.to or None,
        "replyTo": m.reply_to or None,
        "replyToSession": m.reply_to_session_id or None,
        "label": m.subject or None,
        "scheduledEnqueueTimeUtc": m.scheduled_at.isoformat() if m.scheduled_at else None,
        "correlationId": m.correlation_id or None,
        "timeToLive": str(timedelta(seconds=ttl)) if ttl is not None else None,
        "deadletterSource": m.dead_letter_source or None,
        "deliveryCount": m.delivery_count,
        "enqueuedSequenceNumber": m.id,
        "enqueuedTimeUtc": m.enqueued_at.isoformat(),
        "lockedUntilUtc": m.locked_until.isoformat() if m.locked_until else None,
        "sequenceNumber": m.id,
    }


def channel_for(params: dict, create: bool = False) -> Channel:
    ns = entities.get_namespace(params.get("namespace"))
    queue = params.get("queueName") or params.get("entityName")
    if queue and not params.get("subscriptionName"):
        found = Channel.objects.filter(namespace=ns, kind=Channel.Kind.QUEUE, name=queue).first()
        return found or (
            entities.create_queue(ns, queue) if create else entities.get_queue(ns, queue)
        )
    topic_name = str(params.get("topicName") or queue or "")
    topic = (
        entities.get_sb_topic(ns, topic_name)
        if not create
        else (
            ns.sb_topics.filter(name=topic_name).first() or entities.create_sb_topic(ns, topic_name)
        )
    )
    sub = str(params.get("subscriptionName", ""))
    found = Channel.objects.filter(sb_topic=topic, kind=Channel.Kind.SUBSCRIPTION, name=sub).first()
    return found or (
        entities.create_sb_subscription(topic, sub)
        if create
        else entities.get_sb_subscription(topic, sub)
    )


class WorkflowServiceBus(subscribers.Subscriber):
    kind = "workflow-servicebus"

    def sync(self, now: datetime) -> None:
        consumers: dict[int, list[dict]] = {}
        for ref in provider_triggers(PROVIDER, AUTO | PEEK | SESSION):
            channel = self._channel(ref)
            if channel is not None:
                consumers.setdefault(channel.id, []).append(self._consumer(ref))
        for channel in Channel.objects.filter(subscriber=self.kind).exclude(id__in=consumers):
            Channel.objects.filter(id=channel.id).update(subscriber="", subscriber_config={})
        for channel_id, entries in consumers.items():
            config = {"consumers": entries}
            Channel.objects.filter(id=channel_id).exclude(
                subscriber=self.kind, subscriber_config=config
            ).update(subscriber=self.kind, subscriber_config=config)

    @staticmethod
    def _channel(ref: TriggerRef) -> Channel | None:
        try:
            return channel_for(ref.parameters, create=True)
        except BrokerError as exc:
            log.warning("Service Bus trigger %s: %s", ref.key, exc.message)
            return None

    @staticmethod
    def _consumer(ref: TriggerRef) -> dict:
        batch = ref.parameters.get("maxMessageBatchSize") or ref.parameters.get("maxMessages") or 1
        mode = (
            "peek" if ref.operation in PEEK else ("session" if ref.operation in SESSION else "auto")
        )
        return {
            "workflow": ref.workflow.id,
            "trigger": ref.name,
            "mode": mode,
            "batch": max(1, min(int(batch), 100)),
        }

    def deliver(self, channel: Channel, now: datetime) -> int:
        self.settle_finished(channel, now)
        started, deadline = 0, time.monotonic() + BUDGET_SECONDS
        consumers = [(c, workflow_of(c)) for c in channel.subscriber_config.get("consumers", [])]
        consumers = [(c, w) for c, w in consumers if w is not None]
        while consumers and time.monotonic() < deadline:
            fired = sum(self._fire(channel, c, w, timezone.now()) for c, w in consumers)
            started += fired
            if not fired:
                break
        return started

    def _fire(self, channel: Channel, consumer: dict, workflow, now: datetime) -> int:
        session = None
        if channel.requires_session or consumer["mode"] == "session":
            if Message.objects.filter(channel=channel, holder__startswith="run:").exists():
                return 0  # one session-run at a time keeps the session's order
            session = store.accept_session(channel, now)
            if session is None:
                return 0
        messages = store.receive(
            channel,
            now,
            consumer["batch"],
            holder="run:pending",
            session_id=session.session_id if session else None,
        )
        if session is not None:
            store.release_session(session)
        if not messages:
            return 0
        try:
            with transaction.atomic():
                runs = start_runs(
                    workflow,
                    consumer["trigger"],
                    {"headers": {}, "body": [message_output(m) for m in messages]},
                )
                self._after_start(channel, consumer, messages, runs, now)
        except Exception as exc:
            log.warning("Service Bus trigger of %s could not start a run: %s", workflow.name, exc)
            for m in messages:
                give_back(channel, m.lock_token, now, exc, RETRY_DELAY)
            return 0
        return len(runs)

    @staticmethod
    def _after_start(
        channel: Channel, consumer: dict, messages: list, runs: list, now: datetime
    ) -> None:
        if consumer["mode"] == "auto":
            for m in messages:
                if not store.complete(channel, m.lock_token, now):
                    raise RuntimeError("lock lost before the run was recorded")
            return
        if not runs:  # trigger conditions not met: nothing will settle them
            for m in messages:
                store.complete(channel, m.lock_token, now)
            return
        owners = runs if len(runs) == len(messages) else [runs[0]] * len(messages)
        for m, run in zip(messages, owners, strict=True):
            Message.objects.filter(id=m.id, lock_token=m.lock_token).update(holder=f"run:{run.id}")

    def settle_finished(self, channel: Channel, now: datetime) -> None:
        """Settle messages held by runs that ended; keep the others' locks alive."""
        from workflows.models import Run

        held = list(
            Message.objects.filter(channel=channel, holder__startswith="run:").exclude(
                holder="run:pending"
            )
        )
        statuses = dict(
            Run.objects.filter(id__in=[m.holder[4:] for m in held]).values_list("id", "status")
        )
        for m in held:
            status = statuses.get(m.holder[4:])
            if status == "Succeeded":
                store.complete(channel, m.lock_token, now)
            elif status in FAILED or status is None:
                store.abandon(channel, m.lock_token, now)
            elif m.locked_until and m.locked_until - now < timedelta(
                seconds=channel.lock_duration_seconds / 2
            ):
                store.renew(channel, m.lock_token, now)


subscribers.register(WorkflowServiceBus())


# --- catalog entries for the triggers ------------------------------------------------


class TriggerInputs(ServiceProviderInputs):
    queueName: str | None = None
    topicName: str | None = None
    subscriptionName: str | None = None
    maxMessageBatchSize: int | None = None
    isSessionsEnabled: bool | None = None
    sessionId: str | None = None
    namespace: str | None = None
    connection: str | None = None


for _op in sorted(AUTO | PEEK | SESSION):
    register_trigger(
        type(
            f"ServiceBusTrigger_{_op}",
            (TriggerOnly,),
            {
                "kind": f"ServiceProvider/{PROVIDER}/{_op}",
                "title": f"Service Bus: {_op}",
                "description": "Starts runs from Service Bus messages (see connectors/builtin/servicebus.py).",
                "Inputs": TriggerInputs,
            },
        )
    )


# --- actions ----------------------------------------------------------------------------


class MessageInput(ServiceProviderInputs):
    contentData: Any = None
    contentType: str | None = None
    sessionId: str | None = None
    messageId: str | None = None
    correlationId: str | None = None
    label: str | None = None
    to: str | None = None
    replyTo: str | None = None
    replyToSessionId: str | None = None
    timeToLive: float | None = None
    scheduledEnqueueTimeUtc: str | None = None
    userProperties: dict = Field(default_factory=dict)


class SendInputs(ServiceProviderInputs):
    entityName: str | None = None
    queueName: str | None = None
    topicName: str | None = None
    message: MessageInput | None = None
    messages: list[MessageInput] | None = None
    namespace: str | None = None
    connection: str | None = None


def _body(content: Any) -> bytes:
    import json

    if content is None:
        return b""
    if isinstance(content, bytes):
        return content
    return content.encode() if isinstance(content, str) else json.dumps(content).encode()


def _outgoing(m: MessageInput) -> servicebus.Outgoing:
    from dateutil import parser as dateparser

    out = servicebus.Outgoing(
        body=_body(m.contentData),
        content_type=m.contentType or "",
        session_id=m.sessionId or "",
        message_id=m.messageId or "",
        correlation_id=m.correlationId or "",
        subject=m.label or "",
        to=m.to or "",
        reply_to=m.replyTo or "",
        reply_to_session_id=m.replyToSessionId or "",
        ttl_seconds=m.timeToLive,
        properties=dict(m.userProperties),
    )
    if m.scheduledEnqueueTimeUtc:
        out.scheduled_at = dateparser.isoparse(m.scheduledEnqueueTimeUtc)
    return out


class SendMessage(Connector):
    kind = f"ServiceProvider/{PROVIDER}/sendMessage"
    title = "Send a message to a Service Bus queue or topic"
    Inputs = SendInputs

    def run(self, inputs: SendInputs, context: ActionContext) -> Any:
        messages = inputs.messages or ([inputs.message] if inputs.message else [])
        if not messages:
            raise ConnectorError("Give 'message' or 'messages'.", code="InvalidInputs")
        name = inputs.entityName or inputs.queueName or inputs.topicName or ""
        try:
            target = servicebus.resolve(entities.get_namespace(inputs.namespace), name)
            sent = servicebus.send(
                target, [_outgoing(m).checked() for m in messages], timezone.now()
            )
        except BrokerError as exc:
            raise broker_error(exc)
        return {"statusCode": 200, "body": {"sequenceNumbers": [m.id for m in sent]}}


register(SendMessage)
register(
    type(
        "SendMessages",
        (SendMessage,),
        {
            "kind": f"ServiceProvider/{PROVIDER}/sendMessages",
            "title": "Send messages to Service Bus",
        },
    )
)


class SettleInputs(ServiceProviderInputs):
    lockToken: str
    queueName: str | None = None
    topicName: str | None = None
    subscriptionName: str | None = None
    deadLetterReason: str | None = None
    deadLetterErrorDescription: str | None = None
    namespace: str | None = None
    connection: str | None = None


class Settle(Connector):
    operation = staticmethod(store.complete)
    Inputs = SettleInputs

    def run(self, inputs: SettleInputs, context: ActionContext) -> Any:
        try:
            channel = channel_for(inputs.model_dump())
        except BrokerError as exc:
            raise broker_error(exc)
        kwargs = {}
        if self.operation is store.dead_letter:
            kwargs = {
                "reason": inputs.deadLetterReason or "",
                "description": inputs.deadLetterErrorDescription or "",
            }
        result = store.settle(channel, [inputs.lockToken], timezone.now(), self.operation, **kwargs)
        if result.failed:
            error = result.failed[0]["error"]
            raise ConnectorError(
                f"{error['message']} (lock token {inputs.lockToken})",
                code="MessageLockLost",
                status_code=410,
            )
        return {"statusCode": 200, "body": {"lockToken": inputs.lockToken}}


SETTLE_OPERATIONS = {
    "complete": store.complete,
    "abandon": store.abandon,
    "deadLetter": store.dead_letter,
    "defer": store.defer,
    "renewLock": store.renew,
}
for _verb, _fn in SETTLE_OPERATIONS.items():
    _cap = _verb[0].upper() + _verb[1:]
    for _op in (f"{_verb}Message", f"{_verb}QueueMessageV2", f"{_verb}TopicMessageV2"):
        register(
            type(
                f"ServiceBus_{_op}",
                (Settle,),
                {
                    "kind": f"ServiceProvider/{PROVIDER}/{_op}",
                    "title": f"{_cap} a Service Bus message",
                    "operation": staticmethod(_fn),
                },
            )
        )
