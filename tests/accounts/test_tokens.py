"""Personal access tokens: hashed at rest, shown once, expiring, revocable."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import tokens
from accounts.models import AccessToken
from tests.api.helpers import client_for, make_user

pytestmark = pytest.mark.django_db


def _bearer(token: str):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_it_stores_only_the_sha256_digest():
    user = make_user("ada", "viewer")
    record, token = tokens.issue(user, "laptop")
    stored = AccessToken.objects.get(pk=record.pk)
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.digest, stored.prefix, stored.name}


def test_it_authenticates_with_a_bearer_token():
    user = make_user("ada", "viewer")
    _, token = tokens.issue(user, "laptop")
    response = _bearer(token).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "ada"
    assert response.json()["role"] == "viewer"


@pytest.mark.parametrize("token", ["", "slk_unknown", "not-a-token", "slk_a b"])
def test_it_refuses_unknown_tokens(token):
    response = _bearer(token).get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_a_revoked_token():
    user = make_user("ada", "viewer")
    record, token = tokens.issue(user, "laptop")
    tokens.revoke(record)
    assert _bearer(token).get("/api/v1/me").status_code == 401


def test_it_refuses_an_expired_token():
    user = make_user("ada", "viewer")
    _, token = tokens.issue(user, "old", timezone.now() - timedelta(seconds=1))
    assert _bearer(token).get("/api/v1/me").status_code == 401


def test_it_refuses_a_token_of_a_deactivated_user():
    user = make_user("ada", "viewer")
    _, token = tokens.issue(user, "laptop")
    user.is_active = False
    user.save()
    assert _bearer(token).get("/api/v1/me").status_code == 401


def test_it_shows_the_token_once_at_creation():
    client = client_for("viewer")
    created = client.post("/api/v1/tokens", {"name": "ci", "expires_in_days": 7}, format="json")
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("slk_")
    listed = client.get("/api/v1/tokens").json()["results"]
    assert {t["name"] for t in listed} == {"test", "ci"}
    assert token not in str(listed)
    assert _bearer(token).get("/api/v1/me").status_code == 200


def test_it_revokes_with_delete():
    client = client_for("viewer")
    created = client.post("/api/v1/tokens", {"name": "ci"}, format="json").json()
    assert client.delete(f"/api/v1/tokens/{created['id']}").status_code == 204
    assert _bearer(created["token"]).get("/api/v1/me").status_code == 401


def test_it_hides_other_peoples_tokens_from_non_admins():
    owner = client_for("editor", "owner")
    other = client_for("editor", "other")
    record = AccessToken.objects.get(user=owner.user)
    assert other.get(f"/api/v1/tokens/{record.pk}").status_code == 404
    assert other.delete(f"/api/v1/tokens/{record.pk}").status_code == 404
    assert _bearer(owner.token).get("/api/v1/me").status_code == 200


def test_it_lets_admins_issue_and_revoke_tokens_of_others():
    admin = client_for("admin")
    make_user("bob", "viewer")
    created = admin.post("/api/v1/tokens", {"name": "bob-ci", "user": "bob"}, format="json")
    assert created.status_code == 201
    assert created.json()["user"] == "bob"
    assert _bearer(created.json()["token"]).get("/api/v1/me").json()["username"] == "bob"
    assert admin.delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 204


def test_it_refuses_non_admins_issuing_tokens_for_others():
    make_user("bob", "viewer")
    editor = client_for("editor")
    response = editor.post("/api/v1/tokens", {"name": "x", "user": "bob"}, format="json")
    assert response.status_code == 403
