"""The durable driver: advance one run on a Celery worker, the database being the
source of truth.

`advance_run(run_id)` takes a lease on the run (compare-and-set on
`lease_owner`/`lease_expires_at`), loads its action runs into the pure engine,
and executes waves of ready actions, writing each wave's "started" rows before
executing it and its results after — so a worker killed mid-wave leaves rows
that say which actions were in flight; the next worker runs them again and
`attempts` says so. When nothing is ready now the run is parked: `due_at` is set
and an ETA task is sent; the `ticks.tick` sweep re-dispatches anything whose
message was lost or whose worker died. Every status change is a compare-and-set
update that must hit exactly one row.

Secure inputs/outputs (`runtimeConfiguration.secureData`) are stored encrypted
(`{"$secure": <token>}`) so a resumed run can still use them; readers show the
Logic Apps marker instead (`public_value`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import Any

from celery import shared_task
from celery.signals import task_postrun
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q

from workflows import dispatching, rawsql, rows
from workflows.actions import is_pure
from workflows.actions.runloop import PAUSE, Hooks, advance
from workflows.engine import ActionRecord, DefinitionError, Engine, RunState, Work, build_plan
from workflows.engine.records import TERMINAL
from workflows.models import ActionRun, Run, Workflow, WorkflowVersion
from workflows.statuses import ACTION_TRANSITIONS, Status, can_transition

log = logging.getLogger("sluice.engine")

SECURE_MARKER = "Content not shown due to security configuration."
SECURE_KEY = "$secure"
CONTAINER_TYPES = frozenset({"scope", "if", "switch", "foreach", "until"})
ACTIVE_RUN = (Status.WAITING, Status.RUNNING)
PURE_FLUSH_SECONDS = 0.2
BATCH_SECONDS = 1.0  # a batch of runs held by one task at most this long (then shared)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _setting(name: str, default: float) -> float:
    """A number from the environment, else from Django settings, else `default`."""
    return float(os.environ.get(name) or getattr(settings, name, default))


def lease_seconds() -> float:
    return _setting("SLUICE_RUN_LEASE_SECONDS", 120)


def task_budget_seconds() -> float:
    return _setting("SLUICE_RUN_TASK_BUDGET", 30)


def run_timeout() -> timedelta:
    return timedelta(seconds=_setting("SLUICE_RUN_TIMEOUT", 90 * 86400))


def run_label(run: Run) -> str:
    return f"[{run.workflow.name}/{run.id}]"


# ------------------------------------------------------------------ secrecy
def _fernet() -> Fernet:
    digest = hashlib.sha256(f"sluice-secure-data:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(value: Any) -> Any:
    if value is None:
        return None
    return {SECURE_KEY: _fernet().encrypt(json.dumps(value).encode()).decode()}


def unseal(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {SECURE_KEY}:
        try:
            return json.loads(_fernet().decrypt(value[SECURE_KEY].encode()))
        except InvalidToken:
            return None
    return value


def public_value(value: Any) -> Any:
    """What a reader (API, CLI) may show of a stored value."""
    if isinstance(value, dict) and set(value) == {SECURE_KEY}:
        return SECURE_MARKER
    return value


# ------------------------------------------------------------------ dispatch
def dispatch(run_id: str, countdown: float = 0) -> None:
    """Tell a worker to look at run `run_id` (now, or after `countdown` seconds).
    Now, outside eager mode: in a batch with others (`workflows.dispatching`)."""
    eager = getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    if eager and countdown > 0:
        return  # eager mode: timers are driven by `services.drive` or the tick
    if not eager and countdown <= 0 and dispatching.linger_seconds() > 0:
        dispatching.batcher(send_batch).add(run_id)
        return
    try:
        advance_run.apply_async((run_id,), countdown=max(0.0, countdown) or None)
    except Exception:
        log.warning("could not send advance_run for %s; the sweep will", run_id, exc_info=True)


def send_batch(run_ids: list[str]) -> None:
    if len(run_ids) == 1:
        advance_run.apply_async((run_ids[0],))
    else:
        advance_runs.apply_async((run_ids,))


def dispatch_on_commit(run_id: str, countdown: float = 0) -> None:
    transaction.on_commit(lambda: dispatch(run_id, countdown))


# --------------------------------------------------------------------- lease
def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(run_id: str, owner: str, now: datetime) -> bool:
    free = Q(lease_owner="") | Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
    updated = (
        Run.objects.filter(pk=run_id, status__in=ACTIVE_RUN)
        .filter(free)
        .update(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds()))
    )
    return updated == 1


def take_fresh(run: Run, owner: str, now: datetime) -> bool:
    """A run that never started: lease it and mark it Running in one compare-and-set
    (for triggers without a concurrency limit). It fails if anyone touched the run
    since `run` was read, so the caller's copy is current when it succeeds."""
    free = Q(lease_owner="") | Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
    expires = now + timedelta(seconds=lease_seconds())
    hit = (
        Run.objects.filter(pk=run.pk, status=Status.WAITING, started_at__isnull=True)
        .filter(free)
        .update(status=Status.RUNNING, started_at=now, lease_owner=owner, lease_expires_at=expires)
    )
    if hit == 1:
        run.status, run.started_at = Status.RUNNING, now
        run.lease_owner, run.lease_expires_at = owner, expires
    return hit == 1


def renew_lease(run_id: str, owner: str, now: datetime) -> bool:
    expires = now + timedelta(seconds=lease_seconds())
    return Run.objects.filter(pk=run_id, lease_owner=owner).update(lease_expires_at=expires) == 1


def release_lease(run_id: str, owner: str) -> None:
    Run.objects.filter(pk=run_id, lease_owner=owner).update(lease_owner="", lease_expires_at=None)


# -------------------------------------------------------------- plan & state
@lru_cache(maxsize=256)
def _plan_for(version_id: int, definition_json: str) -> Any:
    return build_plan(json.loads(definition_json))


def cached_plan(version_id: int, definition: dict[str, Any]) -> Any:
    """Plans are immutable per version (versions never change), so cache by id+content."""
    return _plan_for(version_id, json.dumps(definition, sort_keys=True))


_plans: dict[tuple[int, str], Any] = {}


def plan_for_version(version: WorkflowVersion) -> Any:
    """The version's plan, cached by id and content hash (no re-serialising)."""
    if not version.pk or not version.hash:
        return cached_plan(version.pk or 0, version.definition)
    key = (version.pk, version.hash)
    plan = _plans.get(key)
    if plan is None:
        if len(_plans) > 256:
            _plans.clear()
        plan = _plans[key] = build_plan(version.definition)
    return plan


def plan_for(run: Run) -> Any:
    return plan_for_version(run.version)


@lru_cache(maxsize=512)
def _definition(pk: int, content_hash: str) -> dict[str, Any]:
    return WorkflowVersion.objects.values_list("definition", flat=True).get(pk=pk)


def fill_definition(version: WorkflowVersion) -> WorkflowVersion:
    """`version` read with its definition deferred: fill it in from a per-process
    cache keyed by id and content hash (versions never change once written, and
    the hash tells a reused id apart), saving a large JSON read and parse per run
    turn or request. The cached definition is shared: never mutate it."""
    version.definition = _definition(version.pk, version.hash)
    return version


def load_run(run_id: str) -> Run | None:
    """The run with its workflow and version, in one SELECT written once (building
    it with the ORM's `select_related` cost more than running it); the version's
    definition comes from the per-process cache."""
    found = rawsql.fetch(_turn_sql(connection.vendor), (run_id,), _turn_columns())
    return _run_from_row(found[0]) if found else None


def load_runs(run_ids: list[str]) -> dict[str, Run]:
    """`load_run` for several runs in one SELECT: id → run, for those that exist."""
    runs = (_run_from_row(row) for row in rawsql.fetch_runs(_turn_columns(), run_ids))
    return {run.pk: run for run in runs}


def _run_from_row(row: dict[str, Any]) -> Run:
    run = rawsql.instance(Run, row, "r")
    run.workflow = rawsql.instance(Workflow, row, "w")
    run.version = fill_definition(rawsql.instance(WorkflowVersion, row, "v"))
    return run


@lru_cache(maxsize=1)
def _turn_columns() -> tuple[rawsql.Column, ...]:
    return (
        *rawsql.own_columns(Run, "r"),
        *rawsql.own_columns(Workflow, "w"),
        *rawsql.own_columns(WorkflowVersion, "v", skip=("definition",)),
    )


@lru_cache(maxsize=4)
def _turn_sql(vendor: str) -> str:
    return rawsql.run_select(_turn_columns())


def bare_definition(definition: dict[str, Any]) -> dict[str, Any]:
    inner = definition.get("definition")
    return inner if isinstance(inner, dict) and "actions" not in definition else definition


def parameter_values(definition: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    declared = bare_definition(definition).get("parameters") or {}
    values = {name: (spec or {}).get("defaultValue") for name, spec in declared.items()}
    return {**values, **{name: unseal(value) for name, value in (overrides or {}).items()}}


SECURE_PARAMETER_TYPES = frozenset({"securestring", "secureobject"})


def stored_parameters(definition: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Parameter values as kept on the run: securestring/secureobject ones sealed."""
    declared = bare_definition(definition).get("parameters") or {}
    secure = {
        n
        for n, spec in declared.items()
        if str((spec or {}).get("type", "")).lower() in SECURE_PARAMETER_TYPES
    }
    return {name: seal(value) if name in secure else value for name, value in values.items()}


def record_from_row(row: ActionRun) -> ActionRecord:
    return ActionRecord(
        path=row.path,
        name=row.name,
        type=row.type,
        parent_path=row.parent_path,
        iteration=row.iteration,
        status=row.status,
        code=row.code,
        inputs=unseal(row.inputs),
        outputs=unseal(row.outputs),
        error=row.error,
        started_at=row.started_at,
        ended_at=row.ended_at,
        attempts=row.attempts,
        retry_history=row.retry_history or [],
        due_at=row.due_at,
        state=row.state or {},
        tracked_properties=row.tracked_properties,
        secure_inputs=row.secure_inputs,
        secure_outputs=row.secure_outputs,
        db_id=row.pk,
        stored_status=row.status,
    )


def workflow_context(run: Run) -> dict[str, Any]:
    definition = bare_definition(run.version.definition)
    return {
        "id": f"/workflows/{run.workflow.name}",
        "name": run.workflow.name,
        "type": "workflows",
        "run": {
            "id": f"/workflows/{run.workflow.name}/runs/{run.id}",
            "name": run.id,
            "type": "workflows/runs",
        },
        "outputs": definition.get("outputs") or {},
    }


def load_state(run: Run, *, fresh: bool = False) -> RunState:
    """The run's state; `fresh` (first turn of a new run) skips reading action runs."""
    saved = run.state or {}
    state = RunState(
        variables=saved.get("variables") or {},
        variable_types=saved.get("variable_types") or {},
        parameters=parameter_values(run.version.definition, saved.get("parameters") or {}),
        trigger=run.trigger or {},
        workflow=workflow_context(run),
        started_at=run.started_at,
        response=run.response,
    )
    if not fresh:
        for row in ActionRun.objects.filter(run=run).order_by("id"):
            state.records[row.path] = record_from_row(row)
    return state


def run_state_blob(run: Run, state: RunState) -> dict[str, Any]:
    return {
        **(run.state or {}),
        "variables": state.variables,
        "variable_types": state.variable_types,
    }


_connection_checks: dict[tuple[int, str], bool] = {}


def _needs_resolution(definition: dict[str, Any], version: WorkflowVersion | None) -> bool:
    """Whether the definition mentions connections or app settings (cached per version)."""
    key = (version.pk, version.hash) if version is not None and version.pk else None
    if key is not None and key in _connection_checks:
        return _connection_checks[key]
    text = json.dumps(definition)
    needed = "appsetting" in text or "onnection" in text
    if key is not None:
        if len(_connection_checks) > 1024:
            _connection_checks.clear()
        _connection_checks[key] = needed
    return needed


def connections_and_settings(
    definition: dict[str, Any], version: WorkflowVersion | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    if not _needs_resolution(definition, version):
        return {}, {}  # nothing to resolve: skip the lookups
    try:
        from accounts.connections import resolve_for_run
    except ImportError:
        return {}, {}
    try:
        return resolve_for_run(definition)
    except Exception:
        log.warning("could not resolve connections/app settings", exc_info=True)
        return {}, {}


def callback_url_for(run: Run) -> str | None:
    try:
        from workflows.callback import callback_url

        return callback_url(run.workflow, run.trigger_name or "manual")
    except Exception:
        return None


# ------------------------------------------------------------------ persisting
class LostRace(Exception):
    """A compare-and-set update hit no row: someone else changed the run."""


UPDATE_FIELDS = (
    "status",
    "code",
    "started_at",
    "ended_at",
    "outputs",
    "error",
    "attempts",
    "retry_history",
    "tracked_properties",
    "state",
    "due_at",
)


def _stored(record: ActionRecord, field: str) -> Any:
    value = getattr(record, field)
    if field == "inputs" and record.secure_inputs:
        return seal(value)
    if field == "outputs" and record.secure_outputs:
        return seal(value)
    if field == "tracked_properties" and (record.secure_inputs or record.secure_outputs):
        return None  # Logic Apps: no tracked properties on secured operations
    return value


def row_for(run_id: str, record: ActionRecord) -> ActionRun:
    fields = {f: _stored(record, f) for f in (*UPDATE_FIELDS, "inputs")}
    return ActionRun(
        run_id=run_id,
        path=record.path,
        name=record.name,
        parent_path=record.parent_path,
        iteration=record.iteration,
        type=record.type,
        secure_inputs=record.secure_inputs,
        secure_outputs=record.secure_outputs,
        **fields,
    )


def _check_transition(record: ActionRecord) -> None:
    old, new = record.stored_status or "", record.status
    if old != new and not can_transition(ACTION_TRANSITIONS, old, new):
        log.error("action run %s: unexpected status change %s → %s", record.path, old, new)


INSERTED_WITHOUT_ID = -1
FINISHED_BATCH = 500  # rows per INSERT: 20 columns each, under SQLite's 32,766 parameters
JSON_COLUMNS = ("inputs", "outputs", "error", "tracked_properties", "retry_history", "state")
INSERT_COLUMNS = (
    "run_id", "path", "name", "parent_path", "iteration", "type", "status", "code", "started_at",
    "ended_at", "attempts", "secure_inputs", "secure_outputs", "due_at", *JSON_COLUMNS,
)  # fmt: skip


def _insert_values(run_id: str, record: ActionRecord, wrapper: Any) -> list[Any]:
    values = _plain_values(
        run_id, record, lambda moment: moment and rows.moment_value(moment, wrapper)
    )
    for field in _json_fields():
        value = _stored(record, field.name)
        # through the field, so the secret scrubber that guards every write sees it too
        values.append(None if value is None else rows.db_value(field, value, wrapper))
    return values


@lru_cache(maxsize=1)
def _json_fields() -> tuple[Any, ...]:
    return tuple(ActionRun._meta.get_field(name) for name in JSON_COLUMNS)


def _plain_values(run_id: str, record: ActionRecord, moment: Any) -> list[Any]:
    """The values of `INSERT_COLUMNS` before the JSON ones; `moment` adapts timestamps."""
    return [
        run_id, record.path, record.name, record.parent_path, record.iteration, record.type,
        record.status, record.code, moment(record.started_at), moment(record.ended_at),
        record.attempts, record.secure_inputs, record.secure_outputs, moment(record.due_at),
    ]  # fmt: skip


def insert_finished(run_id: str, records: list[ActionRecord]) -> None:
    """Rows that are already final never change again, so they need no id back and
    skip the ORM: multi-row INSERTs of up to `FINISHED_BATCH` rows, one round trip
    each (a Foreach writes thousands of them)."""
    table = ActionRun._meta.db_table
    for start in range(0, len(records), FINISHED_BATCH):
        batch = records[start : start + FINISHED_BATCH]
        if connection.vendor == "postgresql":  # one constant statement: prepared
            rows.execute(_recordset_insert_sql(), [_recordset(run_id, batch)])
            continue
        wrapper = connections[DEFAULT_DB_ALIAS]  # not the proxy: a lookup at every use
        values = [value for record in batch for value in _insert_values(run_id, record, wrapper)]
        rows.execute(rows.insert_sql(table, INSERT_COLUMNS, len(batch)), values)
    _mark_inserted(records)


def _mark_inserted(records: list[ActionRecord]) -> None:
    for record in records:
        record.stored_status = record.status
        record.db_id = INSERTED_WITHOUT_ID


def _recordset(run_id: str, records: list[ActionRecord]) -> str:
    """PostgreSQL: `records` as one JSON array for `jsonb_to_recordset` — one
    parameter and a short constant statement instead of 20 parameters a row (which
    psycopg re-parses for every statement over 50 parameters). JSON values still
    pass their field's `get_prep_value` (the secret scrubber)."""
    fields = {name: ActionRun._meta.get_field(name) for name in JSON_COLUMNS}
    out = []
    for record in records:
        plain = _plain_values(run_id, record, _iso)
        row = dict(zip(INSERT_COLUMNS[: len(plain)], plain, strict=True))
        for name in JSON_COLUMNS:
            value = _stored(record, name)
            row[name] = None if value is None else fields[name].get_prep_value(value)
        out.append(row)
    return json.dumps(out, default=str)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@lru_cache(maxsize=4)
def _recordset_insert_sql(where: str = "") -> str:
    """`INSERT … SELECT … FROM jsonb_to_recordset(%s::jsonb) AS x(column type, …)`."""
    by_column = {f.column: f for f in ActionRun._meta.concrete_fields}
    quote = connection.ops.quote_name
    names = ", ".join(map(quote, INSERT_COLUMNS))
    types = ", ".join(f"{quote(c)} {by_column[c].db_type(connection)}" for c in INSERT_COLUMNS)
    return (
        f"INSERT INTO {quote(ActionRun._meta.db_table)} ({names}) SELECT {names}"
        f" FROM jsonb_to_recordset(%s::jsonb) AS x({types}){where}"
    )


def finish_in_one(records: list[ActionRecord]) -> bool:
    """Whether `insert_finished_if` can write `records`: on PostgreSQL, some, all
    new and final, in one INSERT."""
    return (
        connection.vendor == "postgresql"
        and 0 < len(records) <= FINISHED_BATCH
        and all(r.db_id is None and r.status in TERMINAL for r in records)
    )


def insert_finished_if(run_id: str, records: list[ActionRecord], update: tuple[str, list]) -> int:
    """Run `update` (the run's compare-and-set) and insert the final `records` (at
    least one) only if it hit, in one statement (one round trip, and it commits by
    itself outside a transaction); 1 if it hit, else 0 (nothing written)."""
    observe_finished(records)
    sql, params = update
    insert = _recordset_insert_sql(" WHERE EXISTS (SELECT 1 FROM u)")
    statement = f"WITH u AS ({sql} RETURNING 1) {insert}"
    with rows.prepared(statement, [*params, _recordset(run_id, records)]) as cursor:
        if cursor.rowcount != len(records):
            return 0
    _mark_inserted(records)
    return 1


def observe_finished(records: list[ActionRecord]) -> None:
    """Feed the action-duration histogram of `/metrics` with actions that just ended."""
    from workflows import ops

    for record in records:
        if record.status in TERMINAL and record.stored_status != record.status and record.ended_at:
            started = record.started_at or record.ended_at
            seconds = (record.ended_at - started).total_seconds()
            ops.record_action(record.type, str(record.status), seconds)


def write_records(run_id: str, records: list[ActionRecord]) -> None:
    """Insert new records in bulk; compare-and-set the status of existing ones."""
    observe_finished(records)
    finished = [r for r in records if r.db_id is None and r.status in TERMINAL]
    new = [r for r in records if r.db_id is None and r.status not in TERMINAL]
    existing = [r for r in records if r.db_id is not None]
    if finished:
        insert_finished(run_id, finished)
    if new:
        created = ActionRun.objects.bulk_create([row_for(run_id, r) for r in new], batch_size=500)
        for record, row in zip(new, created, strict=True):
            record.db_id = row.pk
            record.stored_status = record.status
    for record in existing:
        _check_transition(record)
        fields = {f: _stored(record, f) for f in UPDATE_FIELDS}
        if record.type.lower() not in CONTAINER_TYPES:
            fields["inputs"] = _stored(record, "inputs")
        row = {"pk": record.db_id}
        if record.db_id == INSERTED_WITHOUT_ID:
            row = {"run_id": run_id, "path": record.path}
        hit = ActionRun.objects.filter(**row, status=record.stored_status).update(**fields)
        if hit != 1:
            raise LostRace(f"action run {record.path} changed under us")
        record.stored_status = record.status


# ------------------------------------------------------------------- the host
class DurableHost:
    """Driver hooks for Response and child workflows of a stored run."""

    def __init__(self, run: Run, state: RunState) -> None:
        self.run = run
        self.state = state
        self.connections: dict[str, Any] = {}
        self.unsaved_response = False

    def respond(self, response: dict[str, Any]) -> bool:
        """Kept in memory: the driver writes it with the records, in one commit, as
        soon as the engine knows what comes next — before the next wave starts, or
        with the end of the run or its parking (`DurableRun.before_wave`, `go`)."""
        if self.state.response is not None:
            return False
        self.state.response = response
        self.unsaved_response = True
        return True

    def save_response(self) -> None:
        """In the driver's transaction: record the Response; tell whoever waits for
        it (the parent run, a caller in this process) once it is committed."""
        if not self.unsaved_response:
            return
        Run.objects.filter(pk=self.run.pk, response__isnull=True).update(
            response=self.state.response
        )
        self.unsaved_response = False
        run_id, response = self.run.pk, self.state.response
        transaction.on_commit(lambda: announce(run_id, response))
        if self.run.parent_run_id:
            dispatch_on_commit(self.run.parent_run_id)

    def start_child(
        self, workflow: str, trigger: str, outputs: dict[str, Any], action_path: str
    ) -> str:
        from workflows.actions.base import ActionFailed
        from workflows.services import create_run

        child_workflow = Workflow.objects.filter(name=workflow).first()
        if child_workflow is None or child_workflow.current_version is None:
            raise ActionFailed("WorkflowNotFound", f"The workflow '{workflow}' does not exist.")
        parent = None if self.run._state.adding else self.run  # a stateless parent has no row
        if parent is not None:  # a repeat after a crash: the child may already exist
            existing = Run.objects.filter(parent_run=parent, parent_action=action_path).first()
            if existing is not None:
                return existing.pk
        child = create_run(
            child_workflow, trigger, outputs, parent_run=parent, parent_action=action_path
        )
        if child is None:
            raise ActionFailed(
                "TriggerConditionsNotMet", f"The trigger '{trigger}' of '{workflow}' did not fire."
            )
        return child.id

    def child_result(self, child_id: str) -> dict[str, Any] | None:
        row = Run.objects.filter(pk=child_id).values("status", "response", "error").first()
        if row is None:
            return {
                "status": Status.FAILED,
                "error": {"code": "ChildRunMissing", "message": f"Run {child_id} is gone."},
            }
        if row["response"] is not None:
            return {"status": row["status"], "response": row["response"]}
        if row["status"] in TERMINAL:
            return {"status": row["status"], "error": row["error"]}
        return None

    def action_context_fields(self) -> dict[str, Any]:
        return {
            "workflow_name": self.run.workflow.name,
            "run_id": self.run.id,
            "connections": self.connections,
        }


# ------------------------------------------------------------------ the driver
class Heartbeat:
    """Keeps renewing the lease while a wave with outside calls runs (an HTTP call
    may poll a 202 for an hour): without it another worker would take the run over
    and repeat the call. Runs in its own thread with its own database connection."""

    def __init__(self, run_id: str, owner: str) -> None:
        self.run_id, self.owner = run_id, owner
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"lease-{run_id}", daemon=True)
        self.thread.start()

    def _beat(self) -> None:
        from django.db import connection as thread_connection

        try:
            while not self.stopped.wait(lease_seconds() / 3):
                try:
                    renew_lease(self.run_id, self.owner, utcnow())
                except Exception:
                    log.warning("run %s: could not renew the lease", self.run_id, exc_info=True)
        finally:
            thread_connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


class DurableRun:
    def __init__(self, run: Run, owner: str, *, fresh: bool = False) -> None:
        self.run = run
        self.owner = owner
        self.label = run_label(run)
        self.state = load_state(run, fresh=fresh)
        connections, appsettings = connections_and_settings(
            bare_definition(run.version.definition), run.version
        )
        self.engine = Engine(
            plan_for(run),
            self.state,
            run_timeout=run_timeout(),
            appsettings=appsettings,
            callback_url=lambda: callback_url_for(run),
            connections=connections,
        )
        self.host = DurableHost(run, self.state)
        self.host.connections = connections
        self.last_renewal = utcnow()
        self.wake_in: float | None = None
        self.wave_pure = False
        self.pure_only = False
        # a turn in the thread of the caller waiting for the Response: pause once the
        # Response is committed (`go` returns "paused", `pending` holds the next wave)
        self.pause_when_answered = False
        self.pending: list[Work] | None = None
        self.unclaimed = False  # read but not leased yet: `claim` with the first write
        self.released = False
        self.heartbeat: Heartbeat | None = None
        self.last_flush = time.monotonic()
        self.saved_state = json.dumps(run_state_blob(run, self.state), sort_keys=True, default=str)

    def claim(self) -> None:
        """Lease the never-started run this driver has advanced in memory so far
        (built-ins only, which a second driver may have repeated unseen): in the
        transaction of its first write, so a lost race writes nothing."""
        if self.unclaimed:
            if not take_fresh(self.run, self.owner, utcnow()):
                raise LostRace(f"run {self.run.pk} was taken by another worker")
            self.unclaimed = False
            self.last_renewal = utcnow()

    def flush(self) -> None:
        """Write the records (and state, Response) changed since the last flush."""
        records = self.state.take_dirty()
        blob = run_state_blob(self.run, self.state)
        encoded = json.dumps(blob, sort_keys=True, default=str)
        nothing_new = not (records or self.unclaimed or self.host.unsaved_response)
        if nothing_new and encoded == self.saved_state:
            return
        with transaction.atomic():
            self.claim()
            write_records(self.run.pk, records)
            if encoded != self.saved_state:
                Run.objects.filter(pk=self.run.pk, lease_owner=self.owner).update(state=blob)
            self.host.save_response()
        self.saved_state = encoded
        self.last_flush = time.monotonic()

    def before_wave(self, works: list[Work]) -> bool:
        """Actions with outside effects are recorded as started before they run, so
        a crash leaves a trace (and a second attempt). Pure built-ins need not be:
        re-running them after a crash is invisible.

        With `pure_only` (a web process's turn) a wave with outside effects is not
        run here: its actions are recorded as started and due now (so a worker runs
        them as their first attempt), and the run goes to the workers. A web process
        that dies mid-request then never leaves an outside call half done."""
        self.wave_pure = all(is_pure(work.node.type) for work in works)
        if self.pure_only and not self.wave_pure:
            now = utcnow()
            for work in works:
                work.record.due_at = now
                self.state.touch(work.record)
            return False
        if not self.wave_pure or self.host.unsaved_response:
            self.flush()  # started rows of outside calls; a Response someone waits for
        if self.pause_when_answered and self.answered:
            return PAUSE  # the caller in this thread is told first; `resume_turn` goes on
        if not self.wave_pure:
            self.heartbeat = Heartbeat(self.run.pk, self.owner)
        for work in works:
            log.debug(
                "%s action %s started (attempt %d)",
                self.label,
                work.record.path,
                work.record.attempts,
                extra={
                    "workflow": self.run.workflow.name,
                    "run": self.run.id,
                    "action": work.record.path,
                },
            )
        return True

    @property
    def answered(self) -> bool:
        """Whether the run's Response is recorded (committed)."""
        return self.state.response is not None and not self.host.unsaved_response

    def after_wave(self) -> bool:
        """Results are written after each wave — except that consecutive waves of
        pure built-ins are written together (at most `PURE_FLUSH_SECONDS` apart,
        and always before an action with outside effects starts, and when the run
        parks or ends)."""
        if self.heartbeat is not None:
            self.heartbeat.stop()
            self.heartbeat = None
        if not self.wave_pure or time.monotonic() - self.last_flush >= PURE_FLUSH_SECONDS:
            self.flush()
        if self.unclaimed:
            return True  # nothing written, no lease to renew yet
        now = utcnow()
        if (now - self.last_renewal).total_seconds() > min(1.0, lease_seconds() / 4):
            if not renew_lease(self.run.pk, self.owner, now):
                log.warning("%s lost its lease; stopping", self.label)
                return False
            self.last_renewal = now
            if Run.objects.filter(pk=self.run.pk, cancel_requested=True).exists():
                self.engine.request_end(
                    Status.CANCELLED, {"code": "Cancelled", "message": "The run was cancelled."}
                )
        return True

    def go(self, budget: float | None) -> str:
        if self.run.cancel_requested:
            self.engine.request_end(
                Status.CANCELLED, {"code": "Cancelled", "message": "The run was cancelled."}
            )
        hooks = Hooks(before_wave=self.before_wave, after_wave=self.after_wave, clock=utcnow)
        pending, self.pending = self.pending, None
        try:
            result = advance(self.engine, self.host, hooks, budget_seconds=budget, pending=pending)
        finally:
            if self.heartbeat is not None:
                self.heartbeat.stop()
        if result.stopped:
            return "lost-lease"
        if result.paused:
            self.pending = result.paused
            return "paused"
        if result.done:
            self.finalize(self.state.take_dirty())
            self.after_finish()
            return self.state.status
        self.flush()
        self.wake_in = self.park(result.due_at)
        return "parked"

    def finalize(self, records: list[ActionRecord]) -> None:
        """Write the last `records` and the run's end, and free its lease, in one
        commit — on PostgreSQL in one statement when the records are all new and
        finished."""
        state = self.state
        fields: dict[str, Any] = {}
        if self.host.unsaved_response:  # answered in the last wave: same statement
            fields["response"] = state.response
        values = {
            "status": state.status,
            "error": state.error,
            "outputs": state.outputs,
            "ended_at": utcnow(),
            "due_at": None,
            "state": run_state_blob(self.run, state),
            "lease_owner": "",
            "lease_expires_at": None,
            **fields,
        }
        if self.unclaimed:  # a run of built-ins, read and finished in one commit
            values["started_at"] = state.started_at or utcnow()
            where = {"status": Status.WAITING, "started_at": None, "lease_free_at": utcnow()}
        else:
            where = {"status": Status.RUNNING, "lease_owner": self.owner}
        update = rows.update_sql(Run, self.run.pk, values, **where)
        lost = LostRace(f"run {self.run.pk} changed under us while finishing")
        if not records:
            if rows.execute(*update) != 1:
                raise lost
        elif finish_in_one(records):
            if not insert_finished_if(self.run.pk, records, update):
                raise lost
        else:
            with transaction.atomic():
                write_records(self.run.pk, records)
                if rows.execute(*update) != 1:
                    raise lost  # inside: the records are rolled back too
        self.host.unsaved_response = False  # the parent hears of it in after_finish
        self.released = True

    def after_finish(self) -> None:
        state = self.state
        log.info(
            "%s run ended %s",
            self.label,
            state.status,
            extra={"workflow": self.run.workflow.name, "run": self.run.id},
        )
        _record_finished(self.run.workflow.name, state.status)
        announce(self.run.pk, state.response)  # committed with the end, if any
        if self.run.parent_run_id:
            dispatch(self.run.parent_run_id)
        if trigger_concurrency(self.run) is not None:
            wake_waiting_run(self.run.workflow_id)

    def park(self, due_at: datetime | None) -> float:
        """Record when to look again; the caller sends the ETA task after releasing the lease."""
        now = utcnow()
        due_at = due_at or now + timedelta(seconds=60)
        Run.objects.filter(pk=self.run.pk, lease_owner=self.owner).update(due_at=due_at)
        log.info(
            "%s parked until %s",
            self.label,
            due_at.isoformat(),
            extra={"workflow": self.run.workflow.name, "run": self.run.id},
        )
        return max(0.0, (due_at - now).total_seconds())


def _record_finished(workflow: str, status: str) -> None:
    try:
        from workflows.ops import record_run_finished

        record_run_finished(workflow, status)
    except Exception:
        pass


def wake_waiting_run(workflow_id: int) -> None:
    oldest = (
        Run.objects.filter(workflow_id=workflow_id, status=Status.WAITING)
        .order_by("created_at")
        .values_list("pk", flat=True)
        .first()
    )
    if oldest:
        dispatch(oldest)


# --------------------------------------------------------------- concurrency
def trigger_concurrency(run: Run) -> int | None:
    trigger = (bare_definition(run.version.definition).get("triggers") or {}).get(
        run.trigger_name
    ) or {}
    if "singleinstance" in str(trigger.get("operationOptions") or "").lower():
        return 1
    runs = ((trigger.get("runtimeConfiguration") or {}).get("concurrency") or {}).get("runs")
    return int(runs) if isinstance(runs, int) and not isinstance(runs, bool) else None


def claim_slot(run: Run, owner: str) -> bool:
    """Waiting → Running when the trigger's concurrency allows (compare-and-set)."""
    now = utcnow()
    limit = trigger_concurrency(run)
    claim = Run.objects.filter(pk=run.pk, status=Status.WAITING, lease_owner=owner)
    if limit is None:  # no limit: one compare-and-set, no transaction needed
        hit = claim.update(status=Status.RUNNING, started_at=run.started_at or now)
    else:
        with transaction.atomic():
            Workflow.objects.select_for_update().filter(pk=run.workflow_id).first()
            running = Run.objects.filter(workflow_id=run.workflow_id, status=Status.RUNNING).count()
            if running >= limit:
                return False
            hit = claim.update(status=Status.RUNNING, started_at=run.started_at or now)
    if hit == 1:
        run.status = Status.RUNNING
        run.started_at = run.started_at or now
    return hit == 1


def fail_unrunnable(run_id: str, owner: str, exc: DefinitionError) -> None:
    """A stored definition the engine cannot run: fail the run instead of retrying forever."""
    log.error("run %s: invalid definition: %s", run_id, exc)
    Run.objects.filter(pk=run_id, lease_owner=owner, status__in=ACTIVE_RUN).update(
        status=Status.FAILED,
        ended_at=utcnow(),
        due_at=None,
        error={"code": "InvalidDefinition", "message": str(exc)},
    )


def _lease_and_load(
    run_id: str, owner: str, read: Callable[[str], Run | None] | None = None
) -> tuple[Run | None, bool, bool]:
    """Read `run_id` and lease it: `(run, fresh, unclaimed)`, or `(None, …)` when it
    is taken or over. A never-started run of a trigger without a concurrency limit
    is read only: the driver claims it with its first write (`DurableRun.claim`),
    which for a run of built-ins is its last. Any other run is leased first, then
    read (so what is read is what the lease protects). `read`: how to read it the
    first time (a batch's read: `advance_runs`), else `load_run`."""
    run = (read or load_run)(run_id)
    if run is None or run.status not in ACTIVE_RUN:
        return None, False, False
    fresh = run.status == Status.WAITING and run.started_at is None
    fresh = fresh and not run.resubmitted_from_id  # a resubmission may carry copied rows
    if fresh and not run.cancel_requested and trigger_concurrency(run) is None:
        leased = run.lease_owner and (run.lease_expires_at or utcnow()) > utcnow()
        return (None, False, False) if leased else (run, True, True)
    if not acquire_lease(run_id, owner, utcnow()):
        return None, False, False
    run = load_run(run_id)
    if run is None:
        return None, False, False
    fresh = run.status == Status.WAITING and run.started_at is None
    return run, fresh and not run.resubmitted_from_id, False


def advance_run_now(
    run_id: str,
    *,
    budget: float | None = None,
    owner: str = "",
    run: Run | None = None,
    pure_only: bool = False,
    read: Callable[[str], Run | None] | None = None,
    on_pause: Callable[[Callable[[], None]], None] | None = None,
) -> str:
    """One turn of the durable driver for `run_id`; returns what happened.

    `owner` + `run`: the caller created the run Running under its own lease
    (`services.create_runs(lease_owner=…)`) and hands it over as is — no read, no claim.
    `on_pause`: the caller waits in this thread for the run's Response. Once it is
    committed the turn pauses ("paused"), still holding the lease, and
    `on_pause(rest)` is given the rest of the turn to run elsewhere."""
    driver: DurableRun | None = None
    unclaimed = handed_over = False
    if owner and run is not None:
        fresh = True
    else:
        owner = new_owner()
        run, fresh, unclaimed = _lease_and_load(run_id, owner, read)
        if run is None:
            return "busy"
    budget = task_budget_seconds() if budget is None else budget
    started = time.monotonic()
    try:
        if run.status == Status.WAITING and not unclaimed and not claim_slot(run, owner):
            Run.objects.filter(pk=run_id, lease_owner=owner).update(
                due_at=utcnow() + timedelta(seconds=10)
            )
            return "queued"
        driver = DurableRun(run, owner, fresh=fresh)
        driver.unclaimed = unclaimed
        driver.pure_only = pure_only
        driver.pause_when_answered = on_pause is not None
        outcome = driver.go(budget)
        if outcome == "paused" and on_pause is not None:
            on_pause(partial(resume_turn, driver, max(0.0, budget - (time.monotonic() - started))))
            handed_over = True
            return outcome
    except DefinitionError as exc:
        if unclaimed and driver is None and not take_fresh(run, owner, utcnow()):
            return "busy"
        fail_unrunnable(run_id, owner, exc)
        return "invalid-definition"
    except LostRace as exc:
        log.warning("run %s: %s", run_id, exc)
        return "lost-race"
    finally:
        if not handed_over and (driver is None or not driver.released):
            release_lease(run_id, owner)
    if driver is not None and driver.wake_in is not None:
        dispatch(run_id, driver.wake_in)
    return outcome


def resume_turn(driver: DurableRun, budget: float) -> None:
    """The rest of a turn `advance_run_now` paused once its caller's Response was
    committed (on a turn thread: the caller is being answered meanwhile)."""
    from django.db import close_old_connections

    run_id, owner = driver.run.pk, driver.owner
    close_old_connections()
    driver.pause_when_answered = False
    try:
        driver.go(budget)
    except LostRace as exc:
        log.warning("run %s: %s", run_id, exc)
    except Exception:
        log.exception("%s turn failed; the sweep will resume the run", driver.label)
    finally:
        if not driver.released:
            release_lease(run_id, owner)
    if driver.wake_in is not None:
        dispatch(run_id, driver.wake_in)


# ------------------------------------------------------- turns in this process
_response_events: dict[str, threading.Event] = {}
_events_lock = threading.Lock()


def watch(run_id: str) -> threading.Event:
    """An event set when this process records `run_id`'s Response or ends its turn."""
    with _events_lock:
        return _response_events.setdefault(run_id, threading.Event())


def is_watched(run_id: str) -> bool:
    with _events_lock:
        return run_id in _response_events


_told_responses: dict[str, dict[str, Any]] = {}


def unwatch(run_id: str) -> None:
    with _events_lock:
        _response_events.pop(run_id, None)
        _told_responses.pop(run_id, None)


def announce(run_id: str, response: dict[str, Any] | None = None) -> None:
    """Wake whoever in this process watches `run_id`; `response`: the run's Response,
    committed (the watcher then need not read it back)."""
    with _events_lock:
        event = _response_events.get(run_id)
        if event is not None and response is not None:
            _told_responses[run_id] = response
    if event is not None:
        event.set()


def told_response(run_id: str) -> dict[str, Any] | None:
    """The committed Response `announce` handed over for `run_id`, if any."""
    with _events_lock:
        return _told_responses.get(run_id)


_turn_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def inline_turn_seconds() -> float:
    """How long a web process drives a run it just created before handing it to
    the workers (`SLUICE_INLINE_TURN_SECONDS`; 0 = never drive runs in the web)."""
    return _setting("SLUICE_INLINE_TURN_SECONDS", 10)


def run_turn_here(run: Run, owner: str) -> None:
    """Drive the first turn of `run` (created Running under `owner`'s lease) in the
    calling thread — the one whose caller waits for the Response: no hop through
    the broker, and none to another thread. Once the Response is committed the
    turn pauses, and what it has left runs on a turn thread of this process while
    the caller is answered. If this process dies, the lease expires and the sweep
    hands the run to a worker."""
    try:
        advance_run_now(
            run.pk,
            owner=owner,
            run=run,
            budget=inline_turn_seconds(),
            pure_only=True,
            on_pause=_on_turn_thread,
        )
    except Exception:
        log.exception("%s first turn failed; the sweep will resume the run", run_label(run))
    finally:
        announce(run.pk)  # the caller looks for the Response now, without waiting


def _on_turn_thread(work: Callable[[], None]) -> None:
    global _turn_pool
    with _pool_lock:
        if _turn_pool is None:
            size = int(_setting("SLUICE_WEB_THREADS", 32))
            _turn_pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="sluice-turn")
    _turn_pool.submit(work)


@shared_task(
    name="workflows.advance_run", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def advance_run(run_id: str) -> str:
    """Idempotent: a duplicate message finds the lease taken or nothing ready."""
    from django.db import close_old_connections

    if not advance_run.request.is_eager:  # eager: the caller's connection and transaction
        close_old_connections()  # reused across tasks (config/celery.py): drop a broken one
    return advance_run_now(run_id)


@shared_task(
    name="workflows.advance_runs", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def advance_runs(run_ids: list[str]) -> list[str]:
    """`advance_run` for each of a batch of runs (`workflows.dispatching`), in
    order; one run that fails does not stop the others (the sweep retries it).
    After `BATCH_SECONDS` the ids left go back to the queue as a batch of their own."""
    from django.db import close_old_connections

    if not advance_runs.request.is_eager:
        close_old_connections()
    batch = load_runs(run_ids)  # one SELECT for all; each run is read again under
    outcomes = []  # its lease when it needs one (`_lease_and_load`)
    started = time.monotonic()
    for position, run_id in enumerate(run_ids):
        if position and time.monotonic() - started > BATCH_SECONDS:
            send_batch(run_ids[position:])  # long turns: let another worker take the rest
            break
        if position and not advance_runs.request.is_eager:
            close_old_connections()  # as between two advance_run tasks
        try:
            outcomes.append(advance_run_now(run_id, read=batch.get))
        except Exception:
            log.exception("run %s: turn failed; the sweep will retry it", run_id)
            outcomes.append("failed")
    return outcomes


@task_postrun.connect
def _send_queued_dispatches(**_: Any) -> None:
    dispatching.flush()  # what the task queued goes out before the next task


@shared_task(name="workflows.touch", ignore_result=True)
def touch(key: str) -> None:
    """The bare Celery round trip `bench/engine.py` compares one run against:
    one task per item that only increments a Redis counter (on a client kept
    across tasks: a connection per task would make the baseline look slower)."""
    _counter_client().incr(key)


@lru_cache(maxsize=1)
def _counter_client() -> Any:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)
