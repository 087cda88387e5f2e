"""Serializers at the JSON boundary of the workflows API.

Field names are snake_case; embedded Logic Apps documents (definitions, trigger
and action inputs/outputs) keep their own camelCase untouched.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

from workflows.models import Kind, Run, TriggerHistory, Workflow, WorkflowVersion

NAME_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
    "Use letters, digits, '-' and '_' only, starting with a letter or digit.",
)
RESERVED_NAMES = {"v1", "schema", "docs"}  # `/api/<name>/…` would clash with the API's own paths


def not_reserved(value: str) -> None:
    if value.lower() in RESERVED_NAMES:
        raise serializers.ValidationError(f"'{value}' is reserved; choose another name.")


def _triggers(definition: Any) -> list[dict[str, Any]]:
    triggers = definition.get("triggers") if isinstance(definition, dict) else None
    if not isinstance(triggers, dict):
        return []
    return [
        {"name": name, "type": t.get("type", ""), "kind": t.get("kind", "")}
        for name, t in triggers.items()
        if isinstance(t, dict)
    ]


class TriggerSummarySerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    kind = serializers.CharField(allow_blank=True)


class WorkflowSerializer(serializers.ModelSerializer):
    """A workflow with its current definition (`definition`, `kind`, `version`)."""

    kind = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    triggers = serializers.SerializerMethodField()
    definition = serializers.SerializerMethodField()

    class Meta:
        model = Workflow
        fields = [
            "name",
            "description",
            "state",
            "kind",
            "version",
            "triggers",
            "definition",
            "created_at",
            "updated_at",
        ]

    def get_kind(self, wf: Workflow) -> str:
        return wf.current_version.kind if wf.current_version else Kind.STATEFUL

    def get_version(self, wf: Workflow) -> int | None:
        return wf.current_version.number if wf.current_version else None

    def get_triggers(self, wf: Workflow) -> list[dict[str, Any]]:
        return _triggers(wf.definition)

    def get_definition(self, wf: Workflow) -> dict[str, Any]:
        return wf.definition


class WorkflowSummarySerializer(WorkflowSerializer):
    """A workflow in a list: everything but the definition."""

    class Meta(WorkflowSerializer.Meta):
        fields = [f for f in WorkflowSerializer.Meta.fields if f != "definition"]


class WorkflowWriteSerializer(serializers.Serializer):
    """Create (`name` required) or update a workflow. `definition` is a bare WDL
    definition or the Standard `{"definition", "kind"}` wrapper; `kind` (when
    given) overrides the wrapper's."""

    name = serializers.CharField(
        max_length=80, validators=[NAME_VALIDATOR, not_reserved], required=False
    )
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    definition = serializers.JSONField()
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)


class WorkflowPatchSerializer(WorkflowWriteSerializer):
    definition = serializers.JSONField(required=False)


class RenameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, validators=[NAME_VALIDATOR, not_reserved])


class DocumentSerializer(serializers.Serializer):
    definition = serializers.JSONField(help_text="A WDL definition or the Standard wrapper.")
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)


class ImportSerializer(WorkflowWriteSerializer):
    name = serializers.CharField(max_length=80, validators=[NAME_VALIDATOR, not_reserved])


class ProblemSerializer(serializers.Serializer):
    pointer = serializers.CharField(help_text="RFC 6901 JSON pointer into the document.")
    message = serializers.CharField()


class ValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    problems = ProblemSerializer(many=True)


class SaveResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    workflow = WorkflowSerializer()


class VersionSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = WorkflowVersion
        fields = ["number", "kind", "hash", "author", "created_at", "definition"]


class VersionSummarySerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = ["number", "kind", "hash", "author", "created_at"]


class DiffChangeSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["add", "remove", "replace"])
    pointer = serializers.CharField()
    # `from` is a Python keyword: declared below
    to = serializers.JSONField(required=False)


DiffChangeSerializer._declared_fields["from"] = serializers.JSONField(required=False)


class DiffSerializer(serializers.Serializer):
    base = serializers.IntegerField(help_text="Version number compared from.")
    target = serializers.IntegerField(help_text="Version number compared to.")
    changes = DiffChangeSerializer(many=True)


class CallbackUrlSerializer(serializers.Serializer):
    value = serializers.URLField(help_text="The signed URL to call.")
    method = serializers.CharField(help_text="Allowed method ('' = any).", allow_blank=True)
    base_path = serializers.CharField()
    relative_path = serializers.CharField(allow_blank=True)
    queries = serializers.DictField(child=serializers.CharField())


class RunNowSerializer(serializers.Serializer):
    body = serializers.JSONField(required=False, allow_null=True, default=None)
    headers = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    queries = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    client_tracking_id = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class ResubmitSerializer(serializers.Serializer):
    from_action = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Resubmit from this action (top-level name); empty = from the trigger.",
    )


class RunSummarySerializer(serializers.ModelSerializer):
    workflow = serializers.CharField(source="workflow.name", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    duration_ms = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = [
            "id",
            "workflow",
            "version",
            "status",
            "trigger_name",
            "client_tracking_id",
            "correlation_id",
            "resubmitted_from",
            "created_at",
            "started_at",
            "ended_at",
            "duration_ms",
            "error",
        ]

    def get_duration_ms(self, run: Run) -> int | None:
        if run.started_at and run.ended_at:
            return int((run.ended_at - run.started_at).total_seconds() * 1000)
        return None


class RunDetailSerializer(RunSummarySerializer):
    trigger = serializers.JSONField(help_text="Trigger record; large contents behind links.")
    actions = serializers.ListField(
        child=serializers.JSONField(), help_text="Action runs as a tree (`children`)."
    )
    outputs = serializers.JSONField()
    response = serializers.JSONField(allow_null=True)
    links = serializers.DictField(child=serializers.CharField())

    class Meta(RunSummarySerializer.Meta):
        fields = [
            *RunSummarySerializer.Meta.fields,
            "parent_run",
            "parent_action",
            "trigger",
            "actions",
            "outputs",
            "response",
            "tracked_properties",
            "links",
        ]


class RunAcceptedSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField()
    links = serializers.DictField(child=serializers.CharField())


class TriggerHistorySerializer(serializers.ModelSerializer):
    run = serializers.CharField(source="run_id", allow_null=True, read_only=True)
    status = serializers.CharField(help_text="Succeeded, Skipped or Failed.")

    class Meta:
        model = TriggerHistory
        fields = [
            "id",
            "trigger_name",
            "status",
            "fired",
            "run",
            "inputs",
            "outputs",
            "error",
            "scheduled_for",
            "created_at",
        ]


class ConnectorSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    version = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    icon = serializers.CharField(allow_blank=True)
    inputs = serializers.JSONField(help_text="JSON Schema of the inputs.")
    outputs = serializers.JSONField(help_text="JSON Schema of the outputs.")
    examples = serializers.ListField(child=serializers.JSONField())
