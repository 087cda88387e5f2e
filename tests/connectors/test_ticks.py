"""The scheduler tick against the database, with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors import ticks
from connectors.models import TriggerState
from tests.connectors.conftest import make_workflow
from workflows.models import Run, TriggerHistory, Workflow

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def every_minute(start: str = "2026-01-01T12:00:00Z", **extra) -> dict:
    return {
        "Every_minute": {
            "type": "Recurrence",
            "recurrence": {"frequency": "Minute", "interval": 1, "startTime": start, **extra},
        }
    }


def fired(workflow) -> list[datetime]:
    rows = TriggerHistory.objects.filter(workflow=workflow, fired=True).order_by("scheduled_for")
    return [h.scheduled_for for h in rows]


def test_it_fires_a_recurrence_once_per_occurrence():
    wf = make_workflow("minutely", every_minute())
    for seconds in (0, 0, 1, 30, 59, 60, 61, 120):
        ticks.tick(T0 + timedelta(seconds=seconds))
    assert fired(wf) == [T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)]
    assert Run.objects.filter(workflow=wf).count() == 3
    run = Run.objects.filter(workflow=wf).first()
    assert run.trigger_name == "Every_minute"


def test_it_waits_for_start_time():
    wf = make_workflow("later", every_minute("2026-01-01T13:00:00Z"))
    ticks.tick(T0)
    assert TriggerState.objects.get(workflow=wf).next_fire_at == T0 + timedelta(hours=1)
    assert fired(wf) == []


def test_it_fires_at_most_one_missed_occurrence_after_downtime():
    wf = make_workflow("downtime", every_minute())
    ticks.tick(T0)
    ticks.tick(T0 + timedelta(minutes=10, seconds=5))  # ten occurrences were missed
    assert fired(wf) == [T0, T0 + timedelta(minutes=1)]
    assert TriggerState.objects.get(workflow=wf).next_fire_at == T0 + timedelta(minutes=11)


def test_it_can_skip_missed_occurrences(settings):
    settings.SLUICE_SCHEDULER_MISSED = "none"
    wf = make_workflow("strict", every_minute())
    ticks.tick(T0)
    ticks.tick(T0 + timedelta(minutes=10, seconds=5))
    assert fired(wf) == [T0]
    skipped = TriggerHistory.objects.get(workflow=wf, status="Skipped")
    assert skipped.error["code"] == "MissedOccurrence"


def test_it_fires_immediately_without_start_time_then_every_interval():
    wf = make_workflow(
        "anchored",
        {"R": {"type": "Recurrence", "recurrence": {"frequency": "Minute", "interval": 5}}},
    )
    start = T0 + timedelta(seconds=17)
    ticks.tick(start)
    ticks.tick(start + timedelta(minutes=5))
    assert fired(wf) == [start, start + timedelta(minutes=5)]


def test_it_honours_count():
    wf = make_workflow("twice", every_minute(count=2))
    for minute in range(5):
        ticks.tick(T0 + timedelta(minutes=minute))
    assert len(fired(wf)) == 2
    assert TriggerState.objects.get(workflow=wf).next_fire_at is None


def test_it_parks_disabled_workflows_and_resumes_them():
    wf = make_workflow("toggle", every_minute())
    ticks.tick(T0)
    Workflow.objects.filter(pk=wf.pk).update(state="Disabled")
    ticks.tick(T0 + timedelta(minutes=1))
    assert TriggerState.objects.get(workflow=wf).next_fire_at is None
    Workflow.objects.filter(pk=wf.pk).update(state="Enabled")
    ticks.tick(T0 + timedelta(minutes=2))
    assert fired(wf) == [T0, T0 + timedelta(minutes=2)]


def test_it_follows_a_new_version():
    wf = make_workflow("edited", every_minute())
    ticks.tick(T0)
    make_workflow(
        "edited",
        {
            "Hourly": {
                "type": "Recurrence",
                "recurrence": {
                    "frequency": "Hour",
                    "interval": 1,
                    "startTime": "2026-01-01T12:00:00Z",
                },
            }
        },
    )
    ticks.tick(T0 + timedelta(minutes=1))
    states = TriggerState.objects.filter(workflow=wf)
    assert [s.trigger_name for s in states] == ["Hourly"]
    assert states[0].next_fire_at == T0 + timedelta(hours=1)


def test_it_records_a_skip_when_the_run_queue_is_full():
    trigger = every_minute()
    trigger["Every_minute"]["runtimeConfiguration"] = {
        "concurrency": {"runs": 1, "maximumWaitingRuns": 1}
    }
    wf = make_workflow("busy", trigger)
    for status in ("Running", "Waiting"):  # the one slot is busy and the queue is full
        Run.objects.create(workflow=wf, version=wf.current_version, status=status)
    ticks.tick(T0)
    history = TriggerHistory.objects.get(workflow=wf)
    assert history.status == "Skipped" and not history.fired
    assert history.error["code"] == "RunQueueFull"
    assert TriggerState.objects.get(workflow=wf).next_fire_at == T0 + timedelta(minutes=1)


def test_it_records_invalid_recurrences_without_firing():
    wf = make_workflow(
        "broken",
        {
            "R": {
                "type": "Recurrence",
                "recurrence": {"frequency": "Day", "interval": 1, "timeZone": "Nowhere"},
            }
        },
    )
    ticks.tick(T0)
    state = TriggerState.objects.get(workflow=wf)
    assert state.next_fire_at is None and "time zone" in state.error


def test_it_polls_an_http_trigger_and_starts_a_run_on_200(http_server):
    replies = iter([(202, {"Retry-After": "30"}, b""), (200, {}, {"job": 42})])
    http_server.routes["/work"] = lambda r: next(replies)
    wf = make_workflow(
        "poller",
        {
            "Poll": {
                "type": "Http",
                "inputs": {"method": "GET", "uri": http_server.url + "/work"},
                "recurrence": {
                    "frequency": "Minute",
                    "interval": 3,
                    "startTime": "2026-01-01T12:00:00Z",
                },
            }
        },
    )
    ticks.tick(T0)
    assert TriggerState.objects.get(workflow=wf).next_fire_at == T0 + timedelta(seconds=30)
    assert TriggerHistory.objects.get(workflow=wf).status == "Skipped"
    ticks.tick(T0 + timedelta(seconds=30))
    run = Run.objects.get(workflow=wf)
    assert run.trigger["outputs"]["body"] == {"job": 42}
    assert TriggerState.objects.get(workflow=wf).next_fire_at == T0 + timedelta(minutes=3)


def test_it_records_a_failed_poll_and_keeps_the_schedule(http_server):
    http_server.routes["/work"] = lambda r: (500, {}, "down")
    wf = make_workflow(
        "failing-poller",
        {
            "Poll": {
                "type": "Http",
                "inputs": {"method": "GET", "uri": http_server.url + "/work"},
                "recurrence": {
                    "frequency": "Minute",
                    "interval": 1,
                    "startTime": "2026-01-01T12:00:00Z",
                },
            }
        },
    )
    ticks.tick(T0)
    history = TriggerHistory.objects.get(workflow=wf)
    assert history.status == "Failed" and history.error["code"] == "InternalServerError"
    assert TriggerState.objects.get(workflow=wf).next_fire_at == T0 + timedelta(minutes=1)
    assert not Run.objects.filter(workflow=wf).exists()
