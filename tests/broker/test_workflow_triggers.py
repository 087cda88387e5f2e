"""End to end: broker events start workflow runs through the real engine.

The server process serves the data plane; a second process plays `sluice
scheduler` for the broker (`broker tick --loop`), which syncs the workflow
triggers, starts runs (Celery eager in tests, so the run executes right there)
and settles peek-locked messages by the run's outcome."""

from __future__ import annotations

import json

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.messaging import CloudEvent
from azure.eventgrid import EventGridPublisherClient

from tests.broker.conftest import wait_for
from tests.broker.sbclient import ServiceBus

pytestmark = pytest.mark.integration


def sp_trigger(provider: str, operation: str, **parameters) -> dict:
    return {
        "type": "ServiceProvider",
        "inputs": {
            "parameters": parameters,
            "serviceProviderConfiguration": {
                "connectionName": provider,
                "operationId": operation,
                "serviceProviderId": f"/serviceProviders/{provider}",
            },
        },
    }


def sp_action(provider: str, operation: str, run_after: dict | None = None, **parameters) -> dict:
    return {**sp_trigger(provider, operation, **parameters), "runAfter": run_after or {}}


def apply(server, tmp_path, name: str, triggers: dict, actions: dict) -> None:
    document = {
        "name": name,
        "kind": "Stateful",
        "definition": {
            "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
            "contentVersion": "1.0.0.0",
            "triggers": triggers,
            "actions": actions,
            "outputs": {},
        },
    }
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(document))
    server.manage("apply", str(path))


def runs(server, workflow: str) -> list[dict]:
    out = server.python(
        "import json\nfrom workflows.models import Run\n"
        f"rows = Run.objects.filter(workflow__name='{workflow}').order_by('created_at')\n"
        "print(json.dumps([{'status': r.status, 'trigger': r.trigger} for r in rows], default=str))\n"
    )
    return json.loads(out.strip().splitlines()[-1])


def finished(server, workflow: str, count: int):
    got = runs(server, workflow)
    done = [r for r in got if r["status"] in ("Succeeded", "Failed", "Cancelled", "TimedOut")]
    return got if len(done) >= count else None


def test_it_starts_one_run_per_published_event(broker_server, ticker, unique, tmp_path):
    topic, wf = unique("egwf"), unique("wf-eg")
    broker_server.broker("topic", "create", topic)
    compose = {"type": "Compose", "inputs": "@triggerBody()?['data']?['orderId']", "runAfter": {}}
    trigger = sp_trigger(
        "eventGrid",
        "receiveEvents",
        topicName=topic,
        filters={"includedEventTypes": ["Order.Created"]},
    )
    apply(broker_server, tmp_path, wf, {"When_events": trigger}, {"Compose": compose})
    wait_for(
        lambda: any(
            c.get("subscriber") == "workflow-eventgrid" and c["path"].startswith(f"topics/{topic}/")
            for c in json.loads(broker_server.broker("list").stdout)["channels"]
        ),
        what="trigger subscription",
    )
    publisher = EventGridPublisherClient(
        broker_server.url, AzureKeyCredential(broker_server.key), namespace_topic=topic
    )
    publisher.send(
        [CloudEvent(source="/o", type="Order.Created", data={"orderId": n}) for n in (1, 2)]
        + [CloudEvent(source="/o", type="Order.Deleted", data={"orderId": 3})]
    )
    got = wait_for(lambda: finished(broker_server, wf, 2), what="two runs")
    assert [r["status"] for r in got] == ["Succeeded", "Succeeded"]
    assert sorted(r["trigger"]["outputs"]["body"]["data"]["orderId"] for r in got) == [1, 2]


def test_it_dead_letters_a_message_after_max_delivery_count_failed_runs(
    broker_server, ticker, unique, tmp_path
):
    q, wf = unique("sbwf"), unique("wf-fail")
    broker_server.broker("queue", "create", q, "--max-delivery-count", "2")
    fail = {
        "type": "Terminate",
        "inputs": {"runStatus": "Failed", "runError": {"code": "Nope", "message": "always fails"}},
        "runAfter": {},
    }
    apply(
        broker_server,
        tmp_path,
        wf,
        {"On_message": sp_trigger("serviceBus", "peekLockQueueMessagesV2", queueName=q)},
        {"Fail": fail},
    )
    sb = ServiceBus(broker_server.url, broker_server.key)
    sb.send(q, b"poison", {"MessageId": "p-1"})
    dead = wait_for(
        lambda: (r := sb.peek_lock(f"{q}/$DeadLetterQueue")).status_code == 201 and r,
        timeout=60,
        what="dead letter",
    )
    assert dead.content == b"poison"
    assert sb.props(dead)["DeadLetterReason"] == "MaxDeliveryCountExceeded"
    got = runs(broker_server, wf)
    assert [r["status"] for r in got] == ["Failed", "Failed"]
    assert [r["trigger"]["outputs"]["body"][0]["deliveryCount"] for r in got] == [1, 2]


def test_it_auto_completes_and_splits_a_batch_into_runs(broker_server, ticker, unique, tmp_path):
    q, wf = unique("sbauto"), unique("wf-auto")
    broker_server.broker("queue", "create", q)
    trigger = {
        **sp_trigger("serviceBus", "receiveQueueMessages", queueName=q, maxMessageBatchSize=10),
        "splitOn": "@triggerOutputs()?['body']",
    }
    apply(
        broker_server,
        tmp_path,
        wf,
        {"On_message": trigger},
        {
            "Compose": {
                "type": "Compose",
                "inputs": "@triggerBody()?['contentData']",
                "runAfter": {},
            }
        },
    )
    sb = ServiceBus(broker_server.url, broker_server.key)
    wait_for(
        lambda: any(
            c.get("path") == q and c["counts"] is not None
            for c in json.loads(broker_server.broker("list").stdout)["channels"]
        ),
        what="queue",
    )
    sb.send_batch(q, [{"Body": "one"}, {"Body": "two"}])
    got = wait_for(lambda: finished(broker_server, wf, 2), what="two runs")
    assert sorted(r["trigger"]["outputs"]["body"]["contentData"] for r in got) == ["one", "two"]
    assert {r["status"] for r in got} == {"Succeeded"}
    assert sb.receive_delete(q).status_code == 204


def test_it_sends_and_completes_explicitly_with_actions(broker_server, ticker, unique, tmp_path):
    q_in, q_out, wf = unique("in"), unique("out"), unique("wf-act")
    broker_server.broker("queue", "create", q_in)
    broker_server.broker("queue", "create", q_out)
    actions = {
        "Forward": sp_action(
            "serviceBus",
            "sendMessage",
            entityName=q_out,
            message={
                "contentData": "@concat('fwd:', triggerBody()?['contentData'])",
                "userProperties": {"from": q_in},
            },
        ),
        "Complete": sp_action(
            "serviceBus",
            "completeMessage",
            {"Forward": ["Succeeded"]},
            queueName=q_in,
            lockToken="@triggerBody()?['lockToken']",
        ),
    }
    trigger = {
        **sp_trigger("serviceBus", "peekLockQueueMessagesV2", queueName=q_in),
        "splitOn": "@triggerOutputs()?['body']",
    }
    apply(broker_server, tmp_path, wf, {"On_message": trigger}, actions)
    sb = ServiceBus(broker_server.url, broker_server.key)
    sb.send(q_in, b"hello")
    got = wait_for(lambda: finished(broker_server, wf, 1), what="the run")
    assert got[0]["status"] == "Succeeded"
    out = sb.receive_delete(q_out)
    assert out.content == b"fwd:hello"
    assert out.headers["from"] == json.dumps(q_in)
    assert sb.receive_delete(q_in).status_code == 204


def test_it_runs_event_hub_batches_and_checkpoints_after_success(
    broker_server, ticker, unique, tmp_path
):
    hub, wf = unique("ehwf"), unique("wf-eh")
    broker_server.broker("hub", "create", hub, "--partitions", "1")
    compose = {"type": "Compose", "inputs": "@length(triggerBody())", "runAfter": {}}
    apply(
        broker_server,
        tmp_path,
        wf,
        {"On_events": sp_trigger("eventHub", "receiveEvents", eventHubName=hub)},
        {"Count": compose},
    )
    sb = ServiceBus(broker_server.url, broker_server.key)
    sb.send_batch(hub, [{"Body": f"e{i}"} for i in range(3)])
    got = wait_for(lambda: finished(broker_server, wf, 1), what="the batch run")
    assert got[0]["status"] == "Succeeded"
    assert [e["contentData"] for e in got[0]["trigger"]["outputs"]["body"]] == ["e0", "e1", "e2"]
    checkpoint = lambda: sb.http.get(f"/{hub}/consumergroups/$Default/partitions/0/checkpoint")  # noqa: E731
    wait_for(
        lambda: checkpoint().status_code == 200 and checkpoint().json()["sequenceNumber"] == 2,
        what="checkpoint",
    )
    assert len(runs(broker_server, wf)) == 1
