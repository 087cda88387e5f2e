"""Tracked properties, unrunnable stored definitions, and run timeouts."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.runner.helpers import make_workflow, record
from workflows import services
from workflows.tasks import advance_run_now


@pytest.mark.django_db
def test_it_records_tracked_properties_with_the_action_result(clock) -> None:
    workflow = make_workflow(
        "tracked",
        {
            "Order": {
                "type": "Compose",
                "inputs": {"id": "@triggerBody()?['id']"},
                "trackedProperties": {
                    "orderId": "@triggerBody()?['id']",
                    "status": "@action()['status']",
                },
            },
        },
    )
    run = services.drive(
        services.create_run(workflow, "manual", {"body": {"id": 42}}).id, sleep=clock.sleep
    )
    assert record(run, "Order").tracked_properties == {"orderId": 42, "status": "Succeeded"}


@pytest.mark.django_db
def test_it_fails_a_run_whose_stored_definition_cannot_run() -> None:
    workflow = make_workflow(
        "broken",
        {
            "A": {"type": "Compose", "inputs": 1, "runAfter": {"B": ["Succeeded"]}},
            "B": {"type": "Compose", "inputs": 2, "runAfter": {"A": ["Succeeded"]}},
        },
    )
    run = services.create_run(workflow, "manual", {"body": None})
    assert advance_run_now(run.id) == "invalid-definition"
    run.refresh_from_db()
    assert (
        run.status == "Failed"
        and run.error["code"] == "InvalidDefinition"
        and "cycle" in run.error["message"]
    )


@pytest.mark.django_db
@override_settings(SLUICE_RUN_TIMEOUT=60)
def test_it_times_out_a_run_that_outlives_its_limit(clock) -> None:
    workflow = make_workflow(
        "slowpoke",
        {
            "Nap": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Hour"}}},
            "After": {"type": "Compose", "inputs": 1, "runAfter": {"Nap": ["Succeeded"]}},
        },
    )
    run = services.drive(
        services.create_run(workflow, "manual", {"body": None}).id, sleep=clock.sleep
    )
    assert run.status == "TimedOut" and run.error["code"] == "RunTimedOut"
    assert record(run, "Nap").status == "Cancelled" and record(run, "After").status == "Skipped"


@pytest.mark.django_db
@override_settings(SLUICE_RUN_TASK_BUDGET=0)
def test_it_hands_a_long_run_on_in_several_turns_when_the_budget_is_spent(clock) -> None:
    workflow = make_workflow(
        "turns",
        {
            "Loop": {
                "type": "Foreach",
                "foreach": "@range(0, 10)",
                "operationOptions": "Sequential",
                "actions": {"Step": {"type": "Compose", "inputs": "@item()"}},
            },
        },
    )
    run = services.create_run(workflow, "manual", {"body": None})
    # One wave, then the turn ends and the next turn is dispatched at once (eagerly here).
    assert advance_run_now(run.id) == "parked"
    run.refresh_from_db()
    assert run.status == "Succeeded" and record(run, "Loop[9]/Step").outputs == 9
