"""Run-record scrubber, secret-cache refresh and token-cache invalidation.

Run records are scrubbed where every write passes: the preparation of their
JSON field values. `install_scrubbing_encoder()` makes the JSON fields of `Run`, `ActionRun` and
`TriggerHistory` mask stored secret values before they are serialised, so `save()`, `QuerySet.update()` and `bulk_create()` (which the
engine uses and which send no signals) all store masked JSON.

Not scrubbed: the engine's `state` blobs (needed verbatim to resume a run; never
served by the API) and `WorkflowVersion.definition` (a definition refers to
secrets by name, it does not hold them).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import JSONField
from django.db.models.signals import post_delete, post_save

from accounts import tokens
from accounts.connections import invalidate_secret_cache, scrub
from accounts.models import AccessToken, AppSetting, Connection, Profile

_SKIPPED = {"state"}


def _scrubbing(original):
    def get_prep_value(value):
        return scrub(original(value))

    get_prep_value.sluice_scrubbing = True
    return get_prep_value


def install_scrubbing_encoder() -> None:
    """Wrap `get_prep_value` of the run-record JSON fields (per field instance, so
    migrations see no change) with `scrub`: every save, `update()` and
    `bulk_create()` goes through it."""
    from workflows.models import ActionRun, Run, TriggerHistory

    for model in (Run, ActionRun, TriggerHistory):
        for field in model._meta.get_fields():
            if not isinstance(field, JSONField) or field.name in _SKIPPED:
                continue
            if not getattr(field.get_prep_value, "sluice_scrubbing", False):
                field.get_prep_value = _scrubbing(field.get_prep_value)


def refresh_secrets(sender, **kwargs) -> None:
    invalidate_secret_cache()


def connect() -> None:
    install_scrubbing_encoder()
    for model in (Connection, AppSetting):
        post_save.connect(refresh_secrets, sender=model, dispatch_uid=f"secrets-{model.__name__}")
        post_delete.connect(
            refresh_secrets, sender=model, dispatch_uid=f"secrets-d-{model.__name__}"
        )
    for model in (AccessToken, Profile, get_user_model()):  # revocation, role, deactivation
        post_save.connect(tokens.forget, sender=model, dispatch_uid=f"tokens-{model.__name__}")
        post_delete.connect(tokens.forget, sender=model, dispatch_uid=f"tokens-d-{model.__name__}")
