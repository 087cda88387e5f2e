"""Cancelling runs and resubmitting them (whole, or from one action)."""

from __future__ import annotations

import pytest

from tests.runner.helpers import make_workflow, record, statuses
from workflows import services
from workflows.models import ActionRun, Run
from workflows.tasks import advance_run_now

LONG_WAIT = {
    "First": {"type": "Compose", "inputs": "@guid()"},
    "Pause": {
        "type": "Wait",
        "inputs": {"interval": {"count": 1, "unit": "Hour"}},
        "runAfter": {"First": ["Succeeded"]},
    },
    "Last": {
        "type": "Compose",
        "inputs": "@outputs('First')",
        "runAfter": {"Pause": ["Succeeded"]},
    },
}


@pytest.mark.django_db
def test_it_cancels_a_parked_run(clock) -> None:
    run = services.create_run(make_workflow("long", LONG_WAIT), "manual", {"body": None})
    assert advance_run_now(run.id) == "parked"
    assert services.cancel_run(run) is True
    run = services.drive(run.id, sleep=clock.sleep)
    assert run.status == "Cancelled"
    assert statuses(run) == {"First": "Succeeded", "Pause": "Cancelled", "Last": "Skipped"}
    assert services.cancel_run(run) is False


@pytest.mark.django_db
def test_it_cancels_a_queued_run_without_running_it() -> None:
    run = services.create_run(make_workflow("queued", LONG_WAIT), "manual", {"body": None})
    assert services.cancel_run(run) is True
    run.refresh_from_db()
    assert run.status == "Cancelled" and not ActionRun.objects.filter(run=run).exists()
    assert advance_run_now(run.id) == "busy"


@pytest.mark.django_db
def test_it_resubmits_with_the_same_trigger_outputs(clock) -> None:
    workflow = make_workflow("again", {"Echo": {"type": "Compose", "inputs": "@triggerBody()"}})
    first = services.drive(
        services.create_run(workflow, "manual", {"body": {"n": 1}}).id, sleep=clock.sleep
    )
    second = services.drive(services.resubmit_run(first).id, sleep=clock.sleep)
    assert second.id != first.id and second.resubmitted_from_id == first.id
    assert second.status == "Succeeded" and record(second, "Echo").outputs == {"n": 1}


@pytest.mark.django_db
def test_it_resubmits_from_an_action_keeping_earlier_results(clock) -> None:
    workflow = make_workflow("partial", LONG_WAIT)
    first = services.drive(
        services.create_run(workflow, "manual", {"body": None}).id, sleep=clock.sleep
    )
    guid = record(first, "First").outputs
    second = services.drive(services.resubmit_run(first, from_action="Pause").id, sleep=clock.sleep)
    assert second.status == "Succeeded"
    assert record(second, "First").outputs == guid  # copied, not re-run
    assert record(second, "Last").outputs == guid
    assert record(second, "Pause").started_at > record(first, "Pause").started_at


@pytest.mark.django_db
def test_it_refuses_to_resubmit_from_a_nested_action() -> None:
    workflow = make_workflow(
        "nested", {"S": {"type": "Scope", "actions": {"In": {"type": "Compose", "inputs": 1}}}}
    )
    run = services.drive(services.create_run(workflow, "manual", {"body": None}).id)
    with pytest.raises(ValueError, match="not a top-level action"):
        services.resubmit_run(run, from_action="In")
    assert Run.objects.count() == 1
