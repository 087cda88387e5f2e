"""Writing and reading run rows on the hot path without the ORM's per-statement
compilation (a synchronous Request trigger spends most of its time there).

`insert(objects)` writes model instances of one model in one multi-row INSERT.
Each value still goes through its field's `pre_save` and `get_db_prep_save` — so
`auto_now_add` stamps, JSON encoding and the secret scrubber that wraps the run
records' JSON fields (`accounts.signals`) apply exactly as in `save()`. Unlike
`save()` it sends no signals and does not read back auto-increment keys: use it
for rows whose primary key is set in Python, or whose key nobody needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, router, transaction
from django.db.models import Model, signals
from django.db.models.base import ModelState
from django.utils import timezone


@contextmanager
def prepared(sql: str, params: list[Any] | tuple[Any, ...]) -> Iterator[Any]:
    """A cursor that has run `sql`. On PostgreSQL the statement is prepared: the
    server plans it once per connection, not at every call (planning the run's
    three-table SELECT cost seven times its execution). Django turns prepared
    statements off (for connection poolers in transaction mode, which Sluice does
    not use); `config.postgres` lets a statement ask, and these hot-path ones are
    few and fixed, so each connection keeps a handful. Elsewhere, a plain cursor."""
    with connection.cursor() as cursor:  # health check, error wrapping, as usual
        raw = cursor.cursor.connection
        if connection.vendor != "postgresql" or raw.prepare_threshold is None:
            cursor.execute(sql, params)  # (Django's own backend turns preparing off)
            yield cursor
            return
        with connection.wrap_database_errors, psycopg.Cursor(raw) as server:
            server.execute(sql, params, prepare=True)
            yield server


@lru_cache(maxsize=128)
def insert_sql(table: str, columns: tuple[str, ...], rows: int) -> str:
    """`INSERT INTO table (columns) VALUES (%s, …), …` for `rows` rows."""
    quote = connection.ops.quote_name
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    names = ", ".join(quote(c) for c in columns)
    return f"INSERT INTO {quote(table)} ({names}) VALUES " + ", ".join([marks] * rows)


@lru_cache(maxsize=64)
def _insert_sql(model: type[Model], rows: int, skip_pk: bool) -> tuple[str, tuple[Any, ...]]:
    fields = tuple(
        f
        for f in model._meta.concrete_fields
        if not (skip_pk and f.primary_key)  # an auto-increment key the database numbers
    )
    return insert_sql(model._meta.db_table, tuple(f.column for f in fields), rows), fields


def insert(objects: list[Model]) -> None:
    """Multi-row INSERTs for `objects` (all of one model, all new), as few as the
    database's limit on query parameters allows."""
    if not objects:
        return
    batch = _batch_size(type(objects[0]), objects[0].pk is None, len(objects))
    for start in range(0, len(objects), batch):
        sql, values = _statement(objects[start : start + batch])
        with connection.cursor() as cursor:
            cursor.execute(sql, values)


def _wrapper() -> Any:
    """This thread's connection itself, not the `connection` proxy: preparing a
    field's value reads the connection several times, each read through the proxy
    a lookup (a third of the cost of preparing a run row)."""
    return connections[DEFAULT_DB_ALIAS]


def _statement(objects: list[Model]) -> tuple[str, list[Any]]:
    """The INSERT of `objects` (one statement) and its values.

    Each value is made as its field's `pre_save` + `get_db_prep_save` make it,
    by the shortest road for the common cases (`_plans`): preparing every value
    through its field's generic chain cost ~380 Python calls a run row — more than
    the rest of a stateless run's write."""
    model = type(objects[0])
    skip_pk = objects[0].pk is None
    sql, fields = _insert_sql(model, len(objects), skip_pk)
    plans = _plans(model, skip_pk)
    wrapper = _wrapper()
    values: list[Any] = []
    append = values.append
    for obj in objects:
        row = obj.__dict__
        for field, (attname, kinds, plan) in zip(fields, plans, strict=True):
            value = row.get(attname, _MISSING)
            if type(value) in kinds:  # stored as it is
                append(value)
                continue
            if plan is _STAMP:  # auto_now(_add): what pre_save does on an insert
                value = timezone.now()
                setattr(obj, attname, value)
            prepared = _by_road(field, value, plan, wrapper)
            if prepared is _MISSING:
                prepared = field.get_db_prep_save(field.pre_save(obj, True), wrapper)
            append(prepared)
        obj._state.adding = False
    return sql, values


_MISSING = object()
_NONE = type(None)
_MOMENT, _STAMP, _JSON = "moment", "stamp", "json"
_JSON_TYPES = frozenset({dict, list, str, int, float, bool})


@lru_cache(maxsize=64)
def _plans(model: type[Model], skip_pk: bool) -> tuple[tuple[str, tuple, str], ...]:
    """Per field of `_insert_sql(model, …, skip_pk)`: its attname, the value types it stores unchanged, and its road
    for other values — `_MOMENT` (a plain DateTimeField: an aware datetime goes
    straight to the backend's adapter), `_STAMP` (`auto_now(_add)`: stamped now,
    then the same), `_JSON` (the field's own `get_prep_value` — where the secret
    scrubber sits — then the backend's JSON adapter), or "" (the generic chain:
    subclasses, expressions, odd types)."""
    return tuple(_plan(f) for f in _insert_sql(model, 1, skip_pk)[1])


def _plan(field: Any) -> tuple[str, tuple, str]:
    return field.attname, _passing(field), _road(field)


def db_value(field: Any, value: Any, wrapper: Any) -> Any:
    """`field.get_db_prep_save(value, wrapper)`, by `_plans`' shortest road for
    the common cases (as `update()` prepares a value: no `pre_save`)."""
    plan = _FIELD_PLANS.get(id(field))
    if plan is None or plan[0] is not field:
        plan = _FIELD_PLANS[id(field)] = (field, *_plan(field)[1:])
    _, kinds, road = plan
    if type(value) in kinds:
        return value
    prepared = _by_road(field, value, road, wrapper)
    return field.get_db_prep_save(value, wrapper) if prepared is _MISSING else prepared


def _by_road(field: Any, value: Any, road: str, wrapper: Any) -> Any:
    """A value not stored as it is, prepared by its field's road (`_plans`), or
    `_MISSING` when only the field's own chain will do."""
    if road is _JSON and type(value) in _JSON_TYPES:
        return wrapper.ops.adapt_json_value(field.get_prep_value(value), field.encoder)  # scrubbed
    if road and road is not _JSON and type(value) is datetime and value.tzinfo:
        return moment_value(value, wrapper)
    return _MISSING


_FIELD_PLANS: dict[int, tuple[Any, tuple, str]] = {}


def moment_value(value: datetime, wrapper: Any) -> Any:
    """An aware datetime as the backend's adapter makes it (on SQLite with UTC
    connections, the text its adapter would write, without its conversions)."""
    if value.tzinfo is UTC and wrapper.vendor == "sqlite" and wrapper.timezone is UTC:
        return str(value.replace(tzinfo=None))
    return wrapper.ops.adapt_datetimefield_value(value)


def _passing(field: Any) -> tuple[type, ...]:
    kind = type(field)
    if kind is models.ForeignKey:
        target = type(field.target_field)
        if target in (models.AutoField, models.BigAutoField, models.IntegerField):
            return (int, _NONE)
        return (str, _NONE) if target is models.CharField else ()
    nulls = (_NONE,) if field.null else ()
    if kind in (models.CharField, models.TextField):
        return (str, *nulls)
    if kind is models.BooleanField:
        return (bool, *nulls)
    if _road(field) in (_JSON, _MOMENT):
        return nulls  # None is SQL NULL
    return ()


def _road(field: Any) -> str:
    kind = type(field)
    if kind is models.DateTimeField:
        return _STAMP if field.auto_now or field.auto_now_add else _MOMENT
    if kind is models.JSONField:
        return _JSON
    return ""


def insert_together(*groups: list[Model]) -> None:
    """Insert each group (all new instances of one model, as `insert`) atomically,
    in the order given. On PostgreSQL, when each group fits one INSERT, as one
    statement (`WITH g0 AS (INSERT …), … INSERT …`), which commits by itself
    outside a transaction: one round trip instead of BEGIN, the INSERTs and COMMIT.
    A key a later group refers to is seen (Django's foreign keys are checked at
    commit)."""
    groups = tuple(group for group in groups if group)
    if connection.vendor == "postgresql" and all(_fits_one(group) for group in groups):
        statements, values = [], []
        for group in groups:
            sql, group_values = _statement(group)
            statements.append(sql)
            values.extend(group_values)
        ctes = ", ".join(f"g{n} AS ({sql})" for n, sql in enumerate(statements[:-1]))
        with prepared((f"WITH {ctes} " if ctes else "") + statements[-1], values):
            return
    with transaction.atomic():
        for group in groups:
            insert(group)


def _fits_one(objects: list[Model]) -> bool:
    return len(objects) <= _batch_size(type(objects[0]), objects[0].pk is None, len(objects))


def _batch_size(model: type[Model], skip_pk: bool, count: int) -> int:
    """Rows per INSERT under the database's limit on query parameters."""
    if count == 1:
        return 1
    return _rows_per_insert(model, skip_pk, connection.vendor)


@lru_cache(maxsize=64)
def _rows_per_insert(model: type[Model], skip_pk: bool, vendor: str) -> int:
    _, fields = _insert_sql(model, 1, skip_pk)
    return max(1, connection.ops.bulk_batch_size(list(fields), range(10**6)))  # (no limit: all)


def run_response(run_id: str) -> tuple[Any, str] | None:
    """`(response, status)` of a run, or None when it does not exist."""
    from workflows.models import Run

    field = Run._meta.get_field("response")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT response, status FROM {Run._meta.db_table} WHERE id = %s", [run_id])
        row = cursor.fetchone()
    if row is None:
        return None
    response = row[0]
    if isinstance(response, str | bytes):  # SQLite, and PostgreSQL through Django's loader
        response = field.from_db_value(response, None, connection)
    return response, row[1]


def workflow_by_name(name: str) -> Any:
    """The workflow named `name` with its current version (definition from the
    per-process cache, `tasks.fill_definition`), or None. Both instances carry only
    the columns read here; others load on access, and `save()` writes only these."""
    from workflows.models import Workflow, WorkflowVersion
    from workflows.tasks import fill_definition

    workflows, versions = Workflow._meta.db_table, WorkflowVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.id, w.state, w.signing_key, w.current_version_id,"
            " v.workflow_id, v.number, v.kind, v.hash"
            f" FROM {workflows} w LEFT JOIN {versions} v ON v.id = w.current_version_id"
            " WHERE w.name = %s",
            [name],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    workflow = _partial(
        Workflow,
        id=row[0],
        name=name,
        state=row[1],
        signing_key=row[2],
        current_version_id=row[3],
    )
    if row[3] is not None:
        version = _partial(
            WorkflowVersion, id=row[3], workflow_id=row[4], number=row[5], kind=row[6], hash=row[7]
        )
        workflow.current_version = fill_definition(version)
    return workflow


def _partial(model: type[Model], **values: Any) -> Any:
    """An instance as the ORM builds it from a row holding only `values`' columns."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def new_instance(model: type[Model], **values: Any) -> Any:
    """`model(**values)` for the hot path: each field's default filled in from a
    table built once per model, not by `Model.__init__`'s generic walk over the
    fields (a fifth of a stateless run's CPU). The same instance otherwise;
    `values` may name a relation (`workflow=…`). Models with `pre_init` /
    `post_init` receivers are built by `__init__`, so the signals still fire."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model(**values)
    instance = model.__new__(model)
    state = instance._state = ModelState()
    constants, makers = _defaults(model)
    fields = instance.__dict__
    fields.update(constants)
    for attname, make in makers:
        fields[attname] = values.pop(attname) if attname in values else make()
    relations = _relations(model)
    for name, value in values.items():
        if name in constants:
            fields[name] = value
            continue
        field = relations.get(name)
        if field is None or type(value) is not field.related_model or router.routers:
            setattr(instance, name, value)  # through its descriptor
            continue
        # what the descriptor does for a saved instance when no router decides
        state.db = state.db or value._state.db or DEFAULT_DB_ALIAS
        value._state.db = value._state.db or state.db
        fields[field.attname] = getattr(value, field.target_field.attname)
        state.fields_cache[name] = value
    return instance


_IMMUTABLE = (str, int, float, bool, bytes, type(None))


@lru_cache(maxsize=32)
def _defaults(model: type[Model]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """Per concrete field of `model`: its default when that is one immutable
    value (no default: None or "", as `Field.get_default` says), else the callable
    that makes a fresh one (`dict`, `run_id`, a `db_default`)."""
    constants: dict[str, Any] = {}
    makers = []
    for field in model._meta.concrete_fields:
        fixed = not field.has_default() or not callable(field.default)
        if fixed and field.db_default is models.NOT_PROVIDED:
            value = field.get_default()
            if isinstance(value, _IMMUTABLE):  # (str-valued choices too)
                constants[field.attname] = value
                continue
        makers.append((field.attname, field._get_default))
    return constants, tuple(makers)


@lru_cache(maxsize=32)
def _relations(model: type[Model]) -> dict[str, Any]:
    """The plain foreign keys (one column, many-to-one) of `model`, by name."""
    return {
        f.name: f
        for f in model._meta.concrete_fields
        if type(f) is models.ForeignKey and len(f.related_fields) == 1
    }


def update(
    model: type[Model],
    pk: Any,
    values: dict[str, Any],
    *,
    lease_free_at: Any = None,
    **where: Any,
) -> int:
    """`UPDATE … SET values WHERE pk = pk AND where…` (equality; None = IS NULL);
    the number of rows hit. Values are prepared by their fields as in `update()`.
    `lease_free_at`: also require the run's lease to be free at that time."""
    return execute(*update_sql(model, pk, values, lease_free_at=lease_free_at, **where))


def execute(sql: str, params: list[Any]) -> int:
    """Run one write statement; the number of rows it hit."""
    with prepared(sql, params) as cursor:
        return cursor.rowcount


def update_sql(
    model: type[Model],
    pk: Any,
    values: dict[str, Any],
    *,
    lease_free_at: Any = None,
    **where: Any,
) -> tuple[str, list[Any]]:
    """The statement and parameters `update` runs."""
    wrapper = _wrapper()
    meta, quote = model._meta, wrapper.ops.quote_name
    sets, params = [], []
    for name, value in values.items():
        field = meta.get_field(name)
        sets.append(f"{quote(field.column)} = %s")
        params.append(db_value(field, value, wrapper))
    conditions = [f"{quote(meta.pk.column)} = %s"]
    params.append(pk)
    for name, value in where.items():
        field = meta.get_field(name)
        if value is None:
            conditions.append(f"{quote(field.column)} IS NULL")
        else:
            conditions.append(f"{quote(field.column)} = %s")
            params.append(field.get_db_prep_value(value, wrapper))
    if lease_free_at is not None:
        conditions.append("(lease_owner = '' OR lease_expires_at IS NULL OR lease_expires_at < %s)")
        params.append(meta.get_field("lease_expires_at").get_db_prep_value(lease_free_at, wrapper))
    sql = f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {' AND '.join(conditions)}"
    return sql, params
