"""Personal access tokens: `slk_<43 url-safe chars>`, stored as a SHA-256 digest.

The clear token exists only in the return value of `issue()`; lookups hash the
presented token and compare digests through a unique index (the digest of a
random 256-bit token is not guessable, so the index lookup itself leaks nothing).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import AccessToken

PREFIX = "slk_"
_TOUCH_EVERY = timedelta(seconds=60)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user, name: str, expires_at: datetime | None = None) -> tuple[AccessToken, str]:
    token = PREFIX + secrets.token_urlsafe(32)
    record = AccessToken.objects.create(
        user=user,
        name=name,
        prefix=token[: len(PREFIX) + 6],
        digest=digest(token),
        expires_at=expires_at,
    )
    return record, token


def lookup(token: str) -> AccessToken | None:
    """The active token record for `token`, or None (unknown, expired, revoked)."""
    if not token.startswith(PREFIX):
        return None
    record = (
        AccessToken.objects.select_related("user", "user__sluice_profile")
        .filter(digest=digest(token))
        .first()
    )
    if record is None or not record.is_active or not record.user.is_active:
        return None
    _remember_role(record.user)
    _touch(record)
    return record


def revoke(record: AccessToken) -> None:
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])


def _touch(record: AccessToken) -> None:
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > _TOUCH_EVERY:
        AccessToken.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now


def _remember_role(user) -> None:
    """Cache the role fetched with the token (one query per request, not two)."""
    from accounts.models import Profile, Role

    try:
        user._sluice_role = user.sluice_profile.role
    except Profile.DoesNotExist:
        user._sluice_role = Role.VIEWER
