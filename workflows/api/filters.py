"""Query-string filters for runs and trigger history (hand-written: five
parameters do not justify a dependency). Bad values are a 400, not a 500."""

from __future__ import annotations

from datetime import datetime

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError

from workflows.models import Workflow
from workflows.statuses import Status

RUN_FILTERS = ("workflow", "status", "trigger", "client_tracking_id", "since", "until")


def _time(value: str, name: str) -> datetime:
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({name: [f"Not an ISO-8601 date-time: {value!r}."]})
    return parsed


def _statuses(value: str) -> list[str]:
    wanted = [s.strip() for s in value.split(",") if s.strip()]
    known = {s.lower(): s for s in Status.values}
    unknown = [s for s in wanted if s.lower() not in known]
    if unknown:
        raise ValidationError({"status": [f"Unknown status: {', '.join(unknown)}."]})
    return [known[s.lower()] for s in wanted]


def filter_runs(queryset, params):
    if params.get("workflow"):
        # resolve the id first: filtering on the joined name makes PostgreSQL walk
        # the primary key instead of the (workflow, status, id) index
        ids = list(Workflow.objects.filter(name=params["workflow"]).values_list("id", flat=True))
        queryset = queryset.filter(workflow_id=ids[0]) if ids else queryset.none()
    if params.get("status"):
        statuses = _statuses(params["status"])
        queryset = (
            queryset.filter(status=statuses[0])
            if len(statuses) == 1
            else queryset.filter(status__in=statuses)
        )
    if params.get("trigger"):
        queryset = queryset.filter(trigger_name=params["trigger"])
    if params.get("client_tracking_id"):
        queryset = queryset.filter(client_tracking_id=params["client_tracking_id"])
    if params.get("since"):
        queryset = queryset.filter(created_at__gte=_time(params["since"], "since"))
    if params.get("until"):
        queryset = queryset.filter(created_at__lt=_time(params["until"], "until"))
    return queryset
