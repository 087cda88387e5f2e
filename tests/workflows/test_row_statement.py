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
