"""Workflows, their immutable versions, runs, action runs and trigger history.

A `Run` pins the `WorkflowVersion` it runs, so editing a workflow never changes a
run in flight. `Run.due_at` is the precomputed "look at me again at" column that
the sweep and the Celery ETA tasks use; `lease_owner`/`lease_expires_at` let one
worker advance a run at a time and let another resume it if that worker dies.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from workflows.ids import run_id
from workflows.statuses import Status


def _signing_key() -> str:
    return secrets.token_urlsafe(32)


class Kind(models.TextChoices):
    STATEFUL = "Stateful"
    STATELESS = "Stateless"


class Workflow(models.Model):
    class State(models.TextChoices):
        ENABLED = "Enabled"
        DISABLED = "Disabled"

    name = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, default="")
    state = models.CharField(max_length=16, choices=State.choices, default=State.ENABLED)
    current_version = models.ForeignKey(
        "WorkflowVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signing_key = models.CharField(max_length=64, default=_signing_key)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def definition(self) -> dict:
        return self.current_version.definition if self.current_version else {}


def definition_hash(definition: dict, kind: str) -> str:
    blob = json.dumps(
        {"definition": definition, "kind": kind}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(blob.encode()).hexdigest()


class WorkflowVersion(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STATEFUL)
    hash = models.CharField(max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workflow", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "number"], name="unique_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.workflow.name} v{self.number}"


class Run(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=run_id, editable=False)
    # no index of its own: run_workflow_created and run_workflow_status start with it
    workflow = models.ForeignKey(
        Workflow, on_delete=models.CASCADE, related_name="runs", db_index=False
    )
    version = models.ForeignKey(WorkflowVersion, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    trigger_name = models.CharField(max_length=80, blank=True, default="")
    trigger = models.JSONField(
        default=dict, blank=True
    )  # {name, inputs, outputs, startTime, endTime, status}
    client_tracking_id = models.CharField(max_length=200, blank=True, default="", db_index=True)
    correlation_id = models.CharField(max_length=64, blank=True, default="")
    parent_run = models.ForeignKey(  # indexed where set (run_parent): most runs have none
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="child_runs",
        db_index=False,
    )
    parent_action = models.CharField(max_length=400, blank=True, default="")
    resubmitted_from = models.ForeignKey(  # indexed where set (run_resubmitted_from)
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resubmissions",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)  # the sweep reads run_status_due
    lease_owner = models.CharField(max_length=100, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    outputs = models.JSONField(default=dict, blank=True)
    response = models.JSONField(null=True, blank=True)  # {statusCode, headers, body}
    state = models.JSONField(default=dict, blank=True)  # engine state (variables, …)
    tracked_properties = models.JSONField(default=dict, blank=True)
    cancel_requested = models.BooleanField(default=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STATEFUL)

    class Meta:
        ordering = ["id"]  # ids sort newest first
        indexes = [
            models.Index(fields=["workflow", "-created_at"], name="run_workflow_created"),
            models.Index(fields=["workflow", "status", "id"], name="run_workflow_status"),
            models.Index(fields=["status", "due_at"], name="run_status_due"),
            # every index is written by each new run and again by its end (the end
            # changes indexed columns): these two stay empty for most runs
            models.Index(
                fields=["parent_run"], name="run_parent", condition=Q(parent_run__isnull=False)
            ),
            models.Index(
                fields=["resubmitted_from"],
                name="run_resubmitted_from",
                condition=Q(resubmitted_from__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.id


class ActionRun(models.Model):
    """One execution of one action. `path` names it uniquely within the run:
    `Scope/Inner` for nesting, `Foreach_1[3]/Compose` for a loop iteration."""

    # no index of its own: unique_action_path (run, path) starts with it
    run = models.ForeignKey(
        Run, on_delete=models.CASCADE, related_name="action_runs", db_index=False
    )
    path = models.CharField(max_length=1000)
    name = models.CharField(max_length=80)
    parent_path = models.CharField(max_length=1000, blank=True, default="")
    iteration = models.IntegerField(null=True, blank=True)
    type = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    code = models.CharField(max_length=64, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    inputs = models.JSONField(null=True, blank=True)
    outputs = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    retry_history = models.JSONField(default=list, blank=True)
    tracked_properties = models.JSONField(null=True, blank=True)
    secure_inputs = models.BooleanField(default=False)
    secure_outputs = models.BooleanField(default=False)
    state = models.JSONField(default=dict, blank=True)  # container progress, a Wait's deadline…
    due_at = models.DateTimeField(null=True, blank=True)  # retry back-off or pending wake-up

    class Meta:
        ordering = ["run", "started_at", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "path"], name="unique_action_path")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.path}"


class TriggerHistory(models.Model):
    class Result(models.TextChoices):
        SUCCEEDED = "Succeeded"
        SKIPPED = "Skipped"
        FAILED = "Failed"

    # no index of its own: trigger_hist_wf starts with it
    workflow = models.ForeignKey(
        Workflow, on_delete=models.CASCADE, related_name="trigger_history", db_index=False
    )
    trigger_name = models.CharField(max_length=80)
    status = models.CharField(max_length=16, choices=Result.choices)
    fired = models.BooleanField(default=False)
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    inputs = models.JSONField(null=True, blank=True)
    outputs = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workflow", "trigger_name", "-created_at"], name="trigger_hist_wf")
        ]

    def __str__(self) -> str:
        return f"{self.workflow_id}/{self.trigger_name} {self.status}"
