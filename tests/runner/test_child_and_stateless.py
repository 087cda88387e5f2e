"""Child workflows (parent waits parked for the child's Response) and stateless runs."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.runner.helpers import make_workflow, record, statuses
from workflows import services
from workflows.models import ActionRun, Run

CHILD = {
    "Double": {"type": "Compose", "inputs": "@mul(triggerBody()?['n'], 2)"},
    "Reply": {
        "type": "Response",
        "inputs": {"statusCode": 200, "body": {"doubled": "@outputs('Double')"}},
        "runAfter": {"Double": ["Succeeded"]},
    },
    "Later": {
        "type": "Wait",
        "inputs": {"interval": {"count": 30, "unit": "Second"}},
        "runAfter": {"Reply": ["Succeeded"]},
    },
}
PARENT = {
    "Call": {
        "type": "Workflow",
        "inputs": {
            "host": {"workflow": {"id": "child"}, "triggerName": "manual"},
            "body": {"n": "@triggerBody()"},
        },
    },
    "Use": {
        "type": "Compose",
        "inputs": "@body('Call')?['doubled']",
        "runAfter": {"Call": ["Succeeded"]},
    },
}


@pytest.mark.django_db
def test_it_calls_a_child_workflow_and_uses_its_response(clock) -> None:
    make_workflow("child", CHILD)
    parent = services.drive(
        services.create_run(make_workflow("parent", PARENT), "manual", {"body": 21}).id,
        sleep=clock.sleep,
    )
    assert parent.status == "Succeeded", statuses(parent)
    assert record(parent, "Use").outputs == 42
    assert record(parent, "Call").outputs["statusCode"] == 200
    child = Run.objects.get(parent_run=parent)
    assert child.parent_action == "Call" and child.trigger["outputs"]["body"] == {"n": 21}


@pytest.mark.django_db
def test_it_fails_the_call_when_the_child_workflow_is_missing(clock) -> None:
    run = services.drive(
        services.create_run(make_workflow("orphan", PARENT), "manual", {"body": 1}).id,
        sleep=clock.sleep,
    )
    assert run.status == "Failed" and record(run, "Call").code == "WorkflowNotFound"


@pytest.mark.django_db
def test_it_runs_stateless_workflows_inline_with_only_a_summary_row() -> None:
    workflow = make_workflow(
        "quick",
        {
            "Add": {"type": "Compose", "inputs": "@add(triggerBody()?['a'], 1)"},
            "Reply": {
                "type": "Response",
                "inputs": {"body": "@outputs('Add')"},
                "runAfter": {"Add": ["Succeeded"]},
            },
        },
        kind="Stateless",
    )
    run = services.run_inline(workflow, "manual", {"headers": {}, "body": {"a": 41}})
    assert run.status == "Succeeded" and run.kind == "Stateless"
    assert run.response == {"statusCode": 200, "headers": {}, "body": 42}
    assert not Run.objects.filter(pk=run.pk).exists()  # as Logic Apps: no history
    with override_settings(SLUICE_STATELESS_RUN_SUMMARIES="all"):
        run = services.run_inline(workflow, "manual", {"headers": {}, "body": {"a": 41}})
    assert (
        Run.objects.filter(pk=run.pk).exists()
        and not ActionRun.objects.filter(run_id=run.pk).exists()
    )


@pytest.mark.django_db
def test_it_waits_for_a_response_or_gives_up() -> None:
    workflow = make_workflow(
        "answers", {"Reply": {"type": "Response", "inputs": {"statusCode": 202, "body": "ok"}}}
    )
    run = services.create_run(workflow, "manual", {"body": None})
    assert services.wait_for_response(run.id, timeout=0.05) is None  # nobody advanced it yet
    services.drive(run.id)
    assert services.wait_for_response(run.id, timeout=1) == {
        "statusCode": 202,
        "headers": {},
        "body": "ok",
    }


@pytest.mark.django_db(transaction=True)  # the child run is dispatched on commit (eagerly here)
def test_it_lets_a_stateless_workflow_call_a_stateful_child(clock) -> None:
    make_workflow("child", CHILD)
    workflow = make_workflow("quick-parent", PARENT, kind="Stateless")
    run = services.run_inline(workflow, "manual", {"headers": {}, "body": 5}, sleep=clock.sleep)
    assert run.status == "Succeeded"
    child = Run.objects.get(workflow__name="child")
    assert child.parent_run_id is None and child.response["body"] == {"doubled": 10}
