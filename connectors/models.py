"""State the triggers keep between ticks.

`TriggerState` is one row per (workflow, trigger) that the scheduler drives:
recurrence triggers, polling triggers (Http, FTP, SFTP, blob) and batch release
schedules. `next_fire_at` is the precomputed "due at" column; every fire is
claimed with a compare-and-set on it (`UPDATE … WHERE next_fire_at = old` hits
one row), so two scheduler processes never fire one occurrence twice.
`state` holds a poll's memory (files/blobs already seen, a Location to follow).

`BatchMessage` rows are messages waiting in a batch; a release stamps them with
the run they went to, in the same transaction that creates the run.
"""

from __future__ import annotations

from django.db import models


class TriggerState(models.Model):
    workflow = models.ForeignKey(
        "workflows.Workflow", on_delete=models.CASCADE, related_name="trigger_states"
    )
    trigger_name = models.CharField(max_length=80)
    kind = models.CharField(max_length=120)
    version_id = models.BigIntegerField(null=True, blank=True)  # version the row follows
    next_fire_at = models.DateTimeField(null=True, blank=True)
    anchor = models.DateTimeField()  # the start of a recurrence without startTime
    fired_count = models.PositiveIntegerField(default=0)
    last_fired_at = models.DateTimeField(null=True, blank=True)
    state = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "trigger_name"], name="unique_trigger_state"
            )
        ]
        indexes = [models.Index(fields=["next_fire_at"], name="trigger_state_due")]

    def __str__(self) -> str:
        return f"{self.workflow_id}/{self.trigger_name} due {self.next_fire_at}"


class BatchMessage(models.Model):
    workflow_name = models.CharField(max_length=80)  # the batch receiver workflow
    trigger_name = models.CharField(max_length=80)
    batch_name = models.CharField(max_length=80)
    partition = models.CharField(max_length=200, default="DEFAULT")
    message_id = models.CharField(max_length=200)
    content = models.JSONField(null=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    released_run_id = models.CharField(max_length=40, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["workflow_name", "batch_name", "partition", "released_run_id"],
                name="batch_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.workflow_name}/{self.batch_name}/{self.partition} {self.message_id}"
