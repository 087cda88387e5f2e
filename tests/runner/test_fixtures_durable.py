"""Every engine fixture again, through the durable driver and the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.fixtures import Finished, check, fixture_files, load
from tests.runner.helpers import make_workflow
from workflows import services
from workflows.models import ActionRun
from workflows.tasks import unseal


def run_durable(fixture: dict, clock) -> Finished:
    definition = fixture["definition"]
    extra = {key: value for key, value in definition.items() if key not in {"actions", "triggers"}}
    workflow = make_workflow("fixture", definition["actions"], **extra)
    trigger = fixture.get("trigger") or {}
    run = services.create_run(
        workflow,
        "manual",
        {"headers": trigger.get("headers") or {}, "body": trigger.get("body")},
        parameters=fixture.get("parameters"),
    )
    run = services.drive(run.id, sleep=clock.sleep)
    actions = {
        row.path: {
            "status": row.status,
            "code": row.code,
            "outputs": unseal(row.outputs),
            "error": row.error,
        }
        for row in ActionRun.objects.filter(run=run)
    }
    variables = (run.state or {}).get("variables") or {}
    return Finished(run.status, run.error, variables, run.response, run.outputs, actions)


@pytest.mark.django_db
@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_it_runs_fixture_durably(path: Path, clock) -> None:
    fixture = load(path)
    check(fixture, run_durable(fixture, clock))
