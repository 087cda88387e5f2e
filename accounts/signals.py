"""Run-record scrubber: before a Run, ActionRun or TriggerHistory row is saved,
stored secret values in its JSON fields are masked; the secret cache is refreshed
when a connection or app setting changes.

Pitfall: `QuerySet.update()` and `bulk_create()` bypass signals; code that writes
inputs/outputs that way should pass them through `accounts.connections.scrub`.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save

from accounts.connections import invalidate_secret_cache, scrub, secret_values
from accounts.models import AppSetting, Connection

_JSON_FIELDS = {
    "Run": ("trigger", "error", "outputs", "response", "state", "tracked_properties"),
    "ActionRun": ("inputs", "outputs", "error", "retry_history", "tracked_properties"),
    "TriggerHistory": ("inputs", "outputs", "error"),
}


def scrub_record(sender, instance, **kwargs) -> None:
    values = secret_values()
    if not values:
        return
    for field in _JSON_FIELDS.get(sender.__name__, ()):
        setattr(instance, field, scrub(getattr(instance, field), values))


def refresh_secrets(sender, **kwargs) -> None:
    invalidate_secret_cache()


def connect() -> None:
    from workflows.models import ActionRun, Run, TriggerHistory

    for model in (Run, ActionRun, TriggerHistory):
        pre_save.connect(scrub_record, sender=model, dispatch_uid=f"scrub-{model.__name__}")
    for model in (Connection, AppSetting):
        post_save.connect(refresh_secrets, sender=model, dispatch_uid=f"secrets-{model.__name__}")
        post_delete.connect(
            refresh_secrets, sender=model, dispatch_uid=f"secrets-d-{model.__name__}"
        )
