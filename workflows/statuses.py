"""The closed status vocabulary (Logic Apps' own words) and allowed transitions.

Every status change is a compare-and-set update (`UPDATE … WHERE status=old`)
checked against `RUN_TRANSITIONS` / `ACTION_TRANSITIONS`.
"""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    WAITING = "Waiting"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    SKIPPED = "Skipped"
    CANCELLED = "Cancelled"
    TIMED_OUT = "TimedOut"
    ABORTED = "Aborted"


TERMINAL = frozenset(
    {
        Status.SUCCEEDED,
        Status.FAILED,
        Status.SKIPPED,
        Status.CANCELLED,
        Status.TIMED_OUT,
        Status.ABORTED,
    }
)

RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.WAITING: frozenset({Status.RUNNING, Status.CANCELLED, Status.TIMED_OUT}),
    Status.RUNNING: frozenset(
        {Status.WAITING, Status.SUCCEEDED, Status.FAILED, Status.CANCELLED, Status.TIMED_OUT}
    ),
}

ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    # Waiting → TimedOut: an action waiting to retry runs out of its limit.timeout
    Status.WAITING: frozenset({Status.RUNNING, Status.SKIPPED, Status.CANCELLED, Status.TIMED_OUT}),
    Status.RUNNING: frozenset(
        {
            Status.WAITING,
            Status.SUCCEEDED,
            Status.FAILED,
            Status.CANCELLED,
            Status.TIMED_OUT,
            Status.SKIPPED,
        }
    ),
}


def can_transition(table: dict[str, frozenset[str]], old: str, new: str) -> bool:
    return new in table.get(old, frozenset())
