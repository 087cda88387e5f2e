"""create_runs: trigger conditions, splitOn, concurrency and the waiting queue."""

from __future__ import annotations

import pytest

from tests.runner.helpers import make_workflow, record
from workflows import services
from workflows.models import Run, TriggerHistory
from workflows.tasks import advance_run_now

ECHO = {"Echo": {"type": "Compose", "inputs": "@triggerBody()"}}


@pytest.mark.django_db
def test_it_skips_the_run_when_conditions_are_not_met() -> None:
    triggers = {
        "manual": {
            "type": "Request",
            "kind": "Http",
            "conditions": [{"expression": "@equals(triggerBody()?['go'], true)"}],
        }
    }
    workflow = make_workflow("conditional", ECHO, triggers=triggers)
    assert services.create_runs(workflow, "manual", {"body": {"go": False}}) == []
    assert services.create_run(workflow, "manual", {"body": {"go": False}}) is None
    assert TriggerHistory.objects.filter(workflow=workflow, status="Skipped").count() == 2
    run = services.create_run(workflow, "manual", {"body": {"go": True}})
    assert run is not None and TriggerHistory.objects.get(run=run).fired


@pytest.mark.django_db
def test_it_splits_the_trigger_body_into_one_run_per_item(clock) -> None:
    triggers = {"manual": {"type": "Request", "kind": "Http", "splitOn": "@triggerBody()?['rows']"}}
    workflow = make_workflow("split", ECHO, triggers=triggers)
    runs = services.create_runs(
        workflow, "manual", {"headers": {"h": "1"}, "body": {"rows": [{"a": 1}, {"a": 2}]}}
    )
    assert len(runs) == 2
    outputs = [record(services.drive(r.id, sleep=clock.sleep), "Echo").outputs for r in runs]
    assert outputs == [{"a": 1}, {"a": 2}]


@pytest.mark.django_db
def test_it_queues_runs_beyond_the_concurrency_limit_and_refuses_when_full(clock) -> None:
    triggers = {
        "manual": {
            "type": "Request",
            "kind": "Http",
            "runtimeConfiguration": {"concurrency": {"runs": 1, "maximumWaitingRuns": 2}},
        }
    }
    workflow = make_workflow(
        "limited",
        {"Pause": {"type": "Wait", "inputs": {"interval": {"count": 10, "unit": "Second"}}}},
        triggers=triggers,
    )
    first, second = (services.create_run(workflow, "manual", {"body": n}) for n in (1, 2))
    assert advance_run_now(first.id) == "parked"
    assert advance_run_now(second.id) == "queued"
    services.create_run(workflow, "manual", {"body": 3})  # second waiting run: still fits
    with pytest.raises(services.RunQueueFull):
        services.create_run(workflow, "manual", {"body": 4})
    assert services.drive(first.id, sleep=clock.sleep).status == "Succeeded"
    assert services.drive(second.id, sleep=clock.sleep).status == "Succeeded"
    assert Run.objects.filter(workflow=workflow).count() == 3


@pytest.mark.django_db
def test_it_takes_the_client_tracking_id_from_the_trigger_correlation() -> None:
    triggers = {
        "manual": {
            "type": "Request",
            "kind": "Http",
            "correlation": {"clientTrackingId": "@triggerBody()?['job']"},
        }
    }
    workflow = make_workflow("tracked-trigger", ECHO, triggers=triggers)
    assert (
        services.create_run(workflow, "manual", {"body": {"job": "J-7"}}).client_tracking_id
        == "J-7"
    )
    given = services.create_run(
        workflow, "manual", {"body": {"job": "J-7"}}, client_tracking_id="mine"
    )
    assert given.client_tracking_id == "mine"


@pytest.mark.django_db
def test_it_words_the_trigger_code_for_conditions_on_it() -> None:
    triggers = {
        "poll": {
            "type": "Http",
            "conditions": [{"expression": "@equals(triggers().code, 'InternalServerError')"}],
        }
    }
    workflow = make_workflow("on-errors", ECHO, triggers=triggers)
    assert services.create_run(workflow, "poll", {"statusCode": 200, "body": None}) is None
    assert services.create_run(workflow, "poll", {"statusCode": 500, "body": None}) is not None
