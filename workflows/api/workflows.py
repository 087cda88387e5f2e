"""`/api/v1/workflows/…`: CRUD, enable/disable, rename, versions, diff, restore,
triggers (callback URLs, run now, history), key regeneration, export."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import audit
from accounts.models import Role
from workflows import callback
from workflows.api import engine, saving
from workflows.api import schema_docs as docs
from workflows.api.diff import diff
from workflows.api.errors import ApiError
from workflows.api.pagination import HistoryCursorPagination
from workflows.api.rundetail import run_links
from workflows.api.serializers import (
    RenameSerializer,
    RunNowSerializer,
    TriggerHistorySerializer,
    VersionSerializer,
    VersionSummarySerializer,
    WorkflowPatchSerializer,
    WorkflowSerializer,
    WorkflowSummarySerializer,
    WorkflowWriteSerializer,
)
from workflows.models import ActionRun, Run, TriggerHistory, Workflow, WorkflowVersion

NAME_RE = r"[A-Za-z0-9][A-Za-z0-9_-]*"
TRIGGER_RE = r"[^/]+"


@docs.workflow_viewset
class WorkflowViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Workflows and their current definition."""

    lookup_field = "name"
    lookup_value_regex = NAME_RE
    queryset = Workflow.objects.select_related("current_version").order_by("name")
    required_roles = {"regenerate_key": Role.ADMIN, "callback_url": Role.EDITOR}

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        params = self.request.query_params
        if params.get("state"):
            queryset = queryset.filter(state__iexact=params["state"])
        if params.get("search"):
            term = params["search"]
            queryset = queryset.filter(Q(name__icontains=term) | Q(description__icontains=term))
        return queryset

    def get_serializer_class(self):
        return WorkflowSummarySerializer if self.action == "list" else WorkflowSerializer

    def create(self, request):
        data = _valid(WorkflowWriteSerializer, request.data)
        name = data.get("name")
        if not name:
            raise ApiError("ValidationFailed", "A name is required.", 400, [_req("/name")])
        if Workflow.objects.filter(name=name).exists():
            raise ApiError("WorkflowExists", f"A workflow named '{name}' exists.", 409)
        document = saving.document_of(data["definition"], data.get("kind"))
        workflow, _ = saving.save(name, document, request.user, description=data.get("description"))
        return Response(WorkflowSerializer(workflow).data, status=status.HTTP_201_CREATED)

    def update(self, request, name=None, partial=False):
        workflow = self.get_object()
        data = _valid(WorkflowPatchSerializer if partial else WorkflowWriteSerializer, request.data)
        if "name" in data and data["name"] != workflow.name:
            raise ApiError("UseRename", "Change a workflow's name with POST …/rename.", 400)
        if "definition" in data or "kind" in data:
            source = data.get("definition", _current_document(workflow))
            document = saving.document_of(source, data.get("kind"))
        else:
            document = _current_document(workflow)
        workflow, _ = saving.save(
            workflow.name, document, request.user, description=data.get("description")
        )
        return Response(WorkflowSerializer(workflow).data)

    def partial_update(self, request, name=None):
        return self.update(request, name, partial=True)

    def perform_destroy(self, instance):
        from connectors.triggers import end_subscriptions

        end_subscriptions(instance)  # webhook triggers unsubscribe before their rows go
        with transaction.atomic():
            audit.record(self.request.user, "deleted", "workflow", instance.name)
            # runs pin their version (PROTECT): remove them before the versions go
            ActionRun.objects.filter(run__workflow=instance).delete()
            Run.objects.filter(workflow=instance).delete()
            instance.delete()

    @action(detail=True, methods=["post"])
    def enable(self, request, name=None):
        return self._set_state(Workflow.State.ENABLED, "enabled")

    @action(detail=True, methods=["post"])
    def disable(self, request, name=None):
        return self._set_state(Workflow.State.DISABLED, "disabled")

    def _set_state(self, state: str, verb: str) -> Response:
        workflow = self.get_object()
        with transaction.atomic():
            if workflow.state != state:
                workflow.state = state
                workflow.save(update_fields=["state", "updated_at"])
                audit.record(self.request.user, verb, "workflow", workflow.name)
        return Response(WorkflowSerializer(workflow).data)

    @action(detail=True, methods=["post"])
    def rename(self, request, name=None):
        workflow = self.get_object()
        new_name = _valid(RenameSerializer, request.data)["name"]
        if new_name != workflow.name and Workflow.objects.filter(name=new_name).exists():
            raise ApiError("WorkflowExists", f"A workflow named '{new_name}' exists.", 409)
        with transaction.atomic():
            old = workflow.name
            workflow.name = new_name
            workflow.save(update_fields=["name", "updated_at"])
            audit.record(request.user, "renamed", "workflow", new_name, old_name=old)
        return Response(WorkflowSerializer(workflow).data)

    @action(detail=True, methods=["post"], url_path="regenerate-key")
    def regenerate_key(self, request, name=None):
        workflow = self.get_object()
        with transaction.atomic():
            workflow.signing_key = secrets.token_urlsafe(32)
            workflow.save(update_fields=["signing_key", "updated_at"])
            audit.record(request.user, "regenerated_key", "workflow", workflow.name)
        return Response({"triggers": _callback_urls(workflow)})

    @action(detail=True, methods=["get"])
    def export(self, request, name=None):
        return Response(_current_document(self.get_object()))

    # --- versions ---------------------------------------------------------------

    @action(detail=True, methods=["get"])
    def versions(self, request, name=None):
        workflow = self.get_object()
        page = self.paginate_queryset(
            workflow.versions.select_related("author").order_by("-number")
        )
        return self.get_paginated_response(VersionSummarySerializer(page, many=True).data)

    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]+)")
    def version(self, request, name=None, number=None):
        return Response(VersionSerializer(self._version(number)).data)

    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[0-9]+)/restore")
    def restore(self, request, name=None, number=None):
        version = self._version(number)
        document = {"definition": version.definition, "kind": version.kind}
        workflow, result = saving.save(version.workflow.name, document, request.user)
        if result != "unchanged":
            audit.record(
                request.user, "restored", "workflow", workflow.name, from_version=version.number
            )
        return Response({"result": result, "workflow": WorkflowSerializer(workflow).data})

    @action(detail=True, methods=["get"])
    def diff(self, request, name=None):
        base = self._version(_int_param(request, "base"))
        target_number = request.query_params.get("target")
        workflow = base.workflow
        target = (
            self._version(_int_param(request, "target"))
            if target_number
            else workflow.current_version
        )
        changes = diff(
            {"definition": base.definition, "kind": base.kind},
            {"definition": target.definition, "kind": target.kind},
        )
        return Response({"base": base.number, "target": target.number, "changes": changes})

    def _version(self, number) -> WorkflowVersion:
        workflow = self.get_object()
        return get_object_or_404(
            WorkflowVersion.objects.select_related("workflow"), workflow=workflow, number=number
        )

    # --- triggers ---------------------------------------------------------------

    @action(
        detail=True,
        methods=["get", "post"],
        url_path=rf"triggers/(?P<trigger>{TRIGGER_RE})/callback-url",
    )
    def callback_url(self, request, name=None, trigger=None):
        workflow = self.get_object()
        _request_trigger(workflow, trigger)
        return Response(callback.callback_info(workflow, trigger))

    @action(detail=True, methods=["post"], url_path=rf"triggers/(?P<trigger>{TRIGGER_RE})/run")
    def run_trigger(self, request, name=None, trigger=None):
        workflow = self.get_object()
        _trigger(workflow, trigger)
        data = _valid(RunNowSerializer, request.data if request.data is not None else {})
        outputs = {
            "headers": data["headers"],
            "body": data["body"],
            "queries": data["queries"],
            "relativePathParameters": {},
        }
        run = _create_run(workflow, trigger, outputs, data["client_tracking_id"])
        run_id = run.id if run else None
        audit.record(request.user, "ran", "workflow", workflow.name, trigger=trigger, run=run_id)
        if run is None:  # the trigger's conditions were not met
            return Response({"id": None, "status": "Skipped", "links": {}})
        run.refresh_from_db(fields=["status"])
        body = {"id": run.id, "status": run.status, "links": run_links(run)}
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["get"], url_path=rf"triggers/(?P<trigger>{TRIGGER_RE})/history")
    def history(self, request, name=None, trigger=None):
        workflow = self.get_object()
        queryset = TriggerHistory.objects.filter(workflow=workflow, trigger_name=trigger)
        paginator = HistoryCursorPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(TriggerHistorySerializer(page, many=True).data)


def _create_run(workflow: Workflow, trigger: str, outputs: dict, tracking: str):
    if workflow.state != Workflow.State.ENABLED:
        raise ApiError("WorkflowNotEnabled", f"Workflow '{workflow.name}' is disabled.", 409)
    try:
        with transaction.atomic():
            return engine.call(
                "create_run", workflow, trigger, outputs, client_tracking_id=tracking
            )
    except engine.queue_full_error():
        raise ApiError("WorkflowRunQueueFull", "Too many waiting runs; retry later.", 429)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _req(pointer: str) -> dict:
    return {"pointer": pointer, "message": "This field is required."}


def _int_param(request, name: str) -> int:
    value = request.query_params.get(name, "")
    if not value.isdigit():
        raise ApiError(
            "ValidationFailed", f"'{name}' must be a version number.", 400, [_req(f"/{name}")]
        )
    return int(value)


def _current_document(workflow: Workflow) -> dict:
    version = workflow.current_version
    if version is None:
        return {"definition": {}, "kind": "Stateful"}
    return {"definition": version.definition, "kind": version.kind}


def _trigger(workflow: Workflow, trigger: str) -> dict:
    node = ((workflow.definition or {}).get("triggers") or {}).get(trigger)
    if not isinstance(node, dict):
        raise ApiError(
            "TriggerNotFound", f"Workflow '{workflow.name}' has no trigger '{trigger}'.", 404
        )
    return node


def _request_trigger(workflow: Workflow, trigger: str) -> dict:
    node = _trigger(workflow, trigger)
    if node.get("type") != "Request":
        raise ApiError("NotARequestTrigger", f"Trigger '{trigger}' is not a Request trigger.", 400)
    return node


def _callback_urls(workflow: Workflow) -> dict[str, str]:
    triggers = (workflow.definition or {}).get("triggers") or {}
    return {
        name: callback.callback_url(
            workflow, name, str((t.get("inputs") or {}).get("relativePath") or "")
        )
        for name, t in triggers.items()
        if isinstance(t, dict) and t.get("type") == "Request"
    }
