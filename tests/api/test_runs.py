"""Runs: filters, cursor pagination newest first, the action tree, large and
secured contents, cancel, resubmit, trigger history, run-now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry, Role
from tests.api.helpers import NO_RESPONSE, client_for, hello, make_user
from workflows.api import saving
from workflows.api.rundetail import SECURED
from workflows.ids import run_id
from workflows.models import ActionRun, Run, TriggerHistory

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _workflow(name="wf", definition=None):
    user = make_user(f"author-{name}", Role.EDITOR)
    return saving.save(name, {"definition": definition or NO_RESPONSE}, user)[0]


def _run(wf, minutes: int, status="Succeeded", **fields) -> Run:
    moment = T0 + timedelta(minutes=minutes)
    run = Run.objects.create(
        id=run_id(moment),
        workflow=wf,
        version=wf.current_version,
        status=status,
        trigger_name="manual",
        **fields,
    )
    Run.objects.filter(pk=run.pk).update(created_at=moment)
    return run


def test_it_lists_runs_newest_first_with_a_cursor():
    wf = _workflow()
    runs = [_run(wf, i) for i in range(5)]
    viewer = client_for("viewer")
    first = viewer.get("/api/v1/runs", {"page_size": 2}).json()
    assert [r["id"] for r in first["results"]] == [runs[4].id, runs[3].id]
    second = viewer.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [runs[2].id, runs[1].id]
    assert first["results"][0]["workflow"] == "wf"


def test_it_pages_back_with_the_previous_link():
    wf = _workflow()
    runs = [_run(wf, i) for i in range(5)]
    viewer = client_for("viewer")
    first = viewer.get("/api/v1/runs", {"page_size": 2}).json()
    assert first["previous"] is None
    second = viewer.get(first["next"]).json()
    third = viewer.get(second["next"]).json()
    assert [r["id"] for r in third["results"]] == [runs[0].id]
    assert third["next"] is None
    back = viewer.get(third["previous"]).json()
    assert [r["id"] for r in back["results"]] == [runs[2].id, runs[1].id]


def test_it_lists_the_same_values_as_the_run_page_shows():
    wf = _workflow()
    first = _run(wf, 1, "Failed", error={"code": "Boom", "message": "ü"})
    _run(wf, 2, "Succeeded", resubmitted_from=first, client_tracking_id="t-1")
    Run.objects.filter(pk=first.pk).update(started_at=T0, ended_at=T0 + timedelta(seconds=1.5))
    viewer = client_for("viewer")
    listed = viewer.get("/api/v1/runs").json()["results"]
    for row in listed:
        page = viewer.get(f"/api/v1/runs/{row['id']}").json()
        assert {key: page[key] for key in row} == row
    assert listed[1]["started_at"] == "2026-01-01T00:00:00Z"
    assert listed[1]["duration_ms"] == 1500
    assert listed[1]["error"] == {"code": "Boom", "message": "ü"}
    assert listed[0]["resubmitted_from"] == first.id


def test_it_filters_runs():
    wf, other = _workflow("wf"), _workflow("other")
    failed = _run(wf, 1, "Failed", client_tracking_id="abc")
    _run(wf, 2, "Succeeded")
    _run(other, 3, "Failed")
    viewer = client_for("viewer")

    def ids(**params):
        return [r["id"] for r in viewer.get("/api/v1/runs", params).json()["results"]]

    assert ids(workflow="wf", status="Failed") == [failed.id]
    assert len(ids(status="failed,succeeded")) == 3
    assert ids(client_tracking_id="abc") == [failed.id]
    assert ids(workflow="nope") == []
    assert len(ids(since=(T0 + timedelta(minutes=2)).isoformat())) == 2
    assert ids(until=(T0 + timedelta(minutes=2)).isoformat()) == [failed.id]
    assert len(ids(trigger="manual")) == 3


@pytest.mark.parametrize("params", [{"status": "Bogus"}, {"since": "yesterday"}])
def test_it_refuses_bad_filters_with_400(params):
    response = client_for("viewer").get("/api/v1/runs", params)
    assert response.status_code == 400
    assert response.json()["error"]["details"]


def _queries(client, url: str) -> int:
    client.get(url)  # warm: token lookup and secret values cached
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_lists_a_page_in_one_query():
    wf = _workflow()
    for i in range(30):
        _run(wf, i, "Failed" if i % 2 else "Succeeded")
    viewer = client_for("viewer")
    assert _queries(viewer, "/api/v1/runs?workflow=wf&status=Failed&page_size=10") == 1


def test_it_reads_a_run_page_in_the_same_queries_whatever_its_size():
    wf = _workflow()
    small, large = _run(wf, 1), _run(wf, 2)
    for run, count in ((small, 1), (large, 12)):
        for n in range(count):
            ActionRun.objects.create(run=run, path=f"A{n}", name=f"A{n}", type="Compose")
    viewer = client_for("viewer")
    assert _queries(viewer, f"/api/v1/runs/{small.id}") == 2
    assert _queries(viewer, f"/api/v1/runs/{large.id}") == 2


def test_it_shows_a_run_of_the_engine_as_a_tree():
    definition = {
        **NO_RESPONSE,
        "actions": {
            "Outer": {
                "type": "Scope",
                "runAfter": {},
                "actions": {
                    "Inner": {"type": "Compose", "inputs": "@triggerBody()", "runAfter": {}}
                },
            }
        },
    }
    _workflow("tree", definition)
    editor = client_for("editor")
    accepted = editor.post(
        "/api/v1/workflows/tree/triggers/manual/run", {"body": {"n": 1}}, format="json"
    )
    assert accepted.status_code == 202
    detail = editor.get(f"/api/v1/runs/{accepted.json()['id']}").json()
    assert detail["status"] == "Succeeded"
    assert detail["trigger"]["outputs"]["body"] == {"n": 1}
    outer = detail["actions"][0]
    assert (outer["name"], outer["status"]) == ("Outer", "Succeeded")
    inner = outer["children"][0]
    assert (inner["name"], inner["outputs"]) == ("Inner", {"n": 1})
    assert inner["outputs_link"]["uri"].endswith("/actions/Outer/Inner/outputs")
    assert editor.get(inner["outputs_link"]["uri"]).json() == {"n": 1}
    assert AuditEntry.objects.filter(action="ran", target="tree").exists()


def test_it_serves_large_contents_through_links():
    wf = _workflow()
    run = _run(wf, 1)
    big = {"blob": "x" * 70_000}
    ActionRun.objects.create(
        run=run,
        path="Big",
        name="Big",
        type="Compose",
        status="Succeeded",
        inputs="small",
        outputs=big,
    )
    viewer = client_for("viewer")
    node = viewer.get(f"/api/v1/runs/{run.id}").json()["actions"][0]
    assert node["inputs"] == "small"
    assert node["outputs"] is None
    assert node["outputs_link"]["content_size"] > 64 * 1024
    assert viewer.get(node["outputs_link"]["uri"]).json() == big


def test_it_hides_secured_contents():
    wf = _workflow()
    run = _run(wf, 1)
    ActionRun.objects.create(
        run=run,
        path="Secret",
        name="Secret",
        type="Compose",
        status="Succeeded",
        inputs={"pw": "hunter2"},
        outputs={"pw": "hunter2"},
        secure_inputs=True,
        secure_outputs=True,
    )
    viewer = client_for("viewer")
    response = viewer.get(f"/api/v1/runs/{run.id}")
    assert "hunter2" not in response.content.decode()
    assert response.json()["actions"][0]["inputs"] == SECURED
    assert viewer.get(f"/api/v1/runs/{run.id}/actions/Secret/outputs").json() == SECURED


def test_it_answers_404_for_unknown_runs_and_actions():
    wf = _workflow()
    run = _run(wf, 1)
    viewer = client_for("viewer")
    assert viewer.get("/api/v1/runs/00000").status_code == 404
    assert viewer.get(f"/api/v1/runs/{run.id}/actions/Nope/inputs").status_code == 404


def test_it_cancels_a_waiting_run_and_refuses_an_ended_one():
    wf = _workflow()
    waiting = _run(wf, 1, "Waiting")
    ended = _run(wf, 2, "Succeeded")
    editor = client_for("editor")
    assert editor.post(f"/api/v1/runs/{waiting.id}/cancel").json()["status"] == "Cancelled"
    assert editor.post(f"/api/v1/runs/{ended.id}/cancel").status_code == 409
    assert AuditEntry.objects.filter(action="cancelled", target=waiting.id).exists()


def test_it_resubmits_a_run():
    _workflow("again", hello())
    editor = client_for("editor")
    first = editor.post(
        "/api/v1/workflows/again/triggers/manual/run", {"body": {"v": 7}}, format="json"
    ).json()
    response = editor.post(f"/api/v1/runs/{first['id']}/resubmit", {}, format="json")
    assert response.status_code == 202
    new = Run.objects.get(pk=response.json()["id"])
    assert new.resubmitted_from_id == first["id"]
    assert new.trigger["outputs"]["body"] == {"v": 7}
    assert AuditEntry.objects.filter(action="resubmitted", target=first["id"]).exists()


def test_it_lists_trigger_history():
    _workflow("hist", hello())
    editor = client_for("editor")
    run = editor.post(
        "/api/v1/workflows/hist/triggers/manual/run", {"body": 1}, format="json"
    ).json()
    history = editor.get("/api/v1/workflows/hist/triggers/manual/history").json()["results"]
    assert [(h["status"], h["fired"], h["run"]) for h in history] == [
        ("Succeeded", True, run["id"])
    ]
    assert TriggerHistory.objects.count() == 1


def test_it_refuses_run_now_on_a_disabled_workflow():
    _workflow("off", hello())
    editor = client_for("editor")
    editor.post("/api/v1/workflows/off/disable")
    response = editor.post("/api/v1/workflows/off/triggers/manual/run", {}, format="json")
    assert response.status_code == 409
    assert not Run.objects.exists()


def test_it_resubmits_from_an_action():
    definition = {
        **NO_RESPONSE,
        "actions": {
            "First": {"type": "Compose", "inputs": "one", "runAfter": {}},
            "Second": {"type": "Compose", "inputs": "two", "runAfter": {"First": ["Succeeded"]}},
        },
    }
    _workflow("steps", definition)
    editor = client_for("editor")
    first = editor.post("/api/v1/workflows/steps/triggers/manual/run", {}, format="json").json()
    response = editor.post(
        f"/api/v1/runs/{first['id']}/resubmit", {"from_action": "Second"}, format="json"
    )
    assert response.status_code == 202, response.content
    detail = editor.get(f"/api/v1/runs/{response.json()['id']}").json()
    assert detail["resubmitted_from"] == first["id"]
    assert {a["name"]: a["status"] for a in detail["actions"]} == {
        "First": "Succeeded",
        "Second": "Succeeded",
    }


def test_it_refuses_resubmitting_from_an_unknown_action():
    _workflow("steps", NO_RESPONSE)
    editor = client_for("editor")
    first = editor.post("/api/v1/workflows/steps/triggers/manual/run", {}, format="json").json()
    response = editor.post(
        f"/api/v1/runs/{first['id']}/resubmit", {"from_action": "Nope"}, format="json"
    )
    assert response.status_code == 400


def test_it_deletes_a_workflow_with_its_runs():
    wf = _workflow("gone")
    run = _run(wf, 1)
    ActionRun.objects.create(run=run, path="A", name="A", type="Compose", status="Succeeded")
    response = client_for("editor").delete("/api/v1/workflows/gone")
    assert response.status_code == 204
    assert not Run.objects.exists()


def test_it_nests_loop_iterations_under_their_loop():
    definition = {
        **NO_RESPONSE,
        "actions": {
            "Loop": {
                "type": "Foreach",
                "foreach": "@triggerBody()",
                "runAfter": {},
                "actions": {
                    "Double": {"type": "Compose", "inputs": "@mul(item(), 2)", "runAfter": {}}
                },
            }
        },
    }
    _workflow("loops", definition)
    editor = client_for("editor")
    accepted = editor.post(
        "/api/v1/workflows/loops/triggers/manual/run", {"body": [1, 2, 3]}, format="json"
    )
    detail = editor.get(f"/api/v1/runs/{accepted.json()['id']}").json()
    assert detail["status"] == "Succeeded"
    assert [a["name"] for a in detail["actions"]] == ["Loop"]
    iterations = sorted(detail["actions"][0]["children"], key=lambda n: n["iteration"])
    assert [i["iteration"] for i in iterations] == [0, 1, 2]
    assert [i["children"][0]["outputs"] for i in iterations] == [2, 4, 6]
