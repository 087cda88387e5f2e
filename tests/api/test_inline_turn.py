"""Synchronous Request triggers outside eager mode: the web process drives the
run's first turn itself (`tasks.run_turn_here`), in the caller's own thread,
instead of a hop through the broker; it answers the caller as soon as the
Response is committed (the rest of the turn goes on on a turn thread), and
leaves outside calls and whatever parks to the workers."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from django.test import override_settings

from accounts.models import Role
from tests.api.helpers import hello, make_user, post_trigger, until
from tests.httpstub import StubHandler, serving
from workflows import services, tasks, ticks
from workflows.api import saving
from workflows.models import ActionRun, Run, Workflow

pytestmark = pytest.mark.django_db(transaction=True)


def _workflow(name: str, definition: dict) -> Workflow:
    workflow, _ = saving.save(name, {"definition": definition}, make_user(name, Role.EDITOR))
    return workflow


@pytest.fixture
def broker(monkeypatch):
    """What would have gone to the Celery broker: (run id, countdown) per message."""
    sent: list[tuple[str, float | None]] = []
    monkeypatch.setattr(
        tasks.advance_run,
        "apply_async",
        lambda args, countdown=None, **_: sent.append((args[0], countdown)),
    )
    return sent


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_the_web_process_runs_the_whole_short_run_without_the_broker(broker) -> None:
    definition = hello(201)
    definition["actions"]["Greeting"] = {"type": "Compose", "inputs": "@triggerBody()?['name']"}
    definition["actions"]["Response"]["runAfter"] = {"Greeting": ["Succeeded"]}
    workflow = _workflow("short", definition)
    response = post_trigger(workflow, {"name": "Ada"})
    assert response.status_code == 201
    assert response.json() == {"name": "Ada"}
    run_id = response["x-ms-workflow-run-id"]
    run = until(lambda: Run.objects.filter(pk=run_id, status="Succeeded").first())
    assert run.response["statusCode"] == 201
    assert (run.lease_owner, run.lease_expires_at) == ("", None)
    actions = {a.name: (a.status, a.outputs) for a in ActionRun.objects.filter(run=run)}
    assert actions["Greeting"] == ("Succeeded", "Ada")
    assert actions["Response"][0] == "Succeeded"
    assert broker == []  # nothing went through the broker


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_the_first_turn_runs_in_the_callers_own_thread(broker, monkeypatch) -> None:
    import threading

    threads = []
    real_go = tasks.DurableRun.go

    def go(self, budget):
        threads.append(threading.current_thread())
        return real_go(self, budget)

    monkeypatch.setattr(tasks.DurableRun, "go", go)
    handed = []
    monkeypatch.setattr(tasks, "_on_turn_thread", handed.append)
    response = post_trigger(_workflow("here", hello(200)), {"n": 1})
    assert response.status_code == 200 and response.json() == {"n": 1}
    assert threads == [threading.current_thread()]  # no hop to another thread
    assert handed == []  # the Response was the end: nothing left for a turn thread
    run = Run.objects.get(pk=response["x-ms-workflow-run-id"])
    assert run.status == "Succeeded" and run.lease_owner == ""
    assert broker == []


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_work_after_the_response_goes_on_after_the_caller_is_answered(broker, monkeypatch):
    """The caller is answered once the Response is committed; the pure actions
    after it run on a turn thread, from the wave the turn paused at, each as its
    first attempt, under the same lease."""
    handed = []
    monkeypatch.setattr(tasks, "_on_turn_thread", handed.append)
    definition = copy.deepcopy(hello())
    definition["actions"]["After"] = {
        "type": "Compose",
        "inputs": "@concat('after ', string(triggerBody()?['n']))",
        "runAfter": {"Response": ["Succeeded"]},
    }
    definition["actions"]["Last"] = {
        "type": "Compose",
        "inputs": "@outputs('After')",
        "runAfter": {"After": ["Succeeded"]},
    }
    response = post_trigger(_workflow("answer-then-compose", definition), {"n": 7})
    assert response.status_code == 200 and response.json() == {"n": 7}
    run = Run.objects.get(pk=response["x-ms-workflow-run-id"])
    assert run.status == "Running" and run.lease_owner  # the paused turn keeps its lease
    assert run.response["body"] == {"n": 7}
    statuses = {a.name: a.status for a in ActionRun.objects.filter(run=run)}
    assert statuses == {"Response": "Succeeded", "After": "Running"}  # started, not run
    [rest] = handed
    rest()  # what the turn thread runs
    run.refresh_from_db()
    assert run.status == "Succeeded" and (run.lease_owner, run.lease_expires_at) == ("", None)
    actions = {a.name: (a.status, a.outputs, a.attempts) for a in ActionRun.objects.filter(run=run)}
    assert actions["After"] == ("Succeeded", "after 7", 1)
    assert actions["Last"] == ("Succeeded", "after 7", 1)
    assert broker == []  # nothing went through the broker


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_the_response_handed_over_in_memory_is_scrubbed_as_the_stored_one(broker) -> None:
    """The caller gets the Response from the turn thread without reading it back, and
    still exactly as stored: a stored secret's value is masked."""
    from accounts.connections import set_appsetting_value
    from accounts.models import AppSetting

    setting = AppSetting(name="ApiKey")
    set_appsetting_value(setting, "s3cr3t-value-123")
    setting.save()
    definition = hello(200)
    definition["actions"]["Response"]["inputs"]["body"] = {"echo": "@triggerBody()?['text']"}
    workflow = _workflow("echo", definition)
    response = post_trigger(workflow, {"text": "key is s3cr3t-value-123"})
    assert response.status_code == 200
    assert response.json() == {"echo": "key is ********"}
    stored = Run.objects.get(pk=response["x-ms-workflow-run-id"])
    assert stored.response["body"] == response.json()


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_the_caller_is_answered_and_the_rest_is_handed_to_the_workers(broker) -> None:
    definition = copy.deepcopy(hello())
    definition["actions"]["Later"] = {
        "type": "Wait",
        "inputs": {"interval": {"count": 1, "unit": "Hour"}},
        "runAfter": {"Response": ["Succeeded"]},
    }
    workflow = _workflow("answer-then-wait", definition)
    response = post_trigger(workflow, {"n": 1})
    assert response.status_code == 200 and response.json() == {"n": 1}
    run_id = response["x-ms-workflow-run-id"]
    until(lambda: broker)  # parked: an ETA message for the workers
    run = Run.objects.get(pk=run_id)
    assert run.status == "Running" and run.lease_owner == ""
    statuses = {a.name: a.status for a in ActionRun.objects.filter(run=run)}
    assert statuses == {"Response": "Succeeded", "Later": "Running"}
    [(sent_id, countdown)] = broker
    assert sent_id == run_id and 3500 < countdown <= 3600


def test_a_run_whose_web_process_died_is_resumed_by_the_sweep() -> None:
    """Born Running under a web process's lease that never drove it: once the lease
    and the first due time are past, the scheduler's sweep hands it to a worker
    (eager here, so the sweep's dispatch runs it)."""
    workflow = _workflow("orphan", hello())
    [run] = services.create_runs(workflow, "manual", {"body": {"x": 1}}, lease_owner="dead-web")
    assert run.status == "Running" and run.lease_owner == "dead-web"
    assert ticks.tick(services.utcnow()) == 0  # leased: left alone
    now = services.utcnow()  # the lease ran out, and the first due time is past
    Run.objects.filter(pk=run.pk).update(
        lease_expires_at=now - timedelta(seconds=1), due_at=now - timedelta(seconds=30)
    )
    assert ticks.tick(now) == 1
    run.refresh_from_db()
    assert run.status == "Succeeded" and run.response["body"] == {"x": 1}


class CountingHandler(StubHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.reply_json(200, {"hits": type(self).hits})


@pytest.fixture
def counting_server():
    CountingHandler.hits = 0
    with serving(CountingHandler) as base:
        yield f"{base}/"


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, SLUICE_RESPONSE_TIMEOUT=0.5)
def test_an_outside_call_is_left_to_the_workers_as_its_first_attempt(
    broker, counting_server
) -> None:
    """The web process never makes outside calls (a web process dying mid-request
    must not leave one half done): it records the HTTP action as started and due
    and hands the run over; the worker's call is the action's first attempt."""
    definition = copy.deepcopy(hello())
    definition["actions"]["Fetch"] = {
        "type": "Http",
        "inputs": {"method": "GET", "uri": counting_server},
    }
    definition["actions"]["Response"]["runAfter"] = {"Fetch": ["Succeeded"]}
    definition["actions"]["Response"]["inputs"]["body"] = "@body('Fetch')"
    workflow = _workflow("fetch-then-answer", definition)
    response = post_trigger(workflow, {})
    assert response.status_code == 504  # no worker in this test to make the call
    run_id = response["x-ms-workflow-run-id"]
    until(lambda: broker)
    assert broker == [(run_id, None)]  # handed over at once, not after a timer
    assert CountingHandler.hits == 0
    fetch = ActionRun.objects.get(run_id=run_id, name="Fetch")
    assert (fetch.status, fetch.attempts) == ("Running", 1)

    assert tasks.advance_run_now(run_id) == "Succeeded"  # what the worker does
    run = Run.objects.get(pk=run_id)
    assert run.response["body"] == {"hits": 1} and CountingHandler.hits == 1
    assert ActionRun.objects.get(run_id=run_id, name="Fetch").attempts == 1
