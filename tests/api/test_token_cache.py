"""The in-process token lookup cache: it saves the query, never the checks that
matter (revocation here at once, elsewhere within `CACHE_SECONDS`; expiry always)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import tokens
from accounts.models import AccessToken
from accounts.roles import set_role
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


def test_it_answers_repeated_lookups_without_a_query():
    client = client_for("viewer")
    assert tokens.lookup(client.token) is not None
    with CaptureQueriesContext(connection) as queries:
        assert tokens.lookup(client.token).user.username == "user-viewer"
    assert len(queries) == 0


def test_it_hands_out_copies_so_requests_share_nothing():
    client = client_for("viewer")
    first, second = tokens.lookup(client.token), tokens.lookup(client.token)
    assert first is not second and first.user is not second.user
    first.user.first_name = "changed by one request"
    assert second.user.first_name == ""


def test_it_refuses_a_used_token_as_soon_as_it_is_revoked_here():
    client = client_for("viewer")
    assert client.get("/api/v1/me").status_code == 200
    record = AccessToken.objects.get(user=client.user)
    assert client.delete(f"/api/v1/tokens/{record.pk}").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_it_refuses_a_token_revoked_by_another_process_once_the_cache_expires(monkeypatch):
    client = client_for("viewer")
    assert client.get("/api/v1/me").status_code == 200
    # another process: a plain UPDATE, no signal reaches this process's cache
    AccessToken.objects.filter(user=client.user).update(revoked_at=timezone.now())
    later = tokens.time.monotonic() + tokens.CACHE_SECONDS + 1
    monkeypatch.setattr(tokens.time, "monotonic", lambda: later)
    assert client.get("/api/v1/me").status_code == 401


def test_it_checks_expiry_on_every_request_even_when_cached(monkeypatch):
    client = client_for("viewer")
    AccessToken.objects.filter(user=client.user).update(
        expires_at=timezone.now() + timedelta(hours=1)
    )
    tokens.forget()
    assert client.get("/api/v1/me").status_code == 200
    two_hours_on = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr("accounts.models.timezone.now", lambda: two_hours_on)
    assert client.get("/api/v1/me").status_code == 401


def test_it_applies_a_role_change_to_the_next_request():
    client = client_for("viewer")
    assert client.get("/api/v1/me").json()["role"] == "viewer"
    set_role(client.user, "admin")
    assert client.get("/api/v1/me").json()["role"] == "admin"


def test_it_refuses_a_used_token_once_its_user_is_deactivated():
    client = client_for("viewer")
    assert client.get("/api/v1/me").status_code == 200
    client.user.is_active = False
    client.user.save()
    assert client.get("/api/v1/me").status_code == 401
