"""The runs list as one hand-written SELECT: the monitor's hot path (see
`workflows/rawsql.py` for why and how values stay exactly what the ORM gives).

`RunListQuery` offers just enough of a QuerySet for DRF's `CursorPagination`:
`order_by("id" | "-id")`, `filter(id__gt=… | id__lt=…)` and slicing.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection

from workflows.models import Run, Workflow, WorkflowVersion
from workflows.rawsql import Column, column, fetch, prepare, q, select_list, table

COLUMNS = (
    Column("id", Run, "id", "r"),
    Column("workflow__name", Workflow, "name", "w"),
    Column("version__number", WorkflowVersion, "number", "v"),
    *(
        Column(name, Run, name, "r")
        for name in (
            "status",
            "trigger_name",
            "client_tracking_id",
            "correlation_id",
            "resubmitted_from",
            "created_at",
            "started_at",
            "ended_at",
            "error",
        )
    ),
)
KEYS = tuple(c.key for c in COLUMNS)
_OPERATORS = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _run(name: str) -> str:
    return column(Run, name, "r")


@cache
def _select(vendor: str) -> str:
    """`SELECT … FROM run r JOIN workflow w JOIN version v` (once per backend)."""
    return (
        f"SELECT {select_list(COLUMNS)} FROM {table(Run)} r "
        f"JOIN {table(Workflow)} w ON w.{q('id')} = {_run('workflow')} "
        f"JOIN {table(WorkflowVersion)} v ON v.{q('id')} = {_run('version')}"
    )


class RunListQuery:
    """Conditions on runs (`r`), oldest id first unless reversed; immutable."""

    def __init__(
        self, where: tuple[str, ...] = (), params: tuple = (), descending: bool = False
    ) -> None:
        self.conditions, self.params, self.descending = where, params, descending

    def where(self, condition: str, *params: Any) -> RunListQuery:
        return RunListQuery((*self.conditions, condition), (*self.params, *params), self.descending)

    def compare(self, name: str, lookup: str, value: Any) -> RunListQuery:
        """`r.<name> <op> value`, the value prepared by the field as the ORM would."""
        return self.where(f"{_run(name)} {_OPERATORS[lookup]} %s", prepare(Run, name, value))

    def among(self, name: str, values: list[str]) -> RunListQuery:
        if len(values) == 1:
            return self.compare(name, "exact", values[0])
        marks = ", ".join(["%s"] * len(values))
        return self.where(f"{_run(name)} IN ({marks})", *values)

    def workflow(self, name: str) -> RunListQuery:
        """`workflow_id = (SELECT id …)`, not a join on the name: with the join
        PostgreSQL walks the primary key instead of the (workflow, status, id) index."""
        sub = f"(SELECT {q('id')} FROM {table(Workflow)} WHERE {q('name')} = %s)"
        return self.where(f"{_run('workflow')} = {sub}", name)

    # --- the QuerySet surface CursorPagination uses ---------------------------

    def order_by(self, *fields: str) -> RunListQuery:
        assert fields in (("id",), ("-id",)), fields
        return RunListQuery(self.conditions, self.params, fields == ("-id",))

    def filter(self, **lookups: Any) -> RunListQuery:
        ((lookup, value),) = lookups.items()
        name, _, operator = lookup.partition("__")
        assert name == "id" and operator in ("gt", "lt"), lookup
        return self.compare(name, operator, value)

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        start, stop = window.start or 0, window.stop
        sql = _select(connection.vendor)
        if self.conditions:
            sql += " WHERE " + " AND ".join(self.conditions)
        sql += f" ORDER BY {_run('id')} {'DESC' if self.descending else 'ASC'} LIMIT %s OFFSET %s"
        return fetch(sql, (*self.params, stop - start, start), COLUMNS)
