"""What other parts of Sluice call to start, watch, cancel and resubmit runs.

* `create_runs(workflow, trigger_name, trigger_outputs, …) -> list[Run]` records
  the trigger firing and its run(s) in one transaction and dispatches them on
  commit. It honours the trigger's `conditions` (unmet → `[]`, a Skipped trigger
  history row), `splitOn` (one run per array item) and
  `runtimeConfiguration.concurrency` (`runs`, `maximumWaitingRuns` → raises
  `RunQueueFull` when the waiting queue is full — the HTTP trigger answers 429).
* `create_run(...) -> Run | None` is the single-run form: the first run, or None
  when the conditions were not met. Use `create_runs` with `splitOn` triggers.
* `run_inline(...)` runs a `Stateless` workflow in this process; only a summary
  `Run` row is written.
* `wait_for_response(run_id, timeout)`, `cancel_run(run)`,
  `resubmit_run(run, from_action=None)`, and `drive(run_id)` (advance a run to its
  end in this process, sleeping for its timers — the `run` command and tests).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.db import transaction

from workflows import ops, rows, writebehind
from workflows.engine import Engine, RunState, build_plan
from workflows.engine.graph import Body
from workflows.models import ActionRun, Kind, Run, TriggerHistory, Workflow, WorkflowVersion
from workflows.statuses import TERMINAL, Status
from workflows.tasks import (
    advance_run_now,
    bare_definition,
    dispatch,
    dispatch_on_commit,
    lease_seconds,
    parameter_values,
    plan_for_version,
    row_for,
    stored_parameters,
    unseal,
)

log = logging.getLogger("sluice.engine")

__all__ = [
    "RunQueueFull",
    "cancel_run",
    "create_run",
    "create_runs",
    "drive",
    "resubmit_run",
    "run_inline",
    "wait_for_response",
]


class RunQueueFull(Exception):
    """The trigger's waiting-run queue is full (HTTP trigger: 429)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- triggers
def _trigger_spec(version: WorkflowVersion, trigger_name: str) -> dict[str, Any]:
    return (bare_definition(version.definition).get("triggers") or {}).get(trigger_name) or {}


def _trigger_code(outputs: Any) -> str:
    """`triggers().code`: the HTTP status as Logic Apps words it (200 → OK, 500 →
    InternalServerError) when the trigger outputs carry a statusCode."""
    code = outputs.get("statusCode") if isinstance(outputs, dict) else None
    try:
        return HTTPStatus(int(code)).phrase.replace(" ", "").replace("-", "") if code else "OK"
    except ValueError:
        return str(code)


def _trigger_record(trigger_name: str, outputs: dict[str, Any], now: datetime) -> dict[str, Any]:
    stamp = now.isoformat().replace("+00:00", "Z")
    return {
        "name": trigger_name,
        "inputs": None,
        "outputs": outputs,
        "status": "Succeeded",
        "code": _trigger_code(outputs),
        "startTime": stamp,
        "endTime": stamp,
    }


def _evaluate(value: Any, trigger: dict[str, Any]) -> Any:
    from workflows.expressions import evaluate

    return evaluate(value, {"trigger": trigger, "now": trigger.get("startTime")})


def _conditions_met(spec: dict[str, Any], trigger: dict[str, Any]) -> bool:
    from workflows.engine.conditions import truthy

    return all(
        truthy(_evaluate((c or {}).get("expression"), trigger))
        for c in spec.get("conditions") or []
    )


def _split(spec: dict[str, Any], trigger: dict[str, Any]) -> list[dict[str, Any]]:
    """The trigger outputs of each run: one, or one per `splitOn` item."""
    if not spec.get("splitOn"):
        return [trigger["outputs"]]
    items = _evaluate(spec["splitOn"], trigger)
    if not isinstance(items, list):
        raise ValueError(
            f"The trigger splitOn expression must evaluate to an array, not {type(items).__name__}"
        )
    if len(items) > 100_000:
        raise ValueError("The trigger splitOn produced more than 100,000 items")
    outputs = trigger["outputs"] if isinstance(trigger["outputs"], dict) else {}
    return [{**outputs, "body": item} for item in items]


def _tracking_id(spec: dict[str, Any], trigger: dict[str, Any]) -> str:
    """The trigger's `correlation.clientTrackingId` expression, if any ('' on errors)."""
    expression = (spec.get("correlation") or {}).get("clientTrackingId")
    if not expression:
        return ""
    try:
        return str(_evaluate(expression, trigger) or "")[:200]
    except Exception:
        log.warning("trigger correlation.clientTrackingId could not be evaluated", exc_info=True)
        return ""


def _check_queue(
    version: WorkflowVersion, workflow: Workflow, spec: dict[str, Any], adding: int
) -> None:
    concurrency = (spec.get("runtimeConfiguration") or {}).get("concurrency") or {}
    limit = concurrency.get("runs")
    if "singleinstance" in str(spec.get("operationOptions") or "").lower():
        limit = 1
    if not isinstance(limit, int):
        return
    maximum = concurrency.get("maximumWaitingRuns", min(100, 10 + limit))
    running = Run.objects.filter(workflow=workflow, status=Status.RUNNING).count()
    queued = Run.objects.filter(workflow=workflow, status=Status.WAITING).count()
    waiting = max(0, queued + adding - max(0, limit - running))  # beyond the free slots
    if waiting > maximum:
        raise RunQueueFull(
            f"Workflow '{workflow.name}' already has {waiting} runs waiting (limit {maximum})."
        )


def create_runs(
    workflow: Workflow,
    trigger_name: str,
    trigger_outputs: Any,
    *,
    client_tracking_id: str = "",
    parent_run: Run | None = None,
    parent_action: str = "",
    resubmitted_from: Run | None = None,
    version: WorkflowVersion | None = None,
    parameters: dict[str, Any] | None = None,
    record_history: bool = True,
    lease_owner: str = "",
) -> list[Run]:
    """Record the trigger firing and its runs in one transaction; dispatch on commit.

    `lease_owner`: the caller will drive the run itself (`tasks.run_turn_here`), so
    a single run of a trigger without a concurrency limit is created Running under
    that lease and not dispatched. Check `run.lease_owner` to know whether it was."""
    version = version or workflow.current_version
    if version is None:
        raise ValueError(f"Workflow '{workflow.name}' has no definition")
    now = utcnow()
    spec = _trigger_spec(version, trigger_name)
    trigger = _trigger_record(trigger_name, trigger_outputs, now)
    if not _conditions_met(spec, trigger):
        if record_history:
            TriggerHistory.objects.create(
                workflow=workflow,
                trigger_name=trigger_name,
                status="Skipped",
                outputs=trigger_outputs,
            )
        return []
    split = _split(spec, trigger)
    limited = _concurrency_limited(spec)
    if len(split) != 1 or limited:
        lease_owner = ""
    # the queue check reads before writing; otherwise the one write is atomic itself
    with transaction.atomic() if limited else nullcontext():
        _check_queue(version, workflow, spec, len(split))
        client_tracking_id = client_tracking_id or _tracking_id(spec, trigger)
        runs = [
            _new_run(
                workflow,
                version,
                trigger_name,
                {**trigger, "outputs": outputs},
                now,
                client_tracking_id,
                parent_run,
                parent_action,
                resubmitted_from,
                parameters,
                lease_owner,
            )
            for outputs in split
        ]
        history = [
            rows.new_instance(
                TriggerHistory,
                workflow=workflow,
                trigger_name=trigger_name,
                status="Succeeded",
                fired=True,
                run=runs[0],
                outputs=trigger_outputs,
            )
        ]
        rows.insert_together(runs, history if record_history else [])
        for run in runs:
            ops.record_run_started(workflow.name)
            if not lease_owner:
                dispatch_on_commit(run.id)
    return runs


def _concurrency_limited(spec: dict[str, Any]) -> bool:
    concurrency = (spec.get("runtimeConfiguration") or {}).get("concurrency") or {}
    single = "singleinstance" in str(spec.get("operationOptions") or "").lower()
    return single or concurrency.get("runs") is not None


def _new_run(
    workflow,
    version,
    trigger_name,
    trigger,
    now,
    client_tracking_id,
    parent_run,
    parent_action,
    resubmitted_from,
    parameters,
    lease_owner="",
) -> Run:
    run = rows.new_instance(
        Run,
        workflow=workflow,
        version=version,
        status=Status.WAITING,
        trigger_name=trigger_name,
        trigger=trigger,
        parent_run=parent_run,
        parent_action=parent_action,
        resubmitted_from=resubmitted_from,
        due_at=now + timedelta(seconds=5),
        kind=version.kind,
        state={"parameters": stored_parameters(version.definition, parameters or {})},
    )
    if lease_owner:  # driven at once by the caller: born Running under its lease
        run.status, run.started_at = Status.RUNNING, now
        run.lease_owner = lease_owner
        run.lease_expires_at = now + timedelta(seconds=lease_seconds())
    run.client_tracking_id = client_tracking_id or run.id
    run.correlation_id = run.id
    log.info(
        "[%s/%s] run created by trigger %s",
        workflow.name,
        run.id,
        trigger_name,
        extra={"workflow": workflow.name, "run": run.id},
    )
    return run


def create_run(
    workflow: Workflow, trigger_name: str, trigger_outputs: Any, **kwargs: Any
) -> Run | None:
    """The single-run form of `create_runs`: its first run, or None when skipped."""
    runs = create_runs(workflow, trigger_name, trigger_outputs, **kwargs)
    return runs[0] if runs else None


# ----------------------------------------------------------------- watching
def wait_for_response(run_id: str, timeout: float, poll: float = 0.05) -> dict[str, Any] | None:
    """The run's Response ({statusCode, headers, body}), or None on timeout or when
    the run ended without one. While this process drives the run
    (`tasks.run_turn_here`), it is told of the Response; otherwise it polls."""
    from workflows.tasks import is_watched, told_response, unwatch, watch

    deadline = time.monotonic() + timeout
    told = is_watched(run_id)  # driven here: it will tell us, no need to look first
    event = watch(run_id)
    try:
        while True:
            if told:
                if event.wait(min(poll, max(0.0, deadline - time.monotonic()))):
                    event.clear()  # told: look now
                else:
                    poll = min(poll * 1.25, 0.1)  # a pk read is cheap; the caller is waiting
                response = told_response(run_id)  # committed, handed over in memory
                if response is not None:
                    from accounts.connections import scrub

                    return scrub(response)  # as stored: no secret reaches the caller
            told = True
            row = rows.run_response(run_id)
            if row is None:
                return None
            response, status = row
            if response is not None:
                return response
            if status in TERMINAL or time.monotonic() >= deadline:
                return None
    finally:
        unwatch(run_id)


def _needs_turn(run: Run, now: datetime) -> bool:
    return run.started_at is None or run.due_at is None or run.due_at <= now or run.cancel_requested


def drive(
    run_id: str, *, sleep: Callable[[float], None] = time.sleep, max_seconds: float | None = None
) -> Run:
    """Advance `run_id` (and its child runs) in this process until it ends, really
    waiting for its timers. For `sluice run`, tests and the eager embedded mode."""
    started = time.monotonic()
    while True:
        run = Run.objects.get(pk=run_id)
        if run.status in TERMINAL or (
            max_seconds is not None and time.monotonic() - started > max_seconds
        ):
            return run
        now = utcnow()
        family = [run, *Run.objects.filter(parent_run_id=run_id).exclude(status__in=TERMINAL)]
        turns = [member for member in family if _needs_turn(member, now)]
        for member in turns:
            advance_run_now(member.pk, budget=None)
        if not turns:
            wake = min((member.due_at for member in family if member.due_at), default=now)
            sleep(min(max(0.0, (wake - now).total_seconds()), 60.0))


# ------------------------------------------------------------ cancel, resubmit
def cancel_run(run: Run) -> bool:
    """Cancel a queued or running run. Returns False when it had already ended."""
    now = utcnow()
    if Run.objects.filter(pk=run.pk, status=Status.WAITING).update(
        status=Status.CANCELLED,
        cancel_requested=True,
        ended_at=now,
        due_at=None,
        error={"code": "Cancelled", "message": "The run was cancelled."},
    ):
        return True
    if Run.objects.filter(pk=run.pk, status=Status.RUNNING).update(
        cancel_requested=True, due_at=now
    ):
        dispatch(run.pk)
        return True
    return False


def _downstream(body: Body, start: str) -> set[str]:
    following = {start}
    for node in body.nodes:  # topological order: predecessors come first
        if any(pred in following for pred in node.run_after):
            following.add(node.name)
    return following


def resubmit_run(run: Run, *, from_action: str | None = None) -> Run:
    """A new run of the same version with the same trigger outputs. With
    `from_action` (a top-level action), the results of the actions that do not
    follow it are copied and only it and what follows run again."""
    kept = _rows_before(run, from_action) if from_action else []
    with transaction.atomic():
        new = create_runs(
            run.workflow,
            run.trigger_name,
            (run.trigger or {}).get("outputs"),
            version=run.version,
            resubmitted_from=run,
            client_tracking_id=run.client_tracking_id,
            parameters={
                k: unseal(v) for k, v in ((run.state or {}).get("parameters") or {}).items()
            },
            record_history=False,
        )
        if not new:
            raise ValueError("The trigger conditions are no longer met for this run")
        if from_action:
            ActionRun.objects.bulk_create([_copy_row(row, new[0]) for row in kept])
            saved = run.state or {}
            state = {
                **(new[0].state or {}),
                "variables": saved.get("variables", {}),
                "variable_types": saved.get("variable_types", {}),
            }
            Run.objects.filter(pk=new[0].pk).update(state=state)
    return new[0]


def _rows_before(old: Run, from_action: str) -> list[ActionRun]:
    plan = build_plan(bare_definition(old.version.definition))
    if from_action not in plan.root.by_name:
        raise ValueError(f"'{from_action}' is not a top-level action of this workflow")
    rerun = _downstream(plan.root, from_action)
    return [
        row
        for row in ActionRun.objects.filter(run=old)
        if row.path.split("/")[0].split("[")[0] not in rerun
    ]


def _copy_row(row: ActionRun, run: Run) -> ActionRun:
    row.pk = None
    row.id = None
    row.run = run
    return row


# ------------------------------------------------------------------ stateless
def run_inline(
    workflow: Workflow,
    trigger_name: str,
    trigger_outputs: Any,
    *,
    client_tracking_id: str = "",
    version: WorkflowVersion | None = None,
    parameters: dict[str, Any] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    defer_write: bool = False,
    **_: Any,
) -> Run:
    """Run a Stateless workflow in this process. What it leaves in the run history
    is `stateless_history`'s choice: as in Logic Apps Standard, nothing for a run
    that succeeded, unless the app setting `Workflows.<name>.OperationOptions`
    holds `WithStatelessRunHistory` (then its summary and action rows); a run
    that did not succeed keeps its summary row (`SLUICE_STATELESS_RUN_SUMMARIES`).
    The run counters (`/metrics`) count every run. `defer_write`: queue the rows
    for the process's write-behind thread (`workflows.writebehind`) instead of
    writing them before returning."""
    from workflows.actions.runloop import MemoryHost, run_to_end
    from workflows.tasks import DurableHost, connections_and_settings, workflow_context

    version = version or workflow.current_version
    now = utcnow()
    run = rows.new_instance(
        Run,
        workflow=workflow,
        version=version,
        trigger_name=trigger_name,
        kind=Kind.STATELESS,
        trigger=_trigger_record(trigger_name, trigger_outputs, now),
        started_at=now,
    )
    run.client_tracking_id = client_tracking_id or run.id
    definition = bare_definition(version.definition)
    state = RunState(
        trigger=run.trigger,
        parameters=parameter_values(version.definition, parameters or {}),
        workflow=workflow_context(run),
        started_at=now,
    )
    durable = DurableHost(run, state)
    connections, appsettings = connections_and_settings(definition, version)
    host = MemoryHost(
        workflow.name,
        run.id,
        children=durable.start_child,
        child_results=durable.child_result,
        connections=connections,
    )
    engine = Engine(
        plan_for_version(version),
        state,
        appsettings=appsettings,
        connections=connections,
        callback_url=None,
    )
    run_to_end(engine, host, sleep=sleep)
    run.status, run.error, run.outputs, run.response = (
        state.status,
        state.error,
        state.outputs,
        host.response,
    )
    run.ended_at = utcnow()
    kept = stateless_history(workflow.name, run.status)
    if kept:
        run.state = {"actions": {path: r.status for path, r in list(state.records.items())[:250]}}
        history = []
        if kept == ACTION_ROWS:
            history = [row_for(run.id, record) for record in state.records.values()]
        if defer_write:
            writebehind.writer().add([run], history)
        else:  # no ORM compilation on this hot path
            rows.insert_together([run], history)
    ops.record_run_started(workflow.name)
    ops.record_run_finished(workflow.name, run.status)
    return run


SUMMARY, ACTION_ROWS = "summary", "actions"


def stateless_history(workflow_name: str, status: str) -> str:
    """What a stateless run leaves in the run history: `ACTION_ROWS` (its summary
    and action rows), `SUMMARY` (its summary row) or "" (nothing).

    * The Logic Apps Standard app setting `Workflows.<name>.OperationOptions`
      (an `AppSetting` row or `SLUICE_APPSETTING_…` variable) lists
      `WithStatelessRunHistory`: every run, in full.
    * Else `SLUICE_STATELESS_RUN_SUMMARIES`: `failed` (the default) keeps the
      summary of a run that did not succeed — Logic Apps keeps nothing, but a
      failure nobody can find helps no one —, `all` of every run, `none` of none.

    Writing a summary cost a stateless request a third of its CPU
    (`bench/request.py`); successful runs are the many."""
    from accounts.connections import appsetting_named

    if _with_history(appsetting_named(f"Workflows.{workflow_name}.OperationOptions") or ""):
        return ACTION_ROWS
    mode = settings.SLUICE_STATELESS_RUN_SUMMARIES
    if mode == "all" or (mode == "failed" and status != Status.SUCCEEDED):
        return SUMMARY
    return ""


@lru_cache(maxsize=256)
def _with_history(operation_options: str) -> bool:
    return "withstatelessrunhistory" in {
        part.strip().lower() for part in operation_options.split(",")
    }


# ------------------------------------------------------------------- reading
def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _action_entry(row: ActionRun) -> dict[str, Any]:
    from workflows.tasks import public_value

    entry: dict[str, Any] = {
        "type": row.type,
        "status": row.status,
        "code": row.code or None,
        "startTime": _iso(row.started_at),
        "endTime": _iso(row.ended_at),
        "inputs": public_value(row.inputs),
        "outputs": public_value(row.outputs),
        "error": row.error,
        "attempts": row.attempts,
    }
    if row.retry_history:
        entry["retryHistory"] = row.retry_history
    if row.tracked_properties:
        entry["trackedProperties"] = row.tracked_properties
    if row.type.lower() == "foreach":
        entry["inputs"] = (
            f"{len(row.inputs)} items"
            if isinstance(row.inputs, list) and len(row.inputs) > 20
            else entry["inputs"]
        )
    return entry


def _place(
    tree: dict[str, Any], nodes: dict[str, dict[str, Any]], row: ActionRun, entry: dict[str, Any]
) -> None:
    parent = row.parent_path
    if not parent:
        tree[row.name] = entry
    elif parent in nodes:
        nodes[parent].setdefault("actions", {})[row.name] = entry
    elif parent.endswith("]") and "[" in parent:
        loop_path, _, index = parent[:-1].rpartition("[")
        loop = nodes.get(loop_path)
        if loop is not None:
            iterations = loop.setdefault("iterations", {})
            iterations.setdefault(int(index), {"index": int(index), "actions": {}})["actions"][
                row.name
            ] = entry


def action_tree(run: Run) -> dict[str, Any]:
    """The run's action runs nested as scopes, branches and loop iterations."""
    tree: dict[str, Any] = {}
    nodes: dict[str, dict[str, Any]] = {}
    rows = list(ActionRun.objects.filter(run=run).order_by("started_at", "id"))
    for row in rows:
        nodes[row.path] = _action_entry(row)
    for row in rows:
        _place(tree, nodes, row, nodes[row.path])
    for entry in nodes.values():
        if "iterations" in entry:
            entry["iterations"] = [entry["iterations"][i] for i in sorted(entry["iterations"])]
    return tree


def run_record(run: Run) -> dict[str, Any]:
    """The whole run as JSON: status, error, trigger, nested actions, outputs, Response."""
    return {
        "id": run.id,
        "workflow": run.workflow.name,
        "status": run.status,
        "error": run.error,
        "startTime": _iso(run.started_at),
        "endTime": _iso(run.ended_at),
        "clientTrackingId": run.client_tracking_id,
        "trigger": run.trigger,
        "actions": action_tree(run),
        "outputs": run.outputs,
        "response": run.response,
    }
