"""The command-line tools: apply, export, url, token, user."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AccessToken
from accounts.roles import role_of
from tests.api.helpers import NO_RESPONSE, hello, make_user
from workflows.models import Workflow

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_applies_files_and_directories_idempotently(tmp_path):
    (tmp_path / "orders.json").write_text(json.dumps(hello()))
    (tmp_path / "billing").mkdir()
    (tmp_path / "billing" / "workflow.json").write_text(
        json.dumps({"definition": NO_RESPONSE, "kind": "Stateless"})
    )
    (tmp_path / "named.json").write_text(json.dumps({"name": "custom", "definition": hello()}))
    first = run("apply", str(tmp_path))
    assert sorted(first.split("\n")[:-1]) == sorted(
        [
            f"created billing ({tmp_path / 'billing' / 'workflow.json'})",
            f"created custom ({tmp_path / 'named.json'})",
            f"created orders ({tmp_path / 'orders.json'})",
        ]
    )
    assert Workflow.objects.get(name="billing").current_version.kind == "Stateless"
    assert run("apply", str(tmp_path / "orders.json")).startswith("unchanged orders")
    (tmp_path / "orders.json").write_text(json.dumps(hello(202)))
    assert run("apply", str(tmp_path / "orders.json")).startswith("updated orders")
    assert Workflow.objects.get(name="orders").current_version.number == 2


def test_it_reports_invalid_files_and_saves_nothing_of_them(tmp_path):
    bad = hello()
    bad["actions"]["Response"]["type"] = "Nope"
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    (tmp_path / "broken.json").write_text("{not json")
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("apply", str(tmp_path), stdout=out)
    assert excinfo.value.returncode == 2
    assert "/actions/Response" in out.getvalue()
    assert "invalid JSON" in out.getvalue()
    assert not Workflow.objects.exists()


def test_it_exports_what_apply_reads_back(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "hello.json").write_text(json.dumps(hello()))
    run("apply", str(tmp_path / "in"))
    run("export", "--out", str(tmp_path / "out"))
    exported = json.loads((tmp_path / "out" / "hello.json").read_text())
    assert exported == {"definition": hello(), "kind": "Stateful"}
    assert run("apply", str(tmp_path / "out")).startswith("unchanged hello")
    assert json.loads(run("export", "hello")) == {"hello": exported}


def test_it_prints_a_working_signed_url(tmp_path):
    (tmp_path / "hello.json").write_text(json.dumps(hello()))
    run("apply", str(tmp_path))
    url = run("url", "hello").strip()
    assert url == run("url", "hello", "manual").strip()
    parts = urlsplit(url)
    assert parts.path == "/api/hello/triggers/manual/invoke"
    with pytest.raises(CommandError):
        run("url", "nope")
    with pytest.raises(CommandError):
        run("url", "hello", "other")


def test_it_creates_tokens_printing_only_the_token():
    make_user("ci", "editor")
    token = run("token", "create", "pipeline", "--user", "ci")
    assert token.count("\n") == 1 and token.startswith("slk_")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.strip()}")
    assert client.get("/api/v1/me").json()["username"] == "ci"
    listing = run("token", "list")
    assert "pipeline" in listing and token.strip() not in listing
    record = AccessToken.objects.get(name="pipeline")
    assert "revoked" in run("token", "revoke", str(record.id))
    assert client.get("/api/v1/me").status_code == 401


def test_it_creates_users_with_a_role():
    assert (
        run("user", "create", "ada", "--role", "editor", "--password", "pw-long-enough")
        == "created ada (editor)\n"
    )
    from django.contrib.auth import get_user_model

    ada = get_user_model().objects.get(username="ada")
    assert role_of(ada) == "editor"
    assert Client().login(username="ada", password="pw-long-enough")
    run("user", "role", "ada", "admin")
    assert role_of(get_user_model().objects.get(username="ada")) == "admin"
    with pytest.raises(CommandError):
        run("user", "create", "ada")


def test_it_lets_created_users_sign_in_on_the_login_page():
    run("user", "create", "bob", "--password", "pw-long-enough")
    response = Client().post(
        "/admin/login/", {"username": "bob", "password": "pw-long-enough", "next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
