"""Operations: `/healthz` (the process answers), `/readyz` (database and Celery
transport reachable), `/metrics` (Prometheus), run retention, and the metric
helpers the engine calls.

Metrics. Counters and the action-duration histogram live in the process that
records them (`record_run_started`, `record_run_finished`, `record_action`); a
web process only sees its own. Gauges that must be true across processes are
computed from the database at scrape time: runs waiting/running, and a broker
backlog gauge fed by callbacks registered with `register_backlog(name, fn)`.
`sluice_runs{status}` counts stored runs (a GROUP BY at each scrape: cheap next
to a 15 s scrape interval even at a million runs).

Access: `/healthz` and `/readyz` answer anyone (they reveal nothing but "up");
`/metrics` needs an API token or session (any role) unless
`SLUICE_METRICS_PUBLIC=1`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from rest_framework.request import Request

from workflows.models import ActionRun, Run, TriggerHistory
from workflows.statuses import Status

log = logging.getLogger("sluice.ops")

REGISTRY = CollectorRegistry(auto_describe=True)
RUNS_STARTED = Counter("sluice_runs_started", "Runs started.", ["workflow"], registry=REGISTRY)
RUNS_FINISHED = Counter(
    "sluice_runs_finished", "Runs finished, by status.", ["workflow", "status"], registry=REGISTRY
)
ACTION_DURATION = Histogram(
    "sluice_action_duration_seconds",
    "Duration of action executions.",
    ["type", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
    registry=REGISTRY,
)
_BACKLOG: dict[str, Callable[[], dict[str, float]]] = {}


def record_run_started(workflow: str) -> None:
    _started(workflow).inc()


@lru_cache(maxsize=1024)
def _started(workflow: str) -> Any:
    """The counter of one workflow (`labels()` validates and locks at every call:
    a tenth of a stateless run's bookkeeping)."""
    return RUNS_STARTED.labels(workflow=workflow)


def record_run_finished(workflow: str, status: str) -> None:
    _finished(workflow, status).inc()


@lru_cache(maxsize=4096)
def _finished(workflow: str, status: str) -> Any:
    return RUNS_FINISHED.labels(workflow=workflow, status=status)


def _on_run_saved(sender, instance, created: bool, **kwargs) -> None:
    if created:
        record_run_started(instance.workflow.name)


def connect() -> None:
    """Count runs as they are created (called by `AccountsConfig.ready`)."""
    from django.db.models.signals import post_save

    post_save.connect(_on_run_saved, sender=Run, dispatch_uid="sluice-metrics-run-started")


def record_action(action_type: str, status: str, seconds: float) -> None:
    ACTION_DURATION.labels(type=action_type, status=status).observe(max(seconds, 0.0))


def register_backlog(name: str, callback: Callable[[], dict[str, float]]) -> None:
    """`callback()` returns `{entity: pending message count}`; exported as
    `sluice_broker_backlog{source=name, entity=…}` at each scrape."""
    _BACKLOG[name] = callback


def _broker_backlog() -> dict[str, float]:
    """Active messages per broker channel (queues, subscriptions, event
    subscriptions), one GROUP BY; the default `broker` backlog source."""
    from broker.models import Message

    rows = (
        Message.objects.filter(state=Message.State.ACTIVE)
        .values_list("channel__kind", "channel__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {f"{kind}:{name}": n for kind, name, n in rows}


_BACKLOG["broker"] = _broker_backlog


class _DatabaseCollector:
    def describe(self):
        return []  # no database query at registration time

    def collect(self):
        counts = dict(Run.objects.values_list("status").annotate(n=Count("id")).order_by())
        runs = GaugeMetricFamily("sluice_runs", "Runs stored, by status.", labels=["status"])
        for status in Status.values:
            runs.add_metric([status], counts.get(status, 0))
        yield runs
        yield GaugeMetricFamily(
            "sluice_runs_waiting",
            "Runs waiting to start or resume.",
            value=counts.get(Status.WAITING, 0),
        )
        backlog = GaugeMetricFamily(
            "sluice_broker_backlog", "Messages waiting in the broker.", labels=["source", "entity"]
        )
        for source, callback in list(_BACKLOG.items()):
            try:
                for entity, value in callback().items():
                    backlog.add_metric([source, str(entity)], float(value))
            except Exception:
                log.exception("broker backlog callback %s failed", source)
        yield backlog


REGISTRY.register(_DatabaseCollector())


def healthz(request) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_ok() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _transport_ok() -> str:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def readyz(request) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, probe in (("database", _database_ok), ("transport", _transport_ok)):
        try:
            checks[name] = probe()
        except Exception as exc:
            checks[name] = f"unreachable: {exc.__class__.__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def _authenticated(request) -> bool:
    if getattr(settings, "SLUICE_METRICS_PUBLIC", False):
        return True
    from accounts.authentication import BearerTokenAuthentication

    drf = Request(request, authenticators=[BearerTokenAuthentication()])
    try:
        user = drf.user
    except Exception:
        return False
    session_user = getattr(request, "user", None)
    return bool(user and user.is_authenticated) or bool(
        session_user and session_user.is_authenticated
    )


def metrics(request) -> HttpResponse:
    if not _authenticated(request):
        response = HttpResponse("authentication required\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="sluice"'
        return response
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


# --- retention ----------------------------------------------------------------------


def retention_tick(
    days: int | None = None, batch: int = 1000, max_batches: int | None = None
) -> int:
    """Delete ended runs (and trigger history) older than `days` (default
    `SLUICE_RETENTION_DAYS`), `batch` runs per transaction. Returns runs deleted."""
    days = int(getattr(settings, "SLUICE_RETENTION_DAYS", 90) if days is None else days)
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        count = _delete_batch(cutoff, batch)
        deleted += count
        batches += 1
        if count < batch:
            break
    _delete_history(cutoff, batch)
    if deleted:
        log.info("retention deleted %d runs older than %d days", deleted, days)
    return deleted


def _delete_batch(cutoff, batch: int) -> int:
    from workflows.statuses import TERMINAL

    with transaction.atomic():
        ids = list(
            Run.objects.filter(created_at__lt=cutoff, status__in=list(TERMINAL)).values_list(
                "id", flat=True
            )[:batch]
        )
        if not ids:
            return 0
        Run.objects.filter(parent_run_id__in=ids).update(parent_run=None)
        Run.objects.filter(resubmitted_from_id__in=ids).update(resubmitted_from=None)
        TriggerHistory.objects.filter(run_id__in=ids).update(run=None)
        ActionRun.objects.filter(run_id__in=ids).delete()
        Run.objects.filter(id__in=ids).delete()
    return len(ids)


def _delete_history(cutoff, batch: int) -> None:
    while True:
        ids = list(
            TriggerHistory.objects.filter(created_at__lt=cutoff).values_list("id", flat=True)[
                :batch
            ]
        )
        if not ids:
            return
        TriggerHistory.objects.filter(id__in=ids).delete()
