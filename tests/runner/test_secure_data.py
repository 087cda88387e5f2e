"""secureData: inputs and outputs never reach the database in clear, yet later
actions (even after the run was parked and reloaded) can still use them."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.runner.helpers import make_workflow, record
from workflows import services
from workflows.tasks import SECURE_MARKER

SECRET = "hunter2-very-secret"


@pytest.mark.django_db
def test_it_never_stores_secure_values_in_clear(clock) -> None:
    workflow = make_workflow(
        "secure",
        {
            "Secret": {
                "type": "Compose",
                "inputs": f"{SECRET}",
                "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}},
                "trackedProperties": {"leak": "@outputs('Secret')"},
            },
            "Pause": {
                "type": "Wait",
                "inputs": {"interval": {"count": 5, "unit": "Second"}},
                "runAfter": {"Secret": ["Succeeded"]},
            },
            "Use": {
                "type": "Compose",
                "inputs": "@length(outputs('Secret'))",
                "runAfter": {"Pause": ["Succeeded"]},
            },
        },
    )
    run = services.drive(
        services.create_run(workflow, "manual", {"body": None}).id, sleep=clock.sleep
    )
    assert run.status == "Succeeded"
    assert record(run, "Use").outputs == len(SECRET)
    with connection.cursor() as cursor:
        cursor.execute("SELECT inputs, outputs, tracked_properties FROM workflows_actionrun")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
        cursor.execute("SELECT state, outputs FROM workflows_run")
        stored += " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert SECRET not in stored
    shown = services.run_record(run)["actions"]["Secret"]
    assert shown["inputs"] == shown["outputs"] == SECURE_MARKER


@pytest.mark.django_db
def test_it_seals_securestring_parameters_on_the_run_and_keeps_them_on_resubmit(clock) -> None:
    workflow = make_workflow(
        "secure-param",
        {
            "Use": {
                "type": "Compose",
                "inputs": "@length(parameters('apiKey'))",
            }
        },
        parameters={"apiKey": {"type": "securestring"}, "region": {"type": "string"}},
    )
    run = services.create_run(
        workflow, "manual", {"body": None}, parameters={"apiKey": SECRET, "region": "eu"}
    )
    run = services.drive(run.id, sleep=clock.sleep)
    assert record(run, "Use").outputs == len(SECRET)
    again = services.drive(services.resubmit_run(run).id, sleep=clock.sleep)
    assert record(again, "Use").outputs == len(SECRET)
    with connection.cursor() as cursor:
        cursor.execute("SELECT state FROM workflows_run")
        stored = " ".join(str(row[0]) for row in cursor.fetchall())
    assert SECRET not in stored and "eu" in stored
