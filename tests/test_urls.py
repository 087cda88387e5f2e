"""The URL root: the admin, the API and the designer all resolve and reverse."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_it_serves_the_admin_login(client):
    assert reverse("admin:login") == "/admin/login/"
    assert client.get("/admin/login/").status_code == 200
    assert client.head("/admin/login/").status_code == 200


@pytest.mark.django_db
def test_it_sends_unknown_paths_to_the_designer_not_the_api(client):
    assert client.get("/api/v1/no-such-thing").status_code in {401, 403, 404}
    assert client.get("/workflows/anything").status_code in {200, 503}
