"""Stateless workflows as a web process serves them (not eager mode): what a run
leaves in the history (as Logic Apps: nothing when it succeeded, unless
`WithStatelessRunHistory`; a summary when it did not — `services.stateless_history`),
the caller answered before a summary is written (`workflows.writebehind`), the
summary written by the process's write-behind thread, and the trigger endpoint
remembering workflows briefly but forgetting them at once when this process
changes them (`callback._load`)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings

from accounts.connections import appsetting_named
from accounts.models import AppSetting, Role
from tests.api.helpers import make_user, post_trigger, until
from workflows import writebehind
from workflows.api import saving
from workflows.models import ActionRun, Run, Workflow

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("both_doors")]

ADD = {
    "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}},
    "actions": {
        "Add": {"type": "Compose", "inputs": "@add(triggerBody()?['a'], 1)"},
        "Reply": {
            "type": "Response",
            "inputs": {"statusCode": 200, "body": {"sum": "@outputs('Add')"}},
            "runAfter": {"Add": ["Succeeded"]},
        },
    },
}


def _save(name: str, definition: dict = ADD, kind: str = "Stateless") -> Workflow:
    doc = {"definition": definition, "kind": kind}
    user = get_user_model().objects.filter(username=f"u-{name}").first()
    workflow, _ = saving.save(name, doc, user or make_user(f"u-{name}", Role.EDITOR))
    return workflow


FAILS = {
    **ADD,
    "actions": {
        **ADD["actions"],
        "Add": {"type": "Compose", "inputs": "@div(triggerBody()?['a'], 0)"},
    },
}


def test_a_run_that_succeeded_leaves_no_history_by_default() -> None:
    from workflows.ops import RUNS_FINISHED

    workflow = _save("quiet")
    before = RUNS_FINISHED.labels(workflow="quiet", status="Succeeded")._value.get()
    response = post_trigger(workflow, {"a": 1})  # eager mode: anything kept is written now
    assert response.status_code == 200 and response.json() == {"sum": 2}
    assert response["x-ms-workflow-run-id"]  # the run has its id, as in Logic Apps
    assert not Run.objects.exists() and not ActionRun.objects.exists()
    assert RUNS_FINISHED.labels(workflow="quiet", status="Succeeded")._value.get() == before + 1


def test_a_run_that_failed_keeps_its_summary_by_default() -> None:
    workflow = _save("broken", FAILS)
    response = post_trigger(workflow, {"a": 1})
    run = Run.objects.get(pk=response["x-ms-workflow-run-id"])
    assert (run.status, run.kind) == ("Failed", "Stateless")
    assert run.state["actions"]["Add"] == "Failed"
    assert not ActionRun.objects.exists()


@pytest.mark.parametrize(
    ("mode", "kept"), [("all", {"Succeeded", "Failed"}), ("none", set()), ("failed", {"Failed"})]
)
def test_the_setting_chooses_which_runs_keep_a_summary(mode, kept) -> None:
    ok, broken = _save("fine"), _save("broken", FAILS)
    with override_settings(SLUICE_STATELESS_RUN_SUMMARIES=mode):
        post_trigger(ok, {"a": 1})
        post_trigger(broken, {"a": 1})
    assert set(Run.objects.values_list("status", flat=True)) == kept


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, SLUICE_STATELESS_RUN_SUMMARIES="all")
def test_the_caller_is_answered_first_and_the_summary_written_behind(monkeypatch) -> None:
    workflow = _save("behind")
    writer = writebehind.Writer(delay=3600)  # its thread would wait an hour: we flush
    monkeypatch.setattr(writebehind, "_writer", writer)
    response = post_trigger(workflow, {"a": 41})
    assert response.status_code == 200 and response.json() == {"sum": 42}
    run_id = response["x-ms-workflow-run-id"]
    assert writer.pending() == 1 and not Run.objects.filter(pk=run_id).exists()
    writer.flush()
    run = Run.objects.get(pk=run_id)
    assert (run.status, run.kind, run.workflow_id) == ("Succeeded", "Stateless", workflow.id)
    assert run.response["body"] == {"sum": 42}
    assert not ActionRun.objects.filter(run_id=run_id).exists()  # no history by default


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, SLUICE_STATELESS_RUN_SUMMARIES="all")
def test_the_write_behind_thread_writes_many_requests_in_batches(monkeypatch) -> None:
    workflow = _save("batched")
    writer = writebehind.Writer(delay=0.05)
    monkeypatch.setattr(writebehind, "_writer", writer)
    ids = [post_trigger(workflow, {"a": n})["x-ms-workflow-run-id"] for n in range(30)]
    until(lambda: Run.objects.filter(pk__in=ids).count() == 30)
    assert writer.pending() == 0


@override_settings(SLUICE_STATELESS_RUN_SUMMARIES="all")
def test_rows_the_database_refuses_are_kept_and_written_later(monkeypatch) -> None:
    from tests.runner.helpers import make_workflow

    workflow = make_workflow("refused", ADD["actions"], kind="Stateless")
    from workflows import services

    run = services.run_inline(workflow, "manual", {"body": {"a": 1}}, defer_write=True)
    writer = writebehind.writer()
    real = writebehind.rows.insert_together
    calls = []

    def refuse_once(*groups):
        calls.append(len(groups))
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        return real(*groups)

    monkeypatch.setattr(writebehind.rows, "insert_together", refuse_once)
    writer.flush()  # refused: kept
    assert writer.pending() == 1 and not Run.objects.filter(pk=run.id).exists()
    writer.flush()
    assert writer.pending() == 0 and Run.objects.filter(pk=run.id).exists()


def test_with_stateless_run_history_keeps_the_action_rows() -> None:
    workflow = _save("historic")
    AppSetting.objects.create(name="Workflows.historic.OperationOptions", encrypted_value="")
    setting = AppSetting.objects.get(name="Workflows.historic.OperationOptions")
    from accounts.connections import set_appsetting_value

    set_appsetting_value(setting, "WithStatelessRunHistory")
    setting.save()  # the save signal forgets the remembered value at once
    assert appsetting_named("Workflows.historic.OperationOptions") == "WithStatelessRunHistory"
    response = post_trigger(workflow, {"a": 1})  # eager mode: written before answering
    assert response.status_code == 200
    rows = ActionRun.objects.filter(run_id=response["x-ms-workflow-run-id"])
    assert sorted((r.name, r.status) for r in rows) == [
        ("Add", "Succeeded"),
        ("Reply", "Succeeded"),
    ]
    assert rows.get(name="Add").outputs == 2


def test_the_trigger_endpoint_forgets_a_workflow_changed_in_this_process() -> None:
    workflow = _save("remembered")
    assert post_trigger(workflow, {"a": 1}).json() == {"sum": 2}
    workflow.state = Workflow.State.DISABLED
    workflow.save()
    assert post_trigger(workflow, {"a": 1}).status_code == 409  # not the remembered, enabled one
    workflow.state = Workflow.State.ENABLED
    workflow.save()
    changed = {**ADD, "actions": {**ADD["actions"]}}
    changed["actions"]["Add"] = {"type": "Compose", "inputs": "@add(triggerBody()?['a'], 100)"}
    _save("remembered", changed)
    assert post_trigger(workflow, {"a": 1}).json() == {"sum": 101}


@override_settings(SLUICE_WORKFLOW_CACHE_SECONDS=3600)
def test_a_change_made_by_another_process_applies_after_the_cache_time() -> None:
    workflow = _save("elsewhere")
    assert post_trigger(workflow, {"a": 1}).status_code == 200
    with connection.cursor() as cursor:  # as another process would: no signals here
        cursor.execute(
            f"UPDATE {Workflow._meta.db_table} SET state = %s WHERE id = %s",
            [Workflow.State.DISABLED, workflow.id],
        )
    assert post_trigger(workflow, {"a": 1}).status_code == 200  # still remembered
    with override_settings(SLUICE_WORKFLOW_CACHE_SECONDS=0):
        assert post_trigger(workflow, {"a": 1}).status_code == 409
