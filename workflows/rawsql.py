"""Hand-written SELECTs for the hot read paths (the runs list, the run page, the
engine's read of a run) that still return exactly what the ORM would.

Why: for these pages Django spent more time *building* the SQL (`.values()` with
joins, annotations, filters) than PostgreSQL spent running it — ≈1 ms of Python
per query against a 0.2–0.4 ms index scan on a million runs. So the SQL is written
once from the models' metadata (table and column names, quoting by the backend),
and each value still goes through the field's own database preparation on the way
in and its converters on the way out (`JSONField.from_db_value`, SQLite's
timestamp parsing…): timestamps and JSON come out as the ORM gives them, on
PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from django.db import connection

from workflows.rows import prepared


class Column(NamedTuple):
    key: str  # the key in the row dict
    model: Any
    field: str  # a model field name
    alias: str  # the table alias in the SELECT


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model) -> str:
    return q(model._meta.db_table)


def column(model, name: str, alias: str) -> str:
    return f"{alias}.{q(model._meta.get_field(name).column)}"


def select_list(columns: tuple[Column, ...]) -> str:
    return ", ".join(column(c.model, c.field, c.alias) for c in columns)


def prepare(model, name: str, value: Any) -> Any:
    """`value` as the ORM would send it for a lookup on `model.name`."""
    return model._meta.get_field(name).get_db_prep_value(value, connection, prepared=False)


@cache
def _converters(columns: tuple[Column, ...], vendor: str) -> tuple[tuple[int, tuple, Any], ...]:
    """(position, functions, expression) for each column whose values need converting:
    what the ORM's compiler applies to the same column."""
    out = []
    for position, c in enumerate(columns):
        field = c.model._meta.get_field(c.field)
        expression = field.get_col(c.alias)
        found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
        if found:
            out.append((position, tuple(found), expression))
    return tuple(out)


def fetch(
    sql: str, params: tuple | list, columns: tuple[Column, ...], extra: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Rows of `sql` as dicts: it selects `columns` (converted like the ORM would)
    and then any computed columns named in `extra` (passed as they are)."""
    with prepared(sql, params) as cursor:
        rows = cursor.fetchall()
    converters = _converters(columns, connection.vendor)
    keys = tuple(c.key for c in columns) + extra
    out = []
    for row in rows:
        values = list(row)
        for position, functions, expression in converters:
            for function in functions:
                values[position] = function(values[position], expression, connection)
        out.append(dict(zip(keys, values, strict=True)))
    return out


def own_columns(model, alias: str, skip: tuple[str, ...] = ()) -> tuple[Column, ...]:
    """A `Column` for each concrete field of `model` but `skip`, keyed `alias.attname`."""
    return tuple(
        Column(f"{alias}.{f.attname}", model, f.name, alias)
        for f in model._meta.concrete_fields
        if f.name not in skip
    )


def instance(model, row: dict[str, Any], alias: str) -> Any:
    """The `model` instance the ORM would build from `row`'s `alias.` columns (the
    fields not selected are deferred: they load on access)."""
    prefix = alias + "."
    names = [key[len(prefix) :] for key in row if key.startswith(prefix)]
    return model.from_db(connection.alias, names, [row[prefix + name] for name in names])


def run_select(columns: tuple[Column, ...], where: str = "= %s") -> str:
    """`SELECT columns` from a run `r` with its workflow `w` and version `v`, for
    the run ids `where` matches (by default: the one id of the parameter)."""
    from workflows.models import Run, Workflow, WorkflowVersion

    return (
        f"SELECT {select_list(columns)} FROM {table(Run)} r "
        f"JOIN {table(Workflow)} w ON w.{q('id')} = {column(Run, 'workflow', 'r')} "
        f"JOIN {table(WorkflowVersion)} v ON v.{q('id')} = {column(Run, 'version', 'r')} "
        f"WHERE {column(Run, 'id', 'r')} {where}"
    )


def fetch_runs(columns: tuple[Column, ...], run_ids: list[str]) -> list[dict[str, Any]]:
    """`fetch` of `run_select` for several run ids in one statement: on PostgreSQL
    one array parameter (one statement text, prepared once, for any number)."""
    if connection.vendor == "postgresql":
        return fetch(run_select(columns, "= ANY(%s)"), (list(run_ids),), columns)
    marks = ", ".join(["%s"] * len(run_ids))
    return fetch(run_select(columns, f"IN ({marks})"), tuple(run_ids), columns)
