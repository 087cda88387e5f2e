"""Dispatches go to the workers in batches (`workflows.dispatching`): one Celery
message for the runs that gathered within the linger time, each run still driven
on its own, and nothing lost when a message is."""

from __future__ import annotations

import threading
import time

import pytest
from django.test import override_settings

from tests.runner.helpers import make_workflow
from workflows import dispatching, rawsql, services, tasks
from workflows.models import ActionRun, Run

ACTIONS = {"A": {"type": "Compose", "inputs": "@triggerBody()"}}


class Sent:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.event = threading.Event()

    def __call__(self, batch: list[str]) -> None:
        self.batches.append(batch)
        self.event.set()


def test_ids_that_arrive_within_the_linger_time_go_in_one_message() -> None:
    sent = Sent()
    batcher = dispatching.Batcher(sent, linger=0.2)
    for run_id in ("a", "b", "a", "c"):
        batcher.add(run_id)
    assert sent.event.wait(5)
    assert sent.batches == [["a", "b", "c"]]  # in order, a run named once
    assert batcher.pending() == 0


def test_a_batch_holds_at_most_max_batch_ids_and_flush_sends_at_once() -> None:
    sent = Sent()
    batcher = dispatching.Batcher(sent, linger=3600)  # its thread waits: we flush
    ids = [f"run-{n}" for n in range(dispatching.MAX_BATCH + 5)]
    for run_id in ids:
        batcher.add(run_id)
    batcher.flush()
    assert [len(b) for b in sent.batches] == [dispatching.MAX_BATCH, 5]
    assert [i for b in sent.batches for i in b] == ids


def test_a_message_that_cannot_be_sent_is_logged_and_the_rest_go_on(caplog) -> None:
    calls: list[list[str]] = []

    def send(batch: list[str]) -> None:
        calls.append(batch)
        if len(calls) == 1:
            raise ConnectionError("broker down")

    batcher = dispatching.Batcher(send, linger=3600)
    for n in range(dispatching.MAX_BATCH + 1):
        batcher.add(f"r{n}")
    batcher.flush()
    assert len(calls) == 2 and calls[1] == [f"r{dispatching.MAX_BATCH}"]
    assert "the sweep will" in caplog.text


@pytest.mark.django_db
def test_a_lost_message_leaves_the_run_due_for_the_sweep() -> None:
    """What makes dropping a message safe: a new run is due 5 s after it was made."""
    run = services.create_run(make_workflow("due", ACTIONS), "manual", {"body": 1})
    run.refresh_from_db()
    assert run.due_at is not None and run.started_at is None


@pytest.mark.django_db(transaction=True)
def test_outside_eager_mode_dispatch_batches_and_advance_runs_drives_each(monkeypatch) -> None:
    sent = Sent()
    monkeypatch.setattr(dispatching, "_batcher", dispatching.Batcher(sent, linger=3600))
    workflow = make_workflow("batched", ACTIONS)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        ids = [services.create_run(workflow, "manual", {"body": n}).id for n in range(3)]
    dispatching.flush()
    assert sent.batches == [ids]
    reads: list[str] = []
    fetch = rawsql.fetch
    monkeypatch.setattr(
        rawsql, "fetch", lambda sql, *a, **k: reads.append(sql) or fetch(sql, *a, **k)
    )
    assert tasks.advance_runs.apply(args=(ids,)).get() == ["Succeeded"] * 3
    assert [Run.objects.get(pk=i).status for i in ids] == ["Succeeded"] * 3
    assert len(reads) == 1  # one read for the batch
    composed = ActionRun.objects.filter(run_id__in=ids, path="A")
    assert sorted(row.outputs for row in composed) == [0, 1, 2]


def test_one_message_per_run_when_the_linger_time_is_zero(monkeypatch) -> None:
    monkeypatch.setenv("SLUICE_DISPATCH_LINGER_SECONDS", "0")
    sent: list[tuple] = []
    monkeypatch.setattr(tasks.advance_run, "apply_async", lambda *a, **k: sent.append((a, k)))
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        tasks.dispatch("x")
        tasks.dispatch("y", countdown=30)  # a timer is never batched
    assert sent == [((("x",),), {"countdown": None}), ((("y",),), {"countdown": 30})]


def test_a_run_that_fails_does_not_stop_the_others(monkeypatch) -> None:
    monkeypatch.setattr(tasks, "load_runs", lambda ids: {})

    def turn(run_id: str, **_) -> str:
        if run_id == "bad":
            raise RuntimeError("boom")
        return "Succeeded"

    monkeypatch.setattr(tasks, "advance_run_now", turn)
    assert tasks.advance_runs.apply(args=(["a", "bad", "b"],)).get() == [
        "Succeeded",
        "failed",
        "Succeeded",
    ]


def test_a_batch_of_long_turns_hands_the_rest_back_to_the_queue(monkeypatch) -> None:
    handed: list[list[str]] = []
    monkeypatch.setattr(tasks, "BATCH_SECONDS", 0.05)
    monkeypatch.setattr(tasks, "send_batch", handed.append)
    monkeypatch.setattr(tasks, "load_runs", lambda ids: {})
    monkeypatch.setattr(
        tasks, "advance_run_now", lambda run_id, **_: time.sleep(0.06) or "Succeeded"
    )
    assert tasks.advance_runs.apply(args=(["a", "b", "c"],)).get() == ["Succeeded"]
    assert handed == [["b", "c"]]


def test_a_forked_child_starts_with_a_batcher_of_its_own(monkeypatch) -> None:
    sent = Sent()
    parent = dispatching.Batcher(sent, linger=3600)
    parent.add("from-the-parent")
    monkeypatch.setattr(dispatching, "_batcher", parent)
    dispatching._forget_after_fork()
    assert dispatching._batcher is None
    parent.flush()  # the parent's atexit hook, run in the child: sends nothing again
    assert sent.batches == []
