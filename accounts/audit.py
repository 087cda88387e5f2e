"""The audit log: one call per change, made by the view that made the change."""

from __future__ import annotations

from typing import Any

from accounts.models import AuditEntry


def record(actor, action: str, target_type: str, target: Any, **detail: Any) -> AuditEntry:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username() if user else str(actor or "system"),
        action=action,
        target_type=target_type,
        target=str(target)[:200],
        detail=detail,
    )
