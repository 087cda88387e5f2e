"""The engine feeds /metrics' action histogram; the scheduler applies retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.runner.helpers import make_workflow
from workflows import services, ticks
from workflows.models import Run
from workflows.ops import REGISTRY


def compose_count() -> float:
    value = REGISTRY.get_sample_value(
        "sluice_action_duration_seconds_count", {"type": "Compose", "status": "Succeeded"}
    )
    return value or 0.0


@pytest.mark.django_db
def test_it_observes_each_finished_action_in_the_duration_histogram(clock) -> None:
    before = compose_count()
    workflow = make_workflow(
        "observed", {"A": {"type": "Compose", "inputs": 1}, "B": {"type": "Compose", "inputs": 2}}
    )
    run = services.drive(
        services.create_run(workflow, "manual", {"body": None}).id, sleep=clock.sleep
    )
    assert run.status == "Succeeded"
    assert compose_count() == before + 2


@pytest.mark.django_db
def test_it_deletes_runs_past_retention_from_the_scheduler_tick(
    clock, settings, monkeypatch
) -> None:
    settings.SLUICE_RETENTION_DAYS = 30
    monkeypatch.setattr(ticks, "_last_retention", [])
    workflow = make_workflow("kept", {"A": {"type": "Compose", "inputs": 1}})
    old = services.drive(
        services.create_run(workflow, "manual", {"body": None}).id, sleep=clock.sleep
    )
    new = services.drive(
        services.create_run(workflow, "manual", {"body": None}).id, sleep=clock.sleep
    )
    long_ago = datetime.now(UTC) - timedelta(days=31)
    Run.objects.filter(pk=old.pk).update(
        created_at=long_ago, started_at=long_ago, ended_at=long_ago
    )
    ticks.tick(datetime.now(UTC))
    assert set(Run.objects.values_list("pk", flat=True)) == {new.pk}
