"""Glue between the scheduler and the workflows app — the one connectors module
(with `ticks.py`) that touches `workflows.models`.

- `sync(now)` keeps one `TriggerState` row per schedulable trigger of every
  enabled workflow (recurrence, polling and batch triggers), recomputing the
  next fire time when the workflow's version changes; disabling a workflow
  parks its rows (`next_fire_at = NULL`) but keeps their poll memory.
- HttpWebhook triggers are kept subscribed by the scheduler: a new or changed
  trigger is due at once and `ticks.subscribe` (re)subscribes it; disabling the
  workflow or removing the trigger unsubscribes (`end_subscription`). Before
  deleting a workflow call `end_subscriptions(workflow)`.
- `start_run(...)` starts runs through `workflows.services.create_runs` (which
  applies trigger `conditions` and `splitOn`) and records the trigger history
  (Succeeded + fired; Skipped when conditions are unmet or the concurrency queue
  is full; Failed when the run could not be created).
"""

from __future__ import annotations

import importlib
import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from connectors import registry, schedule
from connectors.base import ConnectorError
from connectors.models import TriggerState
from workflows.models import TriggerHistory, Workflow, WorkflowVersion

log = logging.getLogger("sluice.triggers")
_synced: dict[int, int | None] = {}  # workflow id → version id this process last synced


def definition_of(version: WorkflowVersion | None) -> dict[str, Any]:
    definition = (version.definition if version else None) or {}
    if isinstance(definition.get("definition"), dict):
        return definition["definition"]
    return definition


def schedulable_kind(spec: dict[str, Any]) -> str | None:
    """The kind the scheduler drives for this trigger, or None (e.g. Request)."""
    kind = registry.kind_of(spec)
    if kind.lower() == "recurrence":
        return "Recurrence"
    if kind.lower() == "httpwebhook":
        return "HttpWebhook"
    if kind.lower() == "batch":
        return "Batch"
    if spec.get("recurrence") and registry.get_trigger(kind) is not None:
        return kind
    return None


def recurrence_of(spec: dict[str, Any]) -> dict[str, Any] | None:
    if registry.kind_of(spec).lower() == "batch":
        return batch_recurrence(spec)
    return spec.get("recurrence")


def batch_recurrence(spec: dict[str, Any]) -> dict[str, Any] | None:
    """The shortest release recurrence of a Batch trigger's configurations."""
    configs = ((spec.get("inputs") or {}).get("configurations") or {}).values()
    for config in configs:
        recurrence = (config.get("releaseCriteria") or {}).get("recurrence")
        if recurrence:
            return recurrence
    return None


def first_fire(spec: dict[str, Any], now: datetime, anchor: datetime) -> datetime | None:
    """A new or changed trigger: startTime rules, else fire now (as Logic Apps does).
    A webhook trigger is due at once: its "fire" is (re)subscribing."""
    if registry.kind_of(spec).lower() == "httpwebhook":
        return now
    recurrence = recurrence_of(spec)
    if not recurrence:
        return None
    rec = schedule.parse(recurrence)
    if rec.start is None and not rec.cron:
        return now
    return schedule.next_occurrence(rec, now - timedelta(microseconds=1), anchor=anchor)


def sync(now: datetime) -> None:
    """Reconcile `TriggerState` rows with the enabled workflows' current versions."""
    enabled = dict(
        Workflow.objects.filter(state=Workflow.State.ENABLED).values_list(
            "id", "current_version_id"
        )
    )
    parked = TriggerState.objects.exclude(workflow_id__in=list(enabled))
    for row in parked.filter(kind="HttpWebhook").exclude(version_id=None):
        end_subscription(row)
    parked.exclude(next_fire_at=None, version_id=None).update(next_fire_at=None, version_id=None)
    for workflow_id, version_id in enabled.items():
        if _synced.get(workflow_id, -1) != version_id:
            sync_workflow(Workflow.objects.get(pk=workflow_id), now)
    for gone in set(_synced) - set(enabled):
        _synced.pop(gone, None)


def sync_workflow(workflow: Workflow, now: datetime) -> None:
    """Create/update/delete the rows of one workflow for its current version."""
    version_id = workflow.current_version_id
    triggers = definition_of(workflow.current_version).get("triggers") or {}
    wanted = {name: spec for name, spec in triggers.items() if schedulable_kind(spec or {})}
    gone = TriggerState.objects.filter(workflow=workflow).exclude(trigger_name__in=list(wanted))
    for row in gone.filter(kind="HttpWebhook"):
        end_subscription(row)
    gone.delete()
    for name, spec in wanted.items():
        _sync_row(workflow, name, spec, version_id, now)
    _synced[workflow.pk] = version_id


def _sync_row(
    workflow: Workflow, name: str, spec: dict, version_id: int | None, now: datetime
) -> None:
    row = TriggerState.objects.filter(workflow=workflow, trigger_name=name).first()
    if row is None:
        try:
            row = TriggerState.objects.create(
                workflow=workflow, trigger_name=name, kind=schedulable_kind(spec), anchor=now
            )
        except IntegrityError:  # another scheduler created it first
            return
    if row.version_id == version_id:
        return
    try:
        next_fire, error = first_fire(spec, now, row.anchor if row.version_id else now), ""
    except schedule.RecurrenceError as exc:
        next_fire, error = None, str(exc)
    TriggerState.objects.filter(pk=row.pk, version_id=row.version_id).update(
        version_id=version_id,
        kind=schedulable_kind(spec),
        next_fire_at=next_fire,
        anchor=now if row.version_id is None else row.anchor,
        fired_count=0,
        error=error,
    )


# ------------------------------------------------------------------ webhook subscriptions


def callback_url_for(workflow: Workflow, trigger_name: str) -> str:
    from workflows.callback import callback_url

    return callback_url(workflow, trigger_name)


def end_subscriptions(workflow: Workflow) -> None:
    """Call before deleting a workflow: its rows vanish with it, so the scheduler
    could not unsubscribe its webhook triggers afterwards."""
    for row in TriggerState.objects.filter(workflow=workflow, kind="HttpWebhook"):
        end_subscription(row)


def end_subscription(row: TriggerState) -> None:
    """Unsubscribe a webhook trigger (disabled workflow or removed trigger). The
    compare-and-set on `version_id` lets exactly one scheduler do it."""
    from connectors.builtin.http import unsubscribe_webhook

    subscription = (row.state or {}).get("subscription")
    if not TriggerState.objects.filter(pk=row.pk, version_id=row.version_id).update(
        version_id=None, next_fire_at=None, state={}
    ):
        return
    if not subscription:
        return
    try:
        unsubscribe_webhook(subscription["inputs"], subscription.get("callbackUrl", ""))
    except ConnectorError as exc:
        log.warning("unsubscribing %s/%s failed: %s", row.workflow_id, row.trigger_name, exc)
        record(
            row.workflow,
            row.trigger_name,
            TriggerHistory.Result.FAILED,
            error={"code": exc.code, "message": f"Unsubscribe failed: {exc.message}"},
        )


# ------------------------------------------------------------------ runs and history


def services() -> Any:
    return importlib.import_module("workflows.services")


def queue_full_error() -> type[BaseException]:
    try:
        return services().RunQueueFull
    except (ImportError, AttributeError):
        return _NeverRaised


class _NeverRaised(Exception):
    pass


def start_run(
    workflow: Workflow,
    trigger_name: str,
    outputs: Any,
    *,
    scheduled_for: datetime | None = None,
    inputs: Any = None,
) -> TriggerHistory:
    """Create a run for a fired trigger and record the history (call inside the
    transaction that claimed the fire, so both commit or neither does)."""
    history = TriggerHistory(
        workflow=workflow,
        trigger_name=trigger_name,
        inputs=inputs,
        outputs=outputs,
        scheduled_for=scheduled_for,
    )
    try:
        with transaction.atomic():
            runs = services().create_runs(workflow, trigger_name, outputs, record_history=False)
    except queue_full_error() as exc:
        history.status, history.error = TriggerHistory.Result.SKIPPED, _error("RunQueueFull", exc)
    except Exception as exc:  # the claim stays: a broken engine must not refire forever
        log.exception("could not start a run of %s/%s", workflow.name, trigger_name)
        history.status, history.error = TriggerHistory.Result.FAILED, _error("RunNotCreated", exc)
    else:
        history.status = TriggerHistory.Result.SUCCEEDED if runs else TriggerHistory.Result.SKIPPED
        history.fired, history.run = bool(runs), (runs[0] if runs else None)
    history.save()
    return history


def record(
    workflow: Workflow,
    trigger_name: str,
    status: str,
    *,
    error: Any = None,
    outputs: Any = None,
    scheduled_for: datetime | None = None,
) -> TriggerHistory:
    """A trigger evaluation that started no run (Skipped: nothing new; Failed)."""
    return TriggerHistory.objects.create(
        workflow=workflow,
        trigger_name=trigger_name,
        status=status,
        error=error,
        outputs=outputs,
        scheduled_for=scheduled_for,
    )


def _error(code: str, exc: BaseException) -> dict[str, str]:
    return {"code": code, "message": str(exc) or code}


# ------------------------------------------------------------------ trigger inputs


def evaluate_inputs(
    workflow: Workflow, spec: dict[str, Any], callback_url: str | None = None
) -> tuple[Any, dict[str, dict]]:
    """Evaluate a trigger's inputs (parameters and app settings are what a
    trigger can see) and resolve the connections the definition uses."""
    definition = definition_of(workflow.current_version)
    connections, appsettings = _resolve_connections(definition)
    parameters = {
        name: (p or {}).get("defaultValue")
        for name, p in (definition.get("parameters") or {}).items()
    }
    parameters.setdefault("$connections", {"value": connections})
    inputs = spec.get("inputs")
    try:
        from workflows.expressions import evaluate
    except ImportError:  # pragma: no cover - the expression package is always present
        return inputs, connections
    context = {"parameters": parameters, "appsettings": appsettings, "callback_url": callback_url}
    return evaluate(inputs, context), connections


def _resolve_connections(definition: dict[str, Any]) -> tuple[dict[str, dict], dict[str, str]]:
    try:
        from accounts.connections import resolve_for_run
    except ImportError:
        return {}, {}
    return resolve_for_run(definition)
