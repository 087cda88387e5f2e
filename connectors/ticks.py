"""The connectors' share of the scheduler loop: `tick(now)` every second.

1. `triggers.sync(now)` keeps one `TriggerState` row per schedulable trigger.
2. Every due row is claimed with a compare-and-set on `next_fire_at`
   (`UPDATE … WHERE id = … AND next_fire_at = <the value we read>`): exactly one
   scheduler process wins each occurrence.
   - Recurrence: claim, create the run and record history in one transaction.
   - Polling triggers: the claim moves `next_fire_at` to a lease (so a slow
     poll is not started twice), the poll talks to the remote system outside
     any transaction, then the new poll state, the runs and the history commit
     together under a second compare-and-set on the lease.
   - Batch: release partitions whose recurrence came due; every tick also
     releases batches whose message count or size criteria are met.
3. After downtime at most one missed occurrence fires (the oldest), then the
   schedule continues from now; `SLUICE_SCHEDULER_MISSED = "none"` skips
   occurrences later than `SLUICE_SCHEDULER_GRACE_SECONDS` (default 60) instead.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from pydantic import ValidationError

from connectors import registry, schedule, triggers
from connectors.base import ActionContext, ConnectorError
from connectors.builtin.batch import batch_body, plan_release
from connectors.models import BatchMessage, TriggerState
from workflows.models import TriggerHistory, Workflow

log = logging.getLogger("sluice.ticks")
POLL_LEASE = timedelta(minutes=5)
STATS: Counter[str] = Counter()  # claims won by this process (for metrics and tests)
BATCH_SIZE = 200


def tick(now: datetime) -> None:
    triggers.sync(now)
    for pk, scheduled in due(now):
        try:
            fire(pk, scheduled, now)
        except Exception:  # one broken trigger must not stop the others
            log.exception("trigger state %s failed to fire", pk)
    release_batches(now)


def due(now: datetime) -> list[tuple[int, datetime]]:
    rows = TriggerState.objects.filter(next_fire_at__lte=now).order_by("next_fire_at")
    return list(rows.values_list("pk", "next_fire_at")[:BATCH_SIZE])


def fire(pk: int, scheduled: datetime, now: datetime) -> None:
    row = TriggerState.objects.select_related("workflow__current_version").get(pk=pk)
    spec = (triggers.definition_of(row.workflow.current_version).get("triggers") or {}).get(
        row.trigger_name
    )
    if not spec:
        TriggerState.objects.filter(pk=pk, next_fire_at=scheduled).update(next_fire_at=None)
        return
    if row.kind == "Recurrence":
        fire_recurrence(row, spec, scheduled, now)
    elif row.kind == "Batch":
        release_on_schedule(row, spec, scheduled, now)
    elif row.kind == "HttpWebhook":
        subscribe(row, spec, scheduled, now)
    else:
        poll(row, spec, scheduled, now)


def next_after(
    row: TriggerState, spec: dict, scheduled: datetime, now: datetime
) -> datetime | None:
    recurrence = triggers.recurrence_of(spec)
    if not recurrence:
        return None
    return schedule.next_occurrence(
        recurrence, max(scheduled, now), anchor=row.anchor, fired=row.fired_count + 1
    )


def is_missed(scheduled: datetime, now: datetime) -> bool:
    if getattr(settings, "SLUICE_SCHEDULER_MISSED", "one") != "none":
        return False
    grace = float(getattr(settings, "SLUICE_SCHEDULER_GRACE_SECONDS", 60))
    return (now - scheduled).total_seconds() > grace


def fire_recurrence(row: TriggerState, spec: dict, scheduled: datetime, now: datetime) -> None:
    following = next_after(row, spec, scheduled, now)
    with transaction.atomic():
        claimed = TriggerState.objects.filter(pk=row.pk, next_fire_at=scheduled).update(
            next_fire_at=following, fired_count=F("fired_count") + 1, last_fired_at=now
        )
        if not claimed:
            return
        STATS["recurrence_claims"] += 1
        if is_missed(scheduled, now):
            triggers.record(
                row.workflow,
                row.trigger_name,
                TriggerHistory.Result.SKIPPED,
                error={
                    "code": "MissedOccurrence",
                    "message": "The scheduler was down at this time.",
                },
                scheduled_for=scheduled,
            )
            return
        outputs = {"scheduledTime": scheduled.isoformat()}
        triggers.start_run(row.workflow, row.trigger_name, outputs, scheduled_for=scheduled)


def poll(row: TriggerState, spec: dict, scheduled: datetime, now: datetime) -> None:
    lease = now + POLL_LEASE
    if not TriggerState.objects.filter(pk=row.pk, next_fire_at=scheduled).update(
        next_fire_at=lease
    ):
        return
    try:
        result = run_poll(row, spec, now)
    except (ConnectorError, ValidationError, ValueError) as exc:
        fail_poll(row, spec, scheduled, now, lease, exc)
        return
    except Exception as exc:  # a bug or an unexpected library error: visible, not silent
        log.exception("poll of %s/%s crashed", row.workflow.name, row.trigger_name)
        fail_poll(row, spec, scheduled, now, lease, exc)
        return
    following = now + timedelta(seconds=result.next_poll_in) if result.next_poll_in else None
    following = following or next_after(row, spec, scheduled, now)
    with transaction.atomic():
        kept = TriggerState.objects.filter(pk=row.pk, next_fire_at=lease).update(
            next_fire_at=following,
            state=result.state,
            last_fired_at=now,
            fired_count=F("fired_count") + 1,
            error="",
        )
        if not kept:
            return  # the lease expired and another scheduler took over
        for outputs in result.fires:
            triggers.start_run(row.workflow, row.trigger_name, outputs, scheduled_for=scheduled)
        if not result.fires:
            triggers.record(
                row.workflow,
                row.trigger_name,
                TriggerHistory.Result.SKIPPED,
                scheduled_for=scheduled,
            )


def run_poll(row: TriggerState, spec: dict, now: datetime) -> Any:
    cls = registry.get_trigger(row.kind)
    if cls is None:
        raise ConnectorError(f"No trigger handles '{row.kind}'.", code="UnknownTriggerType")
    inputs, connections = triggers.evaluate_inputs(row.workflow, spec)
    model = cls.Inputs.model_validate(registry.inputs_of(str(spec.get("type", "")), inputs))
    context = ActionContext(
        workflow_name=row.workflow.name,
        action_name=row.trigger_name,
        now=now,
        connections=connections,
    )
    return cls().poll(model, dict(row.state or {}), context)


def fail_poll(
    row: TriggerState,
    spec: dict,
    scheduled: datetime,
    now: datetime,
    lease: datetime,
    exc: Exception,
) -> None:
    following = next_after(row, spec, scheduled, now)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        following = now + timedelta(seconds=retry_after)
    code = getattr(exc, "code", type(exc).__name__)
    with transaction.atomic():
        TriggerState.objects.filter(pk=row.pk, next_fire_at=lease).update(
            next_fire_at=following, error=str(exc)[:2000]
        )
        triggers.record(
            row.workflow,
            row.trigger_name,
            TriggerHistory.Result.FAILED,
            error={"code": code, "message": str(exc)},
            outputs=getattr(exc, "outputs", None),
            scheduled_for=scheduled,
        )


# ------------------------------------------------------------------ batches

Group = tuple[str, str, str, str]  # workflow name, trigger name, batch name, partition


def release_batches(now: datetime) -> None:
    pending = BatchMessage.objects.filter(released_run_id="")
    groups = pending.values_list(
        "workflow_name", "trigger_name", "batch_name", "partition"
    ).distinct()
    for group in list(groups)[:BATCH_SIZE]:
        try:
            release_group(group, now, due=False)
        except Exception:
            log.exception("releasing batch %s failed", group)


def release_on_schedule(row: TriggerState, spec: dict, scheduled: datetime, now: datetime) -> None:
    following = next_after(row, spec, scheduled, now)
    claimed = TriggerState.objects.filter(pk=row.pk, next_fire_at=scheduled).update(
        next_fire_at=following, fired_count=F("fired_count") + 1, last_fired_at=now
    )
    if not claimed:
        return
    pending = BatchMessage.objects.filter(
        released_run_id="", workflow_name=row.workflow.name, trigger_name=row.trigger_name
    )
    for group in pending.values_list(
        "workflow_name", "trigger_name", "batch_name", "partition"
    ).distinct():
        release_group(group, now, due=True)


def batch_criteria(workflow: Workflow, trigger_name: str, batch_name: str) -> dict | None:
    spec = (triggers.definition_of(workflow.current_version).get("triggers") or {}).get(
        trigger_name
    ) or {}
    if str(spec.get("type", "")).lower() != "batch":
        return None
    config = ((spec.get("inputs") or {}).get("configurations") or {}).get(batch_name)
    return (config or {}).get("releaseCriteria") if config else None


def release_group(group: Group, now: datetime, *, due: bool) -> None:
    workflow_name, trigger_name, batch_name, partition = group
    workflow = Workflow.objects.filter(name=workflow_name, state=Workflow.State.ENABLED).first()
    criteria = batch_criteria(workflow, trigger_name, batch_name) if workflow else None
    if criteria is None:
        return  # unknown or disabled receiver: messages wait
    if due and not criteria.get("recurrence"):
        return
    pending = BatchMessage.objects.filter(
        workflow_name=workflow_name,
        trigger_name=trigger_name,
        batch_name=batch_name,
        partition=partition,
        released_run_id="",
    ).order_by("created_at", "id")
    for ids in plan_release(list(pending.values_list("id", "size")[:10_000]), criteria, due=due):
        release(workflow, group, ids, now)


def release(workflow: Workflow, group: Group, ids: list[int], now: datetime) -> None:
    """Claim `ids` (all or nothing), start the run, stamp the messages with it."""
    _, trigger_name, batch_name, partition = group
    with transaction.atomic():
        claimed = BatchMessage.objects.filter(pk__in=ids, released_run_id="").update(
            released_run_id="claimed"
        )
        if claimed != len(ids):
            transaction.set_rollback(True)  # another scheduler released some of them
            return
        messages = list(BatchMessage.objects.filter(pk__in=ids).order_by("created_at", "id"))
        outputs = batch_body(batch_name, partition, messages)
        history = triggers.start_run(workflow, trigger_name, outputs, scheduled_for=now)
        stamp = history.run_id if history.fired and history.run_id else ""
        BatchMessage.objects.filter(pk__in=ids).update(released_run_id=stamp)


# ------------------------------------------------------------------ webhooks

WEBHOOK_RETRY = timedelta(minutes=1)


def subscribe(row: TriggerState, spec: dict, scheduled: datetime, now: datetime) -> None:
    """(Re)subscribe an HttpWebhook trigger: unsubscribe the previous version's
    subscription, subscribe with the current inputs, remember both."""
    from connectors.builtin.http import subscribe_webhook, unsubscribe_webhook

    lease = now + POLL_LEASE
    if not TriggerState.objects.filter(pk=row.pk, next_fire_at=scheduled).update(
        next_fire_at=lease
    ):
        return
    callback = triggers.callback_url_for(row.workflow, row.trigger_name)
    previous = (row.state or {}).get("subscription")
    try:
        if previous:
            unsubscribe_webhook(previous["inputs"], previous.get("callbackUrl", ""))
        inputs, _ = triggers.evaluate_inputs(row.workflow, spec, callback_url=callback)
        outputs = subscribe_webhook(inputs, callback)
    except Exception as exc:
        if not isinstance(exc, ConnectorError | ValueError):
            log.exception("subscribing %s/%s crashed", row.workflow.name, row.trigger_name)
        fail_subscription(row, scheduled, now, lease, exc)
        return
    state = {"subscription": {"inputs": inputs, "outputs": outputs, "callbackUrl": callback}}
    TriggerState.objects.filter(pk=row.pk, next_fire_at=lease).update(
        next_fire_at=None, state=state, last_fired_at=now, error=""
    )


def fail_subscription(
    row: TriggerState, scheduled: datetime, now: datetime, lease: datetime, exc: Exception
) -> None:
    code = getattr(exc, "code", type(exc).__name__)
    with transaction.atomic():
        TriggerState.objects.filter(pk=row.pk, next_fire_at=lease).update(
            next_fire_at=now + WEBHOOK_RETRY, state={}, error=str(exc)[:2000]
        )
        triggers.record(
            row.workflow,
            row.trigger_name,
            TriggerHistory.Result.FAILED,
            error={"code": code, "message": f"Subscribe failed: {exc}"},
            scheduled_for=scheduled,
        )
