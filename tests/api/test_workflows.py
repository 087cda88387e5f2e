"""Workflows: create/update with validation, versions, diff, restore, rename,
enable/disable, export/import, callback URLs and key regeneration."""

from __future__ import annotations

import pytest

from accounts.models import AuditEntry
from tests.api.helpers import NO_RESPONSE, client_for, hello
from workflows.models import Workflow, WorkflowVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return client_for("editor")


def _create(client, name="hello", definition=None, **extra):
    body = {"name": name, "definition": definition or hello(), **extra}
    return client.post("/api/v1/workflows", body, format="json")


def test_it_creates_a_workflow_as_version_1(editor):
    response = _create(editor, description="greets")
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["version"], body["kind"], body["state"]) == (
        "hello",
        1,
        "Stateful",
        "Enabled",
    )
    assert body["triggers"] == [{"name": "manual", "type": "Request", "kind": "Http"}]
    assert body["definition"]["actions"]["Response"]["type"] == "Response"
    assert AuditEntry.objects.filter(action="created", target="hello").exists()


def test_it_accepts_the_standard_wrapper(editor):
    response = _create(editor, definition={"definition": hello(), "kind": "Stateless"})
    assert response.status_code == 201
    assert response.json()["kind"] == "Stateless"


def test_it_refuses_an_invalid_definition_with_pointers_and_writes_nothing(editor):
    bad = hello()
    bad["actions"]["Response"]["type"] = "NoSuchType"
    response = _create(editor, definition=bad)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "InvalidDefinition"
    assert any(d["pointer"].startswith("/actions/Response") for d in error["details"])
    assert not Workflow.objects.filter(name="hello").exists()
    assert not WorkflowVersion.objects.exists()


def test_it_refuses_a_duplicate_name(editor):
    _create(editor)
    assert _create(editor).status_code == 409


def test_it_refuses_a_bad_name_with_a_pointer(editor):
    response = _create(editor, name="no spaces/allowed")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["pointer"] == "/name"


def test_it_makes_a_version_only_when_the_definition_changes(editor):
    _create(editor)
    same = editor.put("/api/v1/workflows/hello", {"definition": hello()}, format="json")
    assert same.json()["version"] == 1
    changed = editor.put("/api/v1/workflows/hello", {"definition": hello(201)}, format="json")
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    versions = editor.get("/api/v1/workflows/hello/versions").json()["results"]
    assert [v["number"] for v in versions] == [2, 1]


def test_it_keeps_the_old_version_when_an_update_is_invalid(editor):
    _create(editor)
    bad = hello()
    bad["actions"]["Response"]["runAfter"] = {"Missing": ["Succeeded"]}
    response = editor.put("/api/v1/workflows/hello", {"definition": bad}, format="json")
    assert response.status_code == 400
    assert Workflow.objects.get(name="hello").current_version.number == 1


def test_it_patches_the_description_without_a_new_version(editor):
    _create(editor)
    response = editor.patch("/api/v1/workflows/hello", {"description": "new"}, format="json")
    assert response.json()["description"] == "new"
    assert response.json()["version"] == 1


def test_it_diffs_two_versions_by_pointer(editor):
    _create(editor)
    editor.put("/api/v1/workflows/hello", {"definition": hello(201)}, format="json")
    response = editor.get("/api/v1/workflows/hello/diff", {"base": 1, "target": 2})
    assert response.json()["changes"] == [
        {
            "op": "replace",
            "pointer": "/definition/actions/Response/inputs/statusCode",
            "from": 200,
            "to": 201,
        }
    ]


def test_it_restores_an_old_version_as_a_new_one(editor):
    _create(editor)
    editor.put("/api/v1/workflows/hello", {"definition": hello(201)}, format="json")
    response = editor.post("/api/v1/workflows/hello/versions/1/restore")
    assert response.json()["result"] == "updated"
    assert response.json()["workflow"]["version"] == 3
    current = editor.get("/api/v1/workflows/hello").json()
    assert current["definition"]["actions"]["Response"]["inputs"]["statusCode"] == 200


def test_it_gets_one_version(editor):
    _create(editor)
    response = editor.get("/api/v1/workflows/hello/versions/1")
    assert response.json()["definition"] == hello()
    assert editor.get("/api/v1/workflows/hello/versions/9").status_code == 404


def test_it_enables_and_disables(editor):
    _create(editor)
    assert editor.post("/api/v1/workflows/hello/disable").json()["state"] == "Disabled"
    assert editor.post("/api/v1/workflows/hello/enable").json()["state"] == "Enabled"
    assert list(AuditEntry.objects.filter(target="hello").values_list("action", flat=True)[:2]) == [
        "enabled",
        "disabled",
    ]


def test_it_renames(editor):
    _create(editor)
    _create(editor, name="taken")
    assert (
        editor.post("/api/v1/workflows/hello/rename", {"name": "taken"}, format="json").status_code
        == 409
    )
    response = editor.post("/api/v1/workflows/hello/rename", {"name": "greeter"}, format="json")
    assert response.json()["name"] == "greeter"
    assert editor.get("/api/v1/workflows/greeter").status_code == 200
    assert editor.get("/api/v1/workflows/hello").status_code == 404


def test_it_deletes(editor):
    _create(editor)
    assert editor.delete("/api/v1/workflows/hello").status_code == 204
    assert not Workflow.objects.exists()


def test_it_exports_and_imports_idempotently(editor):
    _create(editor)
    exported = editor.get("/api/v1/workflows/hello/export").json()
    assert exported == {"definition": hello(), "kind": "Stateful"}
    again = editor.post("/api/v1/import", {"name": "hello", "definition": exported}, format="json")
    assert again.json()["result"] == "unchanged"
    copy = editor.post("/api/v1/import", {"name": "copy", "definition": exported}, format="json")
    assert copy.status_code == 201
    assert copy.json()["result"] == "created"


def test_it_validates_without_saving():
    viewer = client_for("viewer")
    ok = viewer.post("/api/v1/validate", {"definition": hello()}, format="json")
    assert ok.json() == {"valid": True, "problems": []}
    bad = viewer.post("/api/v1/validate", {"definition": {"triggers": 5}}, format="json")
    assert bad.json()["valid"] is False
    assert bad.json()["problems"][0]["pointer"]
    assert not Workflow.objects.exists()


def test_it_lists_workflows_without_definitions(editor):
    _create(editor)
    _create(editor, name="other", definition=NO_RESPONSE)
    listed = editor.get("/api/v1/workflows").json()
    assert [w["name"] for w in listed["results"]] == ["hello", "other"]
    assert "definition" not in listed["results"][0]


def test_it_serves_the_connector_catalog():
    catalog = client_for("viewer").get("/api/v1/connectors").json()
    assert isinstance(catalog, list)
    for entry in catalog:
        assert {"kind", "title", "inputs"} <= set(entry)


def test_it_gives_signed_callback_urls_and_regenerating_the_key_changes_them(editor):
    _create(editor)
    first = editor.get("/api/v1/workflows/hello/triggers/manual/callback-url").json()
    assert first["value"].startswith("http://127.0.0.1:8000/api/hello/triggers/manual/invoke?")
    assert first["method"] == "POST"
    assert first["queries"]["sp"] == "/triggers/manual/run"
    admin = client_for("admin")
    regenerated = admin.post("/api/v1/workflows/hello/regenerate-key").json()
    assert regenerated["triggers"]["manual"] != first["value"]
    second = editor.get("/api/v1/workflows/hello/triggers/manual/callback-url").json()
    assert second["value"] == regenerated["triggers"]["manual"]


def test_it_answers_404_for_an_unknown_trigger(editor):
    _create(editor)
    assert editor.get("/api/v1/workflows/hello/triggers/nope/callback-url").status_code == 404


@pytest.mark.parametrize("name", ["v1", "schema", "docs"])
def test_it_refuses_names_that_clash_with_api_paths(editor, name):
    assert _create(editor, name=name).status_code == 400


def test_it_serves_the_schema_and_docs_to_logged_in_users_only():
    from django.test import Client

    assert Client().get("/api/schema/").status_code == 401
    user = client_for("viewer").user
    browser = Client()
    browser.force_login(user)
    schema = browser.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/runs/" in schema.json()["paths"]
    assert browser.get("/api/docs/").status_code == 200


def test_it_accepts_a_browser_session_with_csrf_for_writes():
    from django.test import Client

    user = client_for("editor").user
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get("/api/v1/me").json()["role"] == "editor"
    refused = browser.post(
        "/api/v1/workflows", {"name": "x", "definition": hello()}, content_type="application/json"
    )
    assert refused.status_code == 403
    browser.get("/api/docs/")
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/workflows",
        {"name": "x", "definition": hello()},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 201


def test_it_filters_workflows_by_state_and_search(editor):
    _create(editor, name="orders", description="order intake")
    _create(editor, name="billing")
    editor.post("/api/v1/workflows/billing/disable")

    def names(**params):
        return [w["name"] for w in editor.get("/api/v1/workflows", params).json()["results"]]

    assert names(state="Disabled") == ["billing"]
    assert names(search="INTAKE") == ["orders"]
    assert names() == ["billing", "orders"]
