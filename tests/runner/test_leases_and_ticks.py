"""Crash safety without real processes: a worker "dies" mid-wave (its lease stays
taken); the tick sweep re-dispatches the run once the lease expires and the run
goes on from what was recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.runner.helpers import make_workflow, record
from workflows import services
from workflows.models import ActionRun, Run
from workflows.tasks import acquire_lease, advance_run_now, new_owner
from workflows.ticks import tick


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after it runs in the dying worker."""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "dies", ["before", "after"], ids=["dies-before-answering", "dies-after-answering"]
)
def test_it_resumes_a_run_whose_worker_died_mid_action(dies, clock, monkeypatch) -> None:
    workflow = make_workflow(
        "crashy",
        {
            "First": {"type": "Compose", "inputs": 1},
            "Second": {
                "type": "Response",
                "inputs": {"body": "@add(outputs('First'), 1)"},
                "runAfter": {"First": ["Succeeded"]},
            },
        },
    )
    run = services.create_run(workflow, "manual", {"body": None})
    import workflows.actions.runloop as runloop

    real_execute = runloop.execute
    calls = {"n": 0}

    def dying_execute(work, engine, now, host):
        calls["n"] += 1
        if work.node.name == "Second" and calls["n"] == 2:
            if dies == "after":  # answered in memory; neither answer nor result recorded
                real_execute(work, engine, now, host)
            raise WorkerKilled
        return real_execute(work, engine, now, host)

    monkeypatch.setattr(runloop, "execute", dying_execute)
    with pytest.raises(WorkerKilled):
        advance_run_now(run.id)
    # The dead worker never released its lease:
    Run.objects.filter(pk=run.id).update(
        lease_owner="dead-worker", lease_expires_at=clock() + timedelta(seconds=30)
    )
    # Compose and Response only touch the run: nothing was written yet — not even
    # the claim, which goes with the first write — and the Response is only ever
    # written (and so seen by a caller) with its record.
    assert not ActionRun.objects.filter(run_id=run.id).exists()
    run.refresh_from_db()
    assert run.response is None and run.status == "Waiting"

    assert tick(clock()) == 0  # lease still valid: nobody touches the run
    clock.sleep(120)
    assert tick(clock()) == 1  # lease expired: re-dispatched (and, eagerly, advanced)
    run.refresh_from_db()
    assert run.status == "Succeeded"
    assert record(run, "Second").attempts == 1 and run.response["body"] == 2
    assert record(run, "First").attempts == 1  # the repeat is unseen


@pytest.mark.django_db
def test_it_gives_one_worker_at_a_time_the_lease(clock) -> None:
    run = services.create_run(
        make_workflow("leased", {"A": {"type": "Compose", "inputs": 1}}), "manual", {}
    )
    assert acquire_lease(run.id, new_owner(), clock())
    assert not acquire_lease(run.id, new_owner(), clock())
    assert advance_run_now(run.id) == "busy"
    clock.sleep(600)
    assert acquire_lease(run.id, new_owner(), clock())


@pytest.mark.django_db
def test_it_redispatches_a_run_whose_message_was_lost(clock) -> None:
    run = services.create_run(
        make_workflow("lost", {"A": {"type": "Compose", "inputs": 1}}), "manual", {}
    )
    # on_commit never fired inside this test transaction: as if the message were lost.
    assert Run.objects.get(pk=run.id).status == "Waiting"
    clock.sleep(30)
    assert tick(clock()) == 1
    assert Run.objects.get(pk=run.id).status == "Succeeded"
    assert tick(clock()) == 0


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_lease_alive_while_a_slow_call_runs(monkeypatch) -> None:
    """A call longer than the lease must not let another worker take the run over."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(2.5)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SLUICE_RUN_LEASE_SECONDS", "1")
    workflow = make_workflow(
        "slowcall",
        {
            "Call": {
                "type": "Http",
                "inputs": {"method": "GET", "uri": f"http://127.0.0.1:{server.server_address[1]}/"},
            },
        },
    )
    monkeypatch.setattr("workflows.tasks.dispatch", lambda *args, **kwargs: None)
    run = services.create_run(workflow, "manual", {"body": None})
    stolen = []

    def try_to_steal() -> None:
        from django.db import connection

        time.sleep(1.5)  # the original lease (1 s) would have expired by now
        stolen.append(acquire_lease(run.id, new_owner(), datetime.now(UTC)))
        connection.close()

    thief = threading.Thread(target=try_to_steal)
    thief.start()
    assert advance_run_now(run.id) == "Succeeded"
    thief.join()
    run.refresh_from_db()
    server.shutdown()
    server.server_close()
    assert run.status == "Succeeded" and stolen == [False]


SKIPPING = {
    "A": {"type": "Compose", "inputs": "@triggerBody()"},
    "Never": {"type": "Compose", "inputs": 1, "runAfter": {"A": ["Failed"]}},
    "B": {"type": "Compose", "inputs": "@add(outputs('A'), 1)", "runAfter": {"A": ["Succeeded"]}},
}


@pytest.mark.django_db
def test_a_fresh_run_finished_in_memory_writes_its_records_and_end_together() -> None:
    run = services.create_run(make_workflow("together", SKIPPING), "manual", {"body": 41})
    assert advance_run_now(run.id) == "Succeeded"
    stored = Run.objects.get(pk=run.id)
    assert (stored.status, stored.lease_owner, stored.started_at is not None) == (
        "Succeeded",
        "",
        True,
    )
    assert record(run.id, "B").outputs == 42
    never = record(run.id, "Never")  # NULL columns in the same INSERT as the others
    assert (never.status, never.inputs, never.outputs) == ("Skipped", None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("leased", [False, True], ids=["unclaimed", "leased"])
def test_a_driver_that_lost_the_run_before_its_last_write_writes_nothing(
    leased, monkeypatch
) -> None:
    """Another driver took the run after this one read it: the end's compare-and-set
    misses, and the action records of the same write are not kept either."""
    from workflows import tasks

    run = services.create_run(make_workflow("stolen", SKIPPING), "manual", {"body": 1})
    if leased:  # a started run: the driver leases it first, loses it while running
        Run.objects.filter(pk=run.id).update(started_at=datetime.now(UTC))
    advance = tasks.advance

    def stolen(*args, **kwargs):
        result = advance(*args, **kwargs)  # the actions ran; the last write is next
        Run.objects.filter(pk=run.id).update(
            status="Running",
            started_at=datetime.now(UTC),
            lease_owner="someone-else",
            lease_expires_at=datetime.now(UTC) + timedelta(minutes=5),
        )
        return result

    monkeypatch.setattr(tasks, "advance", stolen)
    assert advance_run_now(run.id) == "lost-race"
    assert not ActionRun.objects.filter(run_id=run.id).exists()
    assert Run.objects.get(pk=run.id).lease_owner == "someone-else"
