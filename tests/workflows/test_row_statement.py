"""`rows._statement` takes values a field would pass through unchanged as they
are: the values it binds are the ones `pre_save` + `get_db_prep_save` make."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from workflows import rows
from workflows.models import ActionRun, Run, Workflow, WorkflowVersion

pytestmark = pytest.mark.django_db


def _generic(obj) -> list:
    _, fields = rows._insert_sql(type(obj), 1, obj.pk is None)
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _fields(model) -> list[str]:
    return [f.name for f in rows._insert_sql(model, 1, False)[1]]


def test_the_values_are_what_the_fields_make():
    workflow = Workflow.objects.create(name="w")
    version = WorkflowVersion.objects.create(workflow=workflow, number=1, definition={}, hash="h")
    moment = datetime(2026, 11, 29, 7, 0, 1, 123456, tzinfo=UTC)
    elsewhere = moment.astimezone(timezone(timedelta(hours=5, minutes=30)))
    run = Run(
        workflow=workflow,
        version=version,
        status="Succeeded",
        trigger={"outputs": {"headers": {"A": "b"}, "body": [1, "x", None]}},
        started_at=moment,
        ended_at=elsewhere,  # another offset: the adapter makes it UTC
        due_at=None,
        response={"statusCode": 200},
        error=None,
        cancel_requested=True,
    )
    action = ActionRun(run=run, path="A", name="A", type="Compose", attempts=3, outputs=7)
    for obj in (run, action):
        _, values = rows._statement([obj])
        expected = _generic(obj)
        names = _fields(type(obj))
        stamp = {names.index("created_at")} if "created_at" in names else set()
        assert [v for i, v in enumerate(values) if i not in stamp] == [
            v for i, v in enumerate(expected) if i not in stamp
        ]


def test_values_of_other_types_still_go_through_their_fields():
    run = Run(trigger_name=42, started_at=datetime(2026, 1, 1, 12, 0, tzinfo=UTC))  # an int
    _, values = rows._statement([run])
    names = _fields(Run)
    assert values[names.index("trigger_name")] == "42"  # made a str by the field
    assert values[names.index("started_at")] == _generic(run)[names.index("started_at")]


def test_json_values_still_pass_the_secret_scrubber():
    from accounts.connections import set_appsetting_value
    from accounts.models import AppSetting

    setting = AppSetting(name="ApiKey")
    set_appsetting_value(setting, "s3cr3t-value-123")
    setting.save()
    run = Run(trigger={"outputs": {"body": {"text": "key is s3cr3t-value-123"}}})
    _, values = rows._statement([run])
    stored = values[_fields(Run).index("trigger")]
    assert "s3cr3t-value-123" not in stored and "********" in stored
    assert stored == _generic(run)[_fields(Run).index("trigger")]


def test_an_auto_now_add_stamp_is_set_on_the_instance_as_save_does():
    run = Run()
    _, values = rows._statement([run])
    assert run.created_at is not None
    assert values[_fields(Run).index("created_at")] == str(run.created_at.replace(tzinfo=None))


@pytest.mark.filterwarnings("ignore:DateTimeField Run.started_at received a naive datetime")
def test_update_values_are_what_the_fields_make():
    """`rows.db_value` (the UPDATE road: no `pre_save`) against `get_db_prep_save`."""
    from accounts.connections import set_appsetting_value
    from accounts.models import AppSetting

    setting = AppSetting(name="Token")
    set_appsetting_value(setting, "tok-9f8e7d6c5b4a")
    setting.save()
    moment = datetime(2026, 11, 29, 7, 0, 1, 5, tzinfo=UTC)
    cases = {
        "status": ["Succeeded", 7],
        "lease_owner": ["", "w1"],
        "outputs": [{"a": [1, None, "tok-9f8e7d6c5b4a"]}, [1], "s", 3, 2.5, True, None],
        "ended_at": [moment, moment.astimezone(timezone(timedelta(hours=-3))), None],
        "created_at": [moment],  # auto_now_add: an update binds what it is given
        "cancel_requested": [True, False],
        "started_at": [datetime(2026, 1, 1, 0, 0)],  # naive: the field's own road
    }
    for name, values in cases.items():
        field = Run._meta.get_field(name)
        for value in values:
            fast = rows.db_value(field, value, connection)
            assert fast == field.get_db_prep_save(value, connection), (name, value)
    stored = rows.db_value(Run._meta.get_field("outputs"), {"k": "tok-9f8e7d6c5b4a"}, connection)
    assert "tok-9f8e7d6c5b4a" not in stored  # the scrubber saw it
    _, params = rows.update_sql(Run, "r1", {"status": "Failed", "error": {"code": "X"}})
    assert params[:2] == ["Failed", '{"code": "X"}'] and params[-1] == "r1"


def test_action_rows_insert_the_values_the_fields_make():
    from workflows.engine.records import ActionRecord
    from workflows.tasks import INSERT_COLUMNS, _insert_values

    moment = datetime(2026, 11, 29, 7, 0, 1, tzinfo=UTC)
    record = ActionRecord(
        path="S/A", name="A", type="Compose", parent_path="S", iteration=None,
        status="Succeeded", started_at=moment, secure_inputs=False, secure_outputs=True,
    )  # fmt: skip
    record.ended_at, record.outputs, record.inputs = moment, {"x": 1}, [1, 2]
    values = dict(zip(INSERT_COLUMNS, _insert_values("r1", record, connection), strict=True))
    for column in ("started_at", "ended_at", "inputs"):
        field = ActionRun._meta.get_field(column)
        assert values[column] == field.get_db_prep_save(getattr(record, column), connection)
    assert values["due_at"] is None and values["error"] is None
    assert '"x": 1' not in values["outputs"]  # secured outputs are sealed before they are stored
    assert values["path"] == "S/A" and values["run_id"] == "r1"
