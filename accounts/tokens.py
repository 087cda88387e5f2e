"""Personal access tokens: `slk_<43 url-safe chars>`, stored as a SHA-256 digest.

The clear token exists only in the return value of `issue()`; lookups hash the
presented token and compare digests through a unique index (the digest of a
random 256-bit token is not guessable, so the index lookup itself leaks nothing).

Lookups are cached in-process for `CACHE_SECONDS`, keyed by the digest, so a
script calling the API in a loop costs one hash per request instead of a query.
What stays prompt:

* expiry is checked on every request against the cached `expires_at`;
* revoking a token, saving or deleting a token, a user or a role in *this*
  process empties the cache at once (`post_save` / `post_delete` signals);
* any change made by *another* process (`sluice token revoke`, another web
  worker) takes effect there within `CACHE_SECONDS`.

Each hit hands out copies of the cached user and token, so nothing a request sets
on `request.user` leaks into another request.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import threading
import time
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import AccessToken

PREFIX = "slk_"
CACHE_SECONDS = 5.0
_CACHE_SIZE = 1024
_TOUCH_EVERY = timedelta(seconds=60)
_cache: dict[str, tuple[float, AccessToken]] = {}
_lock = threading.Lock()


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
    """The active token record for `token` (its `.user` loaded, role remembered),
    or None (unknown, expired, revoked, inactive user)."""
    if not token.startswith(PREFIX):
        return None
    key = digest(token)
    record = _cached(key)
    if record is None:
        record = _fetch(key)
        if record is None:
            return None
        _remember(key, record)
    if not record.is_active:  # expiry is checked on every request, cached or not
        forget()
        return None
    return _copy(record)


def revoke(record: AccessToken) -> None:
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
    forget()


def forget(*args, **kwargs) -> None:
    """Empty the lookup cache (a signal receiver too: any argument is ignored)."""
    with _lock:
        _cache.clear()


def _fetch(key: str) -> AccessToken | None:
    record = (
        AccessToken.objects.select_related("user", "user__sluice_profile")
        .filter(digest=key)
        .first()
    )
    if record is None or not record.is_active or not record.user.is_active:
        return None
    _remember_role(record.user)
    _touch(record)
    return record


def _cached(key: str) -> AccessToken | None:
    entry = _cache.get(key)
    if entry is None or time.monotonic() - entry[0] > CACHE_SECONDS:
        return None
    return entry[1]


def _remember(key: str, record: AccessToken) -> None:
    with _lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = (time.monotonic(), record)


def _copy(record: AccessToken) -> AccessToken:
    """Model copies carry their own `_state` (Django's `__getstate__`)."""
    clone = copy.copy(record)
    clone.user = copy.copy(record.user)  # keeps `_sluice_role`, a plain attribute
    return clone


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
