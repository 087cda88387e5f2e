"""The run tables keep few indexes (each is written by every new run, and the
run's own again when it ends), yet every lookup the engine, the sweep and
retention make is still served by one. Checked with SQLite's query plans on the
test database."""

from __future__ import annotations

import pytest
from django.db import connection

from workflows.models import ActionRun, Run, TriggerHistory

pytestmark = pytest.mark.django_db
DAY = "2026-01-01T00:00:00Z"


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


def index_names(model) -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name for name, info in found.items() if info["index"] and not info["primary_key"]}


def test_each_lookup_uses_an_index() -> None:
    lookups = {
        "the sweep": Run.objects.filter(status__in=["Waiting", "Running"], due_at__lte=DAY),
        "child runs": Run.objects.filter(parent_run_id__in=["a", "b"]),
        "resubmissions": Run.objects.filter(resubmitted_from_id="a"),
        "a workflow's runs": Run.objects.filter(workflow_id=1).order_by("-created_at"),
        "a run's actions": ActionRun.objects.filter(run_id="a").order_by(),
        "trigger history": TriggerHistory.objects.filter(workflow_id=1),
    }
    for name, queryset in lookups.items():
        table = queryset.model._meta.db_table
        found = plan(queryset)
        assert f"SEARCH {table} USING" in found and f"SCAN {table}" not in found, (name, found)


def test_no_index_repeats_the_start_of_another() -> None:
    run_indexes = index_names(Run)
    assert {"run_parent", "run_resubmitted_from", "run_status_due"} <= run_indexes
    for model in (Run, ActionRun, TriggerHistory):
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
        columns = [
            tuple(info["columns"]) for info in found.values() if info["index"] or info["unique"]
        ]
        for lone in [c for c in columns if len(c) == 1]:
            longer = [c for c in columns if len(c) > 1 and c[0] == lone[0]]
            assert not longer, (model.__name__, lone, longer)
