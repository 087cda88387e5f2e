"""Batching: the `SendToBatch` action and the `Batch` trigger.

`SendToBatch` only stores the message (`connectors.models.BatchMessage`): the
sender never waits for the receiver. The scheduler tick releases batches
(`connectors.ticks.release_batches`), so releasing is safe with two scheduler
processes and never runs inside a sender's action.

Release criteria per batch configuration (Logic Apps `releaseCriteria`), per
partition, oldest messages first:
- `messageCount`: every full group of N messages is one batch;
- `batchSize` (bytes of JSON content): messages up to that total are one batch,
  released once the pending total reaches it;
- `recurrence`: at each occurrence everything pending is released.
Each released batch starts one run whose trigger body is
`{"batchName", "partitionName", "items": [{"messageId", "content"}]}`.

`plan_release` is the pure decision; the tick does the claiming.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from connectors.base import ActionContext, Connector, ConnectorError, Trigger
from connectors.models import BatchMessage
from connectors.registry import register, register_trigger

DEFAULT_PARTITION = "DEFAULT"


def plan_release(
    pending: list[tuple[int, int]], criteria: dict[str, Any], *, due: bool = False
) -> list[list[int]]:
    """Batches to release from `pending` [(message id, size)] in age order."""
    if due:
        return [[pk for pk, _ in pending]] if pending else []
    count = criteria.get("messageCount")
    if isinstance(count, int) and count > 0 and len(pending) >= count:
        full = len(pending) // count * count
        return [[pk for pk, _ in pending[i : i + count]] for i in range(0, full, count)]
    limit = criteria.get("batchSize")
    if isinstance(limit, int) and limit > 0 and sum(size for _, size in pending) >= limit:
        return _by_size(pending, limit)
    return []


def _by_size(pending: list[tuple[int, int]], limit: int) -> list[list[int]]:
    batches: list[list[int]] = []
    current: list[int] = []
    total = 0
    for pk, size in pending:
        if current and total + size > limit:
            batches.append(current)
            current, total = [], 0
        current.append(pk)
        total += size
    if total >= limit:
        batches.append(current)
    return batches


def workflow_name_of(host: dict[str, Any]) -> str:
    """`host.workflow.id` is a Consumption resource id or a Standard workflow name."""
    workflow_id = str(((host or {}).get("workflow") or {}).get("id") or "")
    return workflow_id.rstrip("/").rsplit("/", 1)[-1]


class BatchHost(BaseModel):
    triggerName: str = Field(min_length=1)
    workflow: dict[str, Any] = Field(description="{id: workflow name or resource id}")


class SendToBatchInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    batchName: str = Field(min_length=1, max_length=80)
    content: Any = None
    partitionName: str | None = Field(default=None, max_length=200)
    messageId: str | None = Field(default=None, max_length=200)
    host: BatchHost


@register
class SendToBatch(Connector):
    kind = "SendToBatch"
    title = "Send to batch"
    description = (
        "Queue a message for a Batch trigger of another workflow, optionally in a partition."
    )
    Inputs = SendToBatchInputs
    examples: ClassVar[list[dict[str, Any]]] = [
        {
            "batchName": "EastCoast",
            "content": "@triggerBody()",
            "partitionName": "@triggerBody()?['region']",
            "host": {"triggerName": "Batch_messages", "workflow": {"id": "batch-receiver"}},
        }
    ]

    def run(self, inputs: SendToBatchInputs, context: ActionContext) -> dict[str, Any]:
        workflow = workflow_name_of(inputs.host.model_dump())
        if not workflow:
            raise ConnectorError(
                "host.workflow.id must name the batch receiver workflow.", code="InvalidBatchHost"
            )
        message_id = inputs.messageId or str(uuid.uuid4())
        partition = inputs.partitionName or DEFAULT_PARTITION
        BatchMessage.objects.create(
            workflow_name=workflow,
            trigger_name=inputs.host.triggerName,
            batch_name=inputs.batchName,
            partition=partition,
            message_id=message_id,
            content=inputs.content,
            size=len(json.dumps(inputs.content).encode()),
            created_at=context.now or datetime.now(UTC),
        )
        return {"batchName": inputs.batchName, "partitionName": partition, "messageId": message_id}


class ReleaseCriteria(BaseModel):
    messageCount: int | None = Field(default=None, ge=1, le=8000)
    batchSize: int | None = Field(default=None, ge=1, le=80_000_000)
    recurrence: dict[str, Any] | None = None


class BatchConfiguration(BaseModel):
    releaseCriteria: ReleaseCriteria


class BatchTriggerInputs(BaseModel):
    mode: str = "Inline"
    configurations: dict[str, BatchConfiguration]


@register_trigger
class BatchTrigger(Trigger):
    kind = "Batch"
    title = "Batch messages"
    description = (
        "Starts one run per released batch of messages sent with SendToBatch; release by "
        "message count, total size in bytes or a recurrence, per partition."
    )
    Inputs = BatchTriggerInputs
    examples: ClassVar[list[dict[str, Any]]] = [
        {
            "mode": "Inline",
            "configurations": {
                "EastCoast": {
                    "releaseCriteria": {
                        "messageCount": 10,
                        "recurrence": {"frequency": "Minute", "interval": 5},
                    }
                }
            },
        }
    ]


def batch_body(batch_name: str, partition: str, messages: list[BatchMessage]) -> dict[str, Any]:
    return {
        "body": {
            "batchName": batch_name,
            "partitionName": partition,
            "items": [{"messageId": m.message_id, "content": m.content} for m in messages],
        }
    }
