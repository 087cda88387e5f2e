"""The safety net: `tick(now)` re-dispatches runs that are due but that nobody is
advancing — a lost Celery message, an ETA task that never fired, a worker killed
while holding a lease. The scheduler process calls it every second.

Runs are picked when `due_at` is at least `GRACE` old (so ordinary ETA tasks win
the race) and their lease is free or expired; each pick pushes `due_at` forward
with a compare-and-set. The push grows with the run's age (`REDISPATCH` up to
`MAX_REDISPATCH`): under a backlog most waiting runs still have their message in
the queue, and re-sending each every few seconds would flood it. Duplicates are
harmless anyway: `advance_run` takes a lease.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.db.models import Q

from workflows.models import Run
from workflows.statuses import Status
from workflows.tasks import dispatch

log = logging.getLogger("sluice.engine")

GRACE = timedelta(seconds=2)
REDISPATCH = timedelta(seconds=15)
MAX_REDISPATCH = timedelta(minutes=5)
BATCH = 500


def redispatch_delay(now: datetime, created_at: datetime) -> timedelta:
    """How long to leave a re-sent run alone: its age, within 15 s … 5 min."""
    return min(MAX_REDISPATCH, max(REDISPATCH, now - created_at))


def due_runs(now: datetime) -> list[tuple[str, datetime, datetime]]:
    lease_free = Q(lease_owner="") | Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
    return list(
        Run.objects.filter(status__in=(Status.WAITING, Status.RUNNING), due_at__lte=now - GRACE)
        .filter(lease_free)
        .order_by("due_at")
        .values_list("pk", "due_at", "created_at")[:BATCH]
    )


RETENTION_EVERY = timedelta(hours=1)
_last_retention: list[datetime] = []


def retention(now: datetime) -> None:
    """Hourly: delete ended runs past `SLUICE_RETENTION_DAYS`, in batches. Two
    schedulers may both do it; deleting what is already gone is harmless."""
    if _last_retention and now - _last_retention[0] < RETENTION_EVERY:
        return
    _last_retention[:] = [now]
    from workflows.ops import retention_tick

    deleted = retention_tick(max_batches=20)
    if deleted:
        log.info("retention deleted %d run(s)", deleted)


def tick(now: datetime | None = None) -> int:
    """Re-dispatch every run that is due and unattended; returns how many."""
    now = now or datetime.now(UTC)
    retention(now)
    sent = 0
    for run_id, due_at, created_at in due_runs(now):
        next_look = now + redispatch_delay(now, created_at)
        if Run.objects.filter(pk=run_id, due_at=due_at).update(due_at=next_look) == 1:
            dispatch(run_id)
            sent += 1
    if sent:
        log.info("tick re-dispatched %d run(s)", sent)
    return sent
