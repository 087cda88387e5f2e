"""`/api/v1/runs/…`: list (filters + cursor, newest first), detail (action tree),
large contents, cancel, resubmit (from the trigger or from an action)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.shortcuts import get_object_or_404
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import audit
from accounts.connections import scrub
from workflows.api import engine
from workflows.api import schema_docs as docs
from workflows.api.errors import ApiError
from workflows.api.filters import filter_runs
from workflows.api.pagination import RunCursorPagination
from workflows.api.rundetail import (
    action_content,
    load_run,
    run_detail,
    run_links,
    trigger_content,
)
from workflows.api.runlist import KEYS, RunListQuery
from workflows.api.serializers import ResubmitSerializer, RunSummarySerializer
from workflows.models import ActionRun, Run
from workflows.statuses import TERMINAL


def iso(moment: datetime | None) -> str | None:
    """A timestamp exactly as DRF's JSON encoder writes it (`…Z` for UTC), done
    here so the list's 150 timestamps skip the encoder's per-object fallback."""
    if moment is None:
        return None
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _as_is(moment: datetime | None) -> datetime | None:
    return moment


def summary(row: dict, when: Callable = iso) -> dict:
    started, ended = row["started_at"], row["ended_at"]
    return {
        "id": row["id"],
        "workflow": row["workflow__name"],
        "version": row["version__number"],
        "status": row["status"],
        "trigger_name": row["trigger_name"],
        "client_tracking_id": row["client_tracking_id"],
        "correlation_id": row["correlation_id"],
        "resubmitted_from": row["resubmitted_from"],
        "created_at": when(row["created_at"]),
        "started_at": when(started),
        "ended_at": when(ended),
        "duration_ms": int((ended - started).total_seconds() * 1000) if started and ended else None,
        "error": row["error"],
    }


def _row(run: Run) -> dict:
    row = {f: getattr(run, f) for f in KEYS if "__" not in f and f != "resubmitted_from"}
    row.update(
        workflow__name=run.workflow.name,
        version__number=run.version.number,
        resubmitted_from=run.resubmitted_from_id,
    )
    return row


@docs.run_viewset
class RunViewSet(viewsets.ReadOnlyModelViewSet):
    """Runs of every workflow, newest first."""

    lookup_value_regex = r"[0-9A-Za-z]+"
    pagination_class = RunCursorPagination
    serializer_class = RunSummarySerializer

    def get_queryset(self):
        queryset = Run.objects.select_related("workflow", "version")
        if self.action == "list":
            queryset = filter_runs(RunListQuery(), self.request.query_params)
        return queryset

    def list(self, request):
        """Rows of one hand-written SELECT (`runlist.py`) into dicts: the hot path
        of the monitor."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([summary(row) for row in page])

    def retrieve(self, request, pk=None):
        run = load_run(pk)
        detail = run_detail(run)
        data = summary(_row(run), when=_as_is)  # scrub() below must not see timestamps as text
        data.update(
            parent_run=run.parent_run_id,
            parent_action=run.parent_action,
            trigger=detail["trigger"],
            actions=detail["actions"],
            outputs=run.outputs,
            response=run.response,
            tracked_properties=run.tracked_properties,
            links=detail["links"],
        )
        return Response(scrub(data))

    @action(detail=True, methods=["get"], url_path=r"trigger/(?P<part>inputs|outputs)")
    def trigger_content(self, request, pk=None, part=None):
        run = get_object_or_404(Run.objects.select_related("version"), pk=pk)
        return Response(trigger_content(run, part))

    @action(
        detail=True,
        methods=["get"],
        url_path=r"actions/(?P<action_path>.+)/(?P<part>inputs|outputs)",
    )
    def action_content(self, request, pk=None, action_path=None, part=None):
        record = get_object_or_404(ActionRun, run_id=pk, path=action_path)
        return Response(action_content(record, part))

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        run = get_object_or_404(Run, pk=pk)
        if run.status in TERMINAL:
            raise ApiError("RunNotCancellable", f"The run has already ended ({run.status}).", 409)
        with transaction.atomic():
            engine.call("cancel_run", run)
            audit.record(request.user, "cancelled", "run", run.id, workflow=run.workflow.name)
        run.refresh_from_db(fields=["status"])
        return Response({"id": run.id, "status": run.status, "links": run_links(run)})

    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        run = get_object_or_404(Run.objects.select_related("workflow"), pk=pk)
        serializer = ResubmitSerializer(data=request.data if request.data is not None else {})
        serializer.is_valid(raise_exception=True)
        from_action = serializer.validated_data["from_action"] or None
        if from_action and run.status not in TERMINAL:
            raise ApiError("RunNotFinished", "Resubmit from an action needs a finished run.", 409)
        try:
            with transaction.atomic():
                new_run = engine.call("resubmit_run", run, from_action=from_action)
                audit.record(
                    request.user,
                    "resubmitted",
                    "run",
                    run.id,
                    workflow=run.workflow.name,
                    new_run=new_run.id,
                    from_action=from_action or "",
                )
        except engine.queue_full_error():
            raise ApiError("WorkflowRunQueueFull", "Too many waiting runs; retry later.", 429)
        except ValueError as exc:
            raise ApiError("ResubmitRefused", str(exc), 400)
        body = {"id": new_run.id, "status": new_run.status, "links": run_links(new_run)}
        return Response(body, status=status.HTTP_202_ACCEPTED)
