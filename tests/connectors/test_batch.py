"""SendToBatch and the Batch trigger: release by count, size and recurrence, per partition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors import registry, ticks
from connectors.base import ActionContext, ConnectorError
from connectors.builtin.batch import plan_release
from connectors.models import BatchMessage
from tests.connectors.conftest import make_workflow
from workflows.models import Run, TriggerHistory

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_it_plans_count_releases_in_full_groups():
    pending = [(i, 10) for i in range(7)]
    assert plan_release(pending, {"messageCount": 3}) == [[0, 1, 2], [3, 4, 5]]
    assert plan_release(pending[:2], {"messageCount": 3}) == []


def test_it_plans_size_releases_up_to_the_limit():
    pending = [(1, 40), (2, 40), (3, 40), (4, 5)]
    assert plan_release(pending, {"batchSize": 100}) == [[1, 2]]
    assert plan_release([(1, 40)], {"batchSize": 100}) == []
    assert plan_release([(1, 500)], {"batchSize": 100}) == [[1]]


def test_it_releases_everything_when_the_schedule_is_due():
    assert plan_release([(1, 1), (2, 1)], {"messageCount": 10}, due=True) == [[1, 2]]
    assert plan_release([], {}, due=True) == []


def send(content, partition=None, batch="Orders", workflow="receiver", trigger="Batch_messages"):
    cls = registry.get("SendToBatch")
    inputs = cls.Inputs.model_validate(
        {
            "batchName": batch,
            "content": content,
            "partitionName": partition,
            "host": {
                "triggerName": trigger,
                "workflow": {
                    "id": f"/subscriptions/x/providers/Microsoft.Logic/workflows/{workflow}"
                },
            },
        }
    )
    return cls().run(inputs, ActionContext(now=T0))


def receiver(criteria: dict, name: str = "receiver"):
    return make_workflow(
        name,
        {
            "Batch_messages": {
                "type": "Batch",
                "inputs": {
                    "mode": "Inline",
                    "configurations": {"Orders": {"releaseCriteria": criteria}},
                },
            }
        },
    )


def bodies(workflow) -> list[dict]:
    return [
        r.trigger["outputs"]["body"]
        for r in Run.objects.filter(workflow=workflow).order_by("created_at", "id")
    ]


@pytest.mark.django_db(transaction=True)
def test_it_releases_one_run_per_full_batch_per_partition():
    wf = receiver({"messageCount": 3})
    for i in range(4):
        send({"n": i}, partition="east")
    for i in range(3):
        send({"n": i}, partition="west")
    ticks.tick(T0)
    released = sorted(bodies(wf), key=lambda b: b["partitionName"])
    assert [(b["partitionName"], [i["content"]["n"] for i in b["items"]]) for b in released] == [
        ("east", [0, 1, 2]),
        ("west", [0, 1, 2]),
    ]
    assert BatchMessage.objects.filter(released_run_id="").count() == 1
    ticks.tick(T0 + timedelta(seconds=1))
    assert Run.objects.filter(workflow=wf).count() == 2  # nothing released twice


@pytest.mark.django_db(transaction=True)
def test_it_releases_by_size():
    wf = receiver({"batchSize": 30})
    send("x" * 10)
    ticks.tick(T0)
    assert bodies(wf) == []
    send("y" * 10)
    send("z" * 10)
    ticks.tick(T0)
    assert [len(b["items"]) for b in bodies(wf)] == [2]


@pytest.mark.django_db(transaction=True)
def test_it_releases_on_the_recurrence():
    wf = receiver(
        {
            "messageCount": 100,
            "recurrence": {
                "frequency": "Minute",
                "interval": 1,
                "startTime": "2026-01-01T12:01:00Z",
            },
        }
    )
    out = send({"a": 1}, partition="p")
    send({"a": 2}, partition="p")
    assert out["partitionName"] == "p" and out["messageId"]
    ticks.tick(T0)
    assert bodies(wf) == []
    ticks.tick(T0 + timedelta(minutes=1))
    assert [[i["content"] for i in b["items"]] for b in bodies(wf)] == [[{"a": 1}, {"a": 2}]]


@pytest.mark.django_db(transaction=True)
def test_it_keeps_messages_when_the_run_queue_is_full():
    wf = receiver({"messageCount": 1})
    trigger = wf.current_version.definition["triggers"]["Batch_messages"]
    trigger["runtimeConfiguration"] = {"concurrency": {"runs": 1, "maximumWaitingRuns": 1}}
    wf = make_workflow("receiver", {"Batch_messages": trigger})
    for status in ("Running", "Waiting"):  # the one slot is busy and the queue is full
        Run.objects.create(workflow=wf, version=wf.current_version, status=status)
    send({"a": 1})
    ticks.tick(T0)
    assert BatchMessage.objects.get().released_run_id == ""
    assert TriggerHistory.objects.get(workflow=wf).error["code"] == "RunQueueFull"


@pytest.mark.django_db(transaction=True)
def test_it_rejects_a_batch_host_without_a_workflow():
    cls = registry.get("SendToBatch")
    inputs = cls.Inputs.model_validate(
        {"batchName": "b", "content": 1, "host": {"triggerName": "t", "workflow": {}}}
    )
    with pytest.raises(ConnectorError) as info:
        cls().run(inputs, ActionContext())
    assert info.value.code == "InvalidBatchHost"
