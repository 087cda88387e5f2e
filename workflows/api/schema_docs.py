"""OpenAPI descriptions and examples for the workflows API (drf-spectacular),
kept apart from the views so the views stay short."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers

from workflows.api.serializers import (
    CallbackUrlSerializer,
    ConnectorSerializer,
    DiffSerializer,
    DocumentSerializer,
    ImportSerializer,
    RenameSerializer,
    ResubmitSerializer,
    RunAcceptedSerializer,
    RunDetailSerializer,
    RunNowSerializer,
    SaveResultSerializer,
    TriggerHistorySerializer,
    ValidationResultSerializer,
    VersionSerializer,
    VersionSummarySerializer,
    WorkflowPatchSerializer,
    WorkflowSerializer,
    WorkflowSummarySerializer,
    WorkflowWriteSerializer,
)

HELLO = {
    "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
    "contentVersion": "1.0.0.0",
    "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}},
    "actions": {
        "Response": {
            "type": "Response",
            "inputs": {"statusCode": 200, "body": "@concat('Hello ', triggerBody()?['name'])"},
            "runAfter": {},
        }
    },
    "outputs": {},
}

EXAMPLE_RUN_ID = "08585265143234327272054208430CU00"
RUN_SUMMARY = {
    "id": EXAMPLE_RUN_ID,
    "workflow": "hello",
    "version": 3,
    "status": "Succeeded",
    "trigger_name": "manual",
    "client_tracking_id": "order-42",
    "correlation_id": EXAMPLE_RUN_ID,
    "resubmitted_from": None,
    "created_at": "2026-11-28T20:00:00Z",
    "started_at": "2026-11-28T20:00:00.100000Z",
    "ended_at": "2026-11-28T20:00:00.350000Z",
    "duration_ms": 250,
    "error": None,
}
ACTION_NODE = {
    "name": "Response",
    "path": "Response",
    "type": "Response",
    "status": "Succeeded",
    "code": "OK",
    "iteration": None,
    "start_time": "2026-11-28T20:00:00.200000Z",
    "end_time": "2026-11-28T20:00:00.210000Z",
    "duration_ms": 10,
    "attempts": 1,
    "retry_history": [],
    "error": None,
    "tracked_properties": None,
    "inputs": {"statusCode": 200, "body": "Hello Ada"},
    "inputs_link": {
        "uri": f"/api/v1/runs/{EXAMPLE_RUN_ID}/actions/Response/inputs",
        "content_size": 41,
    },
    "outputs": None,
    "outputs_link": {
        "uri": f"/api/v1/runs/{EXAMPLE_RUN_ID}/actions/Response/outputs",
        "content_size": 0,
    },
    "children": [],
}

ERROR = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorBody",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "details": serializers.ListField(child=serializers.DictField(), required=False),
            },
        )
    },
)

INVALID = OpenApiResponse(
    ERROR,
    description="The definition is not valid: `details` lists each problem with a JSON pointer.",
    examples=[
        OpenApiExample(
            "Invalid definition",
            value={
                "error": {
                    "code": "InvalidDefinition",
                    "message": "The definition is not valid: Unknown action type 'Nope'.",
                    "details": [
                        {"pointer": "/actions/Step/type", "message": "Unknown action type 'Nope'."}
                    ],
                }
            },
        )
    ],
)
NOT_FOUND = OpenApiResponse(ERROR, description="No such object.")
CONFLICT = OpenApiResponse(ERROR, description="Conflicts with the current state.")
QUEUE_FULL = OpenApiResponse(ERROR, description="Too many waiting runs (trigger concurrency).")

CREATE_EXAMPLE = OpenApiExample(
    "Create hello",
    request_only=True,
    value={"name": "hello", "description": "Says hello", "definition": HELLO, "kind": "Stateful"},
)
TRIGGER = OpenApiParameter(
    "trigger",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Trigger name.",
    examples=[OpenApiExample("manual", value="manual")],
)
NUMBER = OpenApiParameter(
    "number",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="Version number.",
    examples=[OpenApiExample("first", value=1)],
)
NAME = OpenApiParameter(
    "name",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Workflow name.",
    examples=[OpenApiExample("hello", value="hello")],
)

workflow_viewset = extend_schema_view(
    list=extend_schema(
        examples=[
            OpenApiExample(
                "Workflows",
                response_only=True,
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "name": "hello",
                            "description": "Says hello",
                            "state": "Enabled",
                            "kind": "Stateful",
                            "version": 3,
                            "triggers": [{"name": "manual", "type": "Request", "kind": "Http"}],
                            "created_at": "2026-11-28T19:00:00Z",
                            "updated_at": "2026-11-28T20:00:00Z",
                        }
                    ],
                },
            )
        ],
        summary="List workflows",
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=["Enabled", "Disabled"]),
            OpenApiParameter(
                "search",
                OpenApiTypes.STR,
                description="Part of the name or description.",
                examples=[OpenApiExample("orders", value="order")],
            ),
        ],
        description="Workflows by name, without definitions.",
        responses=WorkflowSummarySerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="Get a workflow",
        description="A workflow with its current definition.",
        parameters=[NAME],
    ),
    create=extend_schema(
        summary="Create a workflow",
        description="Validates the definition and stores it as version 1. Editor role.",
        request=WorkflowWriteSerializer,
        responses={201: WorkflowSerializer, 400: INVALID, 409: CONFLICT},
        examples=[CREATE_EXAMPLE],
    ),
    update=extend_schema(
        summary="Replace a workflow's definition",
        description="A changed definition or kind makes a new version; an identical one changes nothing.",
        request=WorkflowWriteSerializer,
        parameters=[NAME],
        responses={200: WorkflowSerializer, 400: INVALID, 404: NOT_FOUND},
        examples=[OpenApiExample("Update", request_only=True, value={"definition": HELLO})],
    ),
    partial_update=extend_schema(
        summary="Change a workflow",
        description="Change the description, the definition or the kind.",
        request=WorkflowPatchSerializer,
        parameters=[NAME],
        responses={200: WorkflowSerializer, 400: INVALID, 404: NOT_FOUND},
        examples=[
            OpenApiExample("Describe", request_only=True, value={"description": "New words"})
        ],
    ),
    destroy=extend_schema(
        summary="Delete a workflow",
        description="Deletes the workflow, its versions and its runs.",
        parameters=[NAME],
        responses={204: None, 404: NOT_FOUND},
    ),
    enable=extend_schema(
        summary="Enable",
        description="Triggers fire again.",
        request=None,
        parameters=[NAME],
        responses={200: WorkflowSerializer},
    ),
    disable=extend_schema(
        summary="Disable",
        description="Triggers stop firing; runs in flight go on.",
        request=None,
        parameters=[NAME],
        responses={200: WorkflowSerializer},
    ),
    rename=extend_schema(
        summary="Rename",
        description="Renames the workflow. Callback URLs contain the name: old URLs stop working.",
        request=RenameSerializer,
        parameters=[NAME],
        responses={200: WorkflowSerializer, 409: CONFLICT},
        examples=[OpenApiExample("Rename", request_only=True, value={"name": "hello-v2"})],
    ),
    regenerate_key=extend_schema(
        summary="Regenerate the signing key",
        description="Every callback URL issued before stops working. Admin role.",
        request=None,
        parameters=[NAME],
        responses={
            200: inline_serializer(
                "RegeneratedKey", {"triggers": serializers.DictField(child=serializers.CharField())}
            )
        },
    ),
    export=extend_schema(
        summary="Export",
        description="The current definition in the Standard `{definition, kind}` wrapper.",
        parameters=[NAME],
        responses={200: DocumentSerializer},
    ),
    versions=extend_schema(
        summary="List versions",
        description="Every saved version, newest first.",
        parameters=[NAME],
        responses=VersionSummarySerializer(many=True),
    ),
    version=extend_schema(
        summary="Get a version",
        description="One version with its definition.",
        parameters=[NAME, NUMBER],
        responses={200: VersionSerializer, 404: NOT_FOUND},
    ),
    restore=extend_schema(
        summary="Restore a version",
        description="Saves that version's definition as the newest version.",
        request=None,
        parameters=[NAME, NUMBER],
        responses={200: SaveResultSerializer, 404: NOT_FOUND},
    ),
    diff=extend_schema(
        summary="Diff two versions",
        description="Changes by JSON pointer from version `base` to `target` (default: current).",
        parameters=[
            NAME,
            OpenApiParameter(
                "base", OpenApiTypes.INT, required=True, description="From this version."
            ),
            OpenApiParameter(
                "target", OpenApiTypes.INT, description="To this version (default: current)."
            ),
        ],
        responses={200: DiffSerializer, 400: OpenApiResponse(ERROR), 404: NOT_FOUND},
        examples=[
            OpenApiExample(
                "A changed status code",
                response_only=True,
                value={
                    "base": 1,
                    "target": 2,
                    "changes": [
                        {
                            "op": "replace",
                            "pointer": "/definition/actions/Response/inputs/statusCode",
                            "from": 200,
                            "to": 201,
                        }
                    ],
                },
            )
        ],
    ),
    callback_url=extend_schema(
        summary="Callback URL of a Request trigger",
        description="The signed URL that fires the trigger (Logic Apps' listCallbackUrl). Editor role.",
        request=None,
        parameters=[NAME, TRIGGER],
        responses={200: CallbackUrlSerializer, 400: OpenApiResponse(ERROR), 404: NOT_FOUND},
    ),
    run_trigger=extend_schema(
        summary="Run a trigger now",
        description="Fires the trigger with the given body/headers (like a manual run). Editor role.",
        request=RunNowSerializer,
        parameters=[NAME, TRIGGER],
        responses={202: RunAcceptedSerializer, 404: NOT_FOUND, 409: CONFLICT, 429: QUEUE_FULL},
        examples=[
            OpenApiExample("Run with a body", request_only=True, value={"body": {"name": "Ada"}})
        ],
    ),
    history=extend_schema(
        summary="Trigger history",
        description="Each time the trigger was evaluated: status, whether it fired, the run.",
        parameters=[NAME, TRIGGER],
        responses=TriggerHistorySerializer(many=True),
    ),
)

RUN_FILTER_PARAMS = [
    OpenApiParameter("workflow", OpenApiTypes.STR, description="Workflow name."),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        description="Status, or several separated by commas.",
        examples=[OpenApiExample("Failed", value="Failed")],
    ),
    OpenApiParameter("trigger", OpenApiTypes.STR, description="Trigger name."),
    OpenApiParameter("client_tracking_id", OpenApiTypes.STR, description="Client tracking id."),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="Created at or after (ISO 8601)."),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description="Created before (ISO 8601)."),
]
RUN_ID = OpenApiParameter(
    "id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Run id (sorts newest first).",
    examples=[OpenApiExample("run", value=EXAMPLE_RUN_ID)],
)
PART = OpenApiParameter(
    "part",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=["inputs", "outputs"],
    examples=[OpenApiExample("outputs", value="outputs")],
)

run_viewset = extend_schema_view(
    list=extend_schema(
        summary="List runs",
        description="Newest first, cursor-paginated (`next` / `previous` links).",
        parameters=RUN_FILTER_PARAMS,
        examples=[
            OpenApiExample(
                "A page",
                response_only=True,
                value={
                    "next": "/api/v1/runs?cursor=cD0w",
                    "previous": None,
                    "results": [RUN_SUMMARY],
                },
            )
        ],
    ),
    retrieve=extend_schema(
        summary="Get a run",
        description=(
            "The run with its trigger and action runs as a tree. Contents over 64 KB are "
            "left out (`inputs`: null) and served at `inputs_link.uri`; secured contents read "
            "'Content not shown due to security configuration.'"
        ),
        parameters=[RUN_ID],
        responses={200: RunDetailSerializer, 404: NOT_FOUND},
        examples=[
            OpenApiExample(
                "A finished run",
                response_only=True,
                value={
                    **RUN_SUMMARY,
                    "parent_run": None,
                    "parent_action": "",
                    "trigger": {
                        "name": "manual",
                        "status": "Succeeded",
                        "inputs": None,
                        "outputs": {"headers": {}, "body": {"name": "Ada"}},
                    },
                    "actions": [ACTION_NODE],
                    "outputs": {},
                    "response": {"statusCode": 200, "headers": {}, "body": "Hello Ada"},
                    "tracked_properties": {},
                    "links": {"self": f"/api/v1/runs/{EXAMPLE_RUN_ID}"},
                },
            )
        ],
    ),
    trigger_content=extend_schema(
        summary="Trigger inputs or outputs",
        description="Full trigger contents of a run.",
        parameters=[RUN_ID, PART],
        responses={200: OpenApiTypes.ANY, 404: NOT_FOUND},
    ),
    action_content=extend_schema(
        summary="Action inputs or outputs",
        description="Full contents of one action run; `action_path` as in the run tree (`Scope/Inner`, `Loop[3]/Step`).",
        parameters=[
            RUN_ID,
            PART,
            OpenApiParameter(
                "action_path",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                examples=[OpenApiExample("nested", value="Scope/Compose")],
            ),
        ],
        responses={200: OpenApiTypes.ANY, 404: NOT_FOUND},
    ),
    cancel=extend_schema(
        summary="Cancel a run",
        description="Editor role.",
        request=None,
        parameters=[RUN_ID],
        responses={200: RunAcceptedSerializer, 404: NOT_FOUND, 409: CONFLICT},
    ),
    resubmit=extend_schema(
        summary="Resubmit a run",
        description="A new run with the same trigger outputs, or (with `from_action`) one that starts at that action of a finished run, reusing earlier results. Editor role.",
        request=ResubmitSerializer,
        parameters=[RUN_ID],
        responses={
            202: RunAcceptedSerializer,
            400: OpenApiResponse(ERROR),
            404: NOT_FOUND,
            409: CONFLICT,
            429: QUEUE_FULL,
        },
        examples=[
            OpenApiExample("From an action", request_only=True, value={"from_action": "Send_mail"})
        ],
    ),
)

validate_view = extend_schema_view(
    post=extend_schema(
        summary="Validate a definition",
        description="Runs save-time validation without saving anything. Any role.",
        request=DocumentSerializer,
        responses={200: ValidationResultSerializer},
        examples=[
            OpenApiExample("Request", request_only=True, value={"definition": HELLO}),
            OpenApiExample("Valid", response_only=True, value={"valid": True, "problems": []}),
        ],
    )
)
import_view = extend_schema_view(
    post=extend_schema(
        summary="Import a workflow",
        description="Creates or updates the workflow `name` (idempotent: `result` says created, updated or unchanged).",
        request=ImportSerializer,
        responses={200: SaveResultSerializer, 201: SaveResultSerializer, 400: INVALID},
        examples=[CREATE_EXAMPLE],
    )
)
connectors_view = extend_schema_view(
    get=extend_schema(
        summary="Connector catalog",
        description="Every registered connector with the JSON Schema of its inputs (for the designer).",
        examples=[
            OpenApiExample(
                "Catalog",
                response_only=True,
                value=[
                    {
                        "kind": "Http",
                        "title": "HTTP",
                        "version": "1.0",
                        "description": "Call an HTTP endpoint.",
                        "icon": "",
                        "inputs": {
                            "type": "object",
                            "properties": {"method": {"type": "string"}, "uri": {"type": "string"}},
                        },
                        "outputs": {},
                        "examples": [],
                    }
                ],
            )
        ],
        responses=ConnectorSerializer(many=True),
    )
)
