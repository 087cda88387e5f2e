"""Query-string filters for runs and trigger history (hand-written: five
parameters do not justify a dependency). Bad values are a 400, not a 500."""

from __future__ import annotations

from datetime import datetime

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError

from workflows.api.runlist import RunListQuery
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


def filter_runs(query: RunListQuery, params) -> RunListQuery:
    if params.get("workflow"):
        query = query.workflow(params["workflow"])
    if params.get("status"):
        query = query.among("status", _statuses(params["status"]))
    if params.get("trigger"):
        query = query.compare("trigger_name", "exact", params["trigger"])
    if params.get("client_tracking_id"):
        query = query.compare("client_tracking_id", "exact", params["client_tracking_id"])
    if params.get("since"):
        query = query.compare("created_at", "gte", _time(params["since"], "since"))
    if params.get("until"):
        query = query.compare("created_at", "lt", _time(params["until"], "until"))
    return query
