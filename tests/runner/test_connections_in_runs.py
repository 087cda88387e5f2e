"""`@parameters('$connections')` and `@appsetting()` reach a run, stateful and stateless,
without the secret being stored in clear."""

from __future__ import annotations

import pytest

from accounts.connections import set_appsetting_value, set_parameters
from accounts.models import AppSetting, Connection
from tests.runner.helpers import make_workflow, record
from workflows import services
from workflows.models import ActionRun

ACTIONS = {
    "Host": {"type": "Compose", "inputs": "@parameters('$connections')['files']['host']"},
    "Check": {
        "type": "Compose",
        "inputs": "@if(equals(appsetting('REGION'), 'westeurope'), 'right', 'wrong')",
    },
    "Id": {"type": "Compose", "inputs": "@parameters('$connections')['files']['connectionId']"},
    "Region": {"type": "Compose", "inputs": "@appsetting('REGION')"},
}


@pytest.fixture
def stored_secrets(db):
    connection = Connection(name="files", type="sftp")
    set_parameters(connection, {"host": "files.example", "password": "hunter2-secret"})
    connection.save()
    setting = AppSetting(name="REGION")
    set_appsetting_value(setting, "westeurope")
    setting.save()


@pytest.mark.django_db
def test_it_gives_a_durable_run_its_connections_and_app_settings(stored_secrets, clock) -> None:
    workflow = make_workflow("uses-connections", ACTIONS)
    run = services.drive(
        services.create_run(workflow, "manual", {"body": None}).id, sleep=clock.sleep
    )
    assert run.status == "Succeeded"
    assert record(run, "Host").outputs == "files.example"
    assert record(run, "Check").outputs == "right"
    assert record(run, "Id").outputs == "files"
    # app settings are secrets: the run used the value, the record keeps it masked
    assert record(run, "Region").outputs == "********"


@pytest.mark.django_db
def test_it_gives_a_stateless_run_its_connections(stored_secrets) -> None:
    workflow = make_workflow("uses-connections-inline", ACTIONS, kind="Stateless")
    run = services.run_inline(workflow, "manual", {"body": None})
    assert run.status == "Succeeded", run.error


@pytest.mark.django_db
def test_it_never_stores_the_connection_password_in_clear(stored_secrets, clock) -> None:
    actions = {
        "Leak": {"type": "Compose", "inputs": "@parameters('$connections')['files']['password']"}
    }
    workflow = make_workflow("leaky", actions)
    run = services.drive(
        services.create_run(workflow, "manual", {"body": None}).id, sleep=clock.sleep
    )
    assert run.status == "Succeeded"
    stored = list(ActionRun.objects.filter(run=run).values_list("outputs", flat=True))
    assert stored and "hunter2-secret" not in str(stored)
