"""Operations endpoints, metrics, structured logs and run retention."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import Role
from tests.api.helpers import NO_RESPONSE, client_for, make_user
from workflows import ops
from workflows.api import saving
from workflows.logging import JsonFormatter, log_context
from workflows.models import ActionRun, Run, TriggerHistory

pytestmark = pytest.mark.django_db


def test_it_answers_healthz_to_anyone():
    response = Client().get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_it_reports_readiness_of_database_and_transport():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "transport": "ok"}


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_it_is_not_ready_when_the_transport_is_unreachable():
    from config.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = Client().get("/readyz")
    finally:
        app.conf.broker_url = None
        app.config_from_object("django.conf:settings", namespace="CELERY")
    assert response.status_code == 503
    assert response.json()["checks"]["transport"].startswith("unreachable")


def test_it_refuses_anonymous_metrics_and_serves_them_with_a_token(caplog):
    assert Client().get("/metrics").status_code == 401
    viewer = client_for("viewer")
    wf = saving.save("counted", {"definition": NO_RESPONSE}, make_user("m", Role.EDITOR))[0]
    Run.objects.create(workflow=wf, version=wf.current_version, trigger_name="manual")
    ops.record_action("Http", "Succeeded", 0.2)
    ops.record_run_finished("wf", "Succeeded")
    ops.register_backlog("test", lambda: {"queue-a": 3})
    text = viewer.get("/metrics").content.decode()
    assert 'sluice_runs{status="Waiting"}' in text
    assert "sluice_runs_waiting 1.0" in text
    assert 'sluice_runs_started_total{workflow="counted"}' in text
    assert "sluice_action_duration_seconds_bucket" in text
    assert 'sluice_runs_finished_total{status="Succeeded",workflow="wf"}' in text
    assert 'sluice_broker_backlog{entity="queue-a",source="test"} 3.0' in text
    assert "broker backlog callback broker failed" not in caplog.text


def test_it_writes_json_log_lines_naming_workflow_run_and_action():
    record = logging.LogRecord(
        "sluice.engine", logging.INFO, __file__, 1, "step %s", ("done",), None
    )
    record.workflow, record.run = "wf", "0857"
    with log_context(action="Compose"):
        line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "step done"
    assert (line["workflow"], line["run"], line["action"]) == ("wf", "0857", "Compose")
    assert line["level"] == "INFO"


def _old_run(wf, days: int, status="Succeeded") -> Run:
    run = Run.objects.create(
        workflow=wf, version=wf.current_version, status=status, trigger_name="manual"
    )
    Run.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=days))
    ActionRun.objects.create(run=run, path="A", name="A", type="Compose", status=status)
    TriggerHistory.objects.create(
        workflow=wf, trigger_name="manual", status="Succeeded", fired=True, run=run
    )
    return run


def test_it_deletes_ended_runs_older_than_the_retention_in_batches():
    wf = saving.save("wf", {"definition": NO_RESPONSE}, make_user("a", Role.EDITOR))[0]
    old = [_old_run(wf, 100) for _ in range(5)]
    running = _old_run(wf, 100, "Running")
    recent = _old_run(wf, 1)
    TriggerHistory.objects.filter(run__in=old).update(
        created_at=timezone.now() - timedelta(days=100)
    )
    assert ops.retention_tick(days=90, batch=2) == 5
    assert set(Run.objects.values_list("id", flat=True)) == {running.id, recent.id}
    assert not ActionRun.objects.filter(run_id__in=[r.id for r in old]).exists()
    assert TriggerHistory.objects.count() == 2


def test_it_runs_retention_from_the_command_line():
    wf = saving.save("wf", {"definition": NO_RESPONSE}, make_user("a", Role.EDITOR))[0]
    _old_run(wf, 40)
    out = io.StringIO()
    call_command("retention", "--days", "30", stdout=out)
    assert "deleted 1 run" in out.getvalue()
    assert not Run.objects.exists()


def test_it_masks_callback_signatures_in_log_lines():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Unauthorized: %s",
        ("/api/x/triggers/manual/invoke?sv=1.0&sig=SECRETSIG",),
        None,
    )
    record.request = "<WSGIRequest: POST '/api/x/triggers/manual/invoke?sv=1.0&sig=SECRETSIG'>"
    from accounts.logfilter import SecretMaskingFilter

    SecretMaskingFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "SECRETSIG" not in line
    assert "sig=********" in line
