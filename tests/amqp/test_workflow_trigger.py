"""A Service Bus trigger fires for a message sent by the real azure-servicebus SDK
over AMQP: both protocols feed the same broker, and the workflow is one more
subscriber of it."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage

pytestmark = pytest.mark.integration


def workflow_document(queue: str) -> dict:
    return {
        "kind": "Stateful",
        "definition": {
            "triggers": {
                "On_message": {
                    "type": "ServiceProvider",
                    "inputs": {
                        "parameters": {"queueName": queue},
                        "serviceProviderConfiguration": {
                            "connectionName": "serviceBus",
                            "operationId": "receiveQueueMessages",
                            "serviceProviderId": "/serviceProviders/serviceBus",
                        },
                    },
                    "splitOn": "@triggerOutputs()?['body']",
                }
            },
            "actions": {
                "Echo": {"type": "Compose", "inputs": "@triggerBody()?['contentData']"},
            },
        },
    }


def runs_of(broker_env, workflow: str) -> list[dict]:
    script = (
        "import json\nfrom workflows.models import Run\n"
        f"rows = Run.objects.filter(workflow__name='{workflow}')\n"
        "print(json.dumps([{'status': r.status, 'body': r.trigger['outputs']['body']} "
        "for r in rows]))"
    )
    out = broker_env.manage("shell", "-c", script)
    return json.loads(out.strip().splitlines()[-1])


def test_it_starts_a_run_for_a_message_sent_over_amqp(broker_env, tmp_path):
    queue, workflow = f"wfq-{uuid.uuid4().hex[:8]}", f"wf-{uuid.uuid4().hex[:8]}"
    broker_env.manage("broker", "queue", "create", queue)
    path = tmp_path / f"{workflow}.json"
    path.write_text(json.dumps(workflow_document(queue)))
    broker_env.manage("apply", str(path))
    broker_env.manage("broker", "tick")  # the scheduler syncs the workflow's subscription
    with (
        ServiceBusClient.from_connection_string(broker_env.connection_string) as sb,
        sb.get_queue_sender(queue) as sender,
    ):
        sender.send_messages(ServiceBusMessage("sent by the SDK"))
    deadline = time.monotonic() + 60
    got: list[dict] = []
    while time.monotonic() < deadline:
        broker_env.manage("broker", "tick")
        got = runs_of(broker_env, workflow)
        if got and got[0]["status"] == "Succeeded":
            break
        time.sleep(0.5)
    assert [run["status"] for run in got] == ["Succeeded"]
    assert got[0]["body"]["contentData"] == "sent by the SDK"
