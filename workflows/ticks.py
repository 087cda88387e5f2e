"""The safety net: `tick(now)` re-dispatches runs that are due but that nobody is
advancing — a lost Celery message, an ETA task that never fired, a worker killed
while holding a lease. The scheduler process calls it every second.

Runs are picked when `due_at` is at least `GRACE` old (so ordinary ETA tasks win
the race) and their lease is free or expired; each pick pushes `due_at` forward
by `REDISPATCH` with a compare-and-set so a slow queue is not flooded with
duplicates. Duplicates are harmless anyway: `advance_run` takes a lease.
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
BATCH = 500


def due_runs(now: datetime) -> list[tuple[str, datetime]]:
    lease_free = Q(lease_owner="") | Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
    return list(
        Run.objects.filter(status__in=(Status.WAITING, Status.RUNNING), due_at__lte=now - GRACE)
        .filter(lease_free)
        .order_by("due_at")
        .values_list("pk", "due_at")[:BATCH]
    )


def tick(now: datetime | None = None) -> int:
    """Re-dispatch every run that is due and unattended; returns how many."""
    now = now or datetime.now(UTC)
    sent = 0
    for run_id, due_at in due_runs(now):
        if Run.objects.filter(pk=run_id, due_at=due_at).update(due_at=now + REDISPATCH) == 1:
            dispatch(run_id)
            sent += 1
    if sent:
        log.info("tick re-dispatched %d run(s)", sent)
    return sent
