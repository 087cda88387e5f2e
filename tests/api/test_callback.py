"""The signed Request-trigger endpoint, driven end to end through the real engine
(Celery eager, on-commit dispatch: hence transactional tests)."""

from __future__ import annotations

import base64
import copy
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings

from accounts.models import Role
from tests.api.helpers import NO_RESPONSE, hello, make_user
from workflows import callback
from workflows.api import saving
from workflows.models import Run, TriggerHistory, Workflow

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("both_doors")]


def _workflow(name: str, definition: dict, kind: str = "Stateful") -> Workflow:
    user = make_user(f"author-{name}", Role.EDITOR)
    workflow, _ = saving.save(name, {"definition": definition, "kind": kind}, user)
    return workflow


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _url(workflow: Workflow, trigger: str = "manual", relative: str = "") -> str:
    return _local(callback.callback_url(workflow, trigger, relative))


def test_it_answers_with_the_response_action_and_workflow_headers():
    wf = _workflow("hello", hello(201))
    response = Client().post(_url(wf), {"name": "Ada"}, content_type="application/json")
    assert response.status_code == 201
    assert response.json() == {"name": "Ada"}
    run = Run.objects.get(pk=response["x-ms-workflow-run-id"])
    assert run.status == "Succeeded"
    assert response["x-ms-correlation-id"] == run.correlation_id
    assert response["x-ms-client-tracking-id"] == run.client_tracking_id
    assert run.trigger["outputs"]["body"] == {"name": "Ada"}


def test_it_lets_the_caller_set_the_client_tracking_id():
    wf = _workflow("hello", hello())
    response = Client().post(
        _url(wf), {}, content_type="application/json", HTTP_X_MS_CLIENT_TRACKING_ID="order-42"
    )
    assert response["x-ms-client-tracking-id"] == "order-42"
    assert Run.objects.get().client_tracking_id == "order-42"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda q: q.replace("sig=", "sig=x"),
        lambda q: q.split("&sig=")[0],
        lambda q: q.replace("sv=1.0", "sv=2.0"),
        lambda q: q.replace("%2Frun", "%2Fread"),
        lambda q: "",
    ],
    ids=["wrong-sig", "missing-sig", "wrong-sv", "wrong-sp", "no-query"],
)
def test_it_refuses_a_bad_signature_and_creates_nothing(mangle):
    wf = _workflow("hello", hello())
    path, _, query = _url(wf).partition("?")
    response = Client().post(f"{path}?{mangle(query)}", {}, content_type="application/json")
    assert response.status_code == 401
    assert not Run.objects.exists()
    assert not TriggerHistory.objects.exists()


def test_it_refuses_a_signature_of_another_workflow_or_trigger():
    first = _workflow("first", hello())
    _workflow("second", hello())
    query = _url(first).partition("?")[2]
    response = Client().post(
        f"/api/second/triggers/manual/invoke?{query}", {}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Run.objects.exists()


def test_it_refuses_old_urls_after_key_regeneration():
    wf = _workflow("hello", hello())
    old = _url(wf)
    wf.signing_key = "regenerated-" + wf.signing_key
    wf.save()
    assert Client().post(old, {}, content_type="application/json").status_code == 401
    assert Client().post(_url(wf), {}, content_type="application/json").status_code == 200


def test_it_answers_202_with_a_signed_location_without_a_response_action():
    wf = _workflow("fire", NO_RESPONSE)
    response = Client().post(_url(wf), {"a": 1}, content_type="application/json")
    assert response.status_code == 202
    run_id = response["x-ms-workflow-run-id"]
    location = _local(response["Location"])
    assert location.startswith(f"/api/fire/runs/{run_id}?")
    polled = Client().get(location)
    assert polled.status_code == 200
    assert polled.json()["status"] == "Succeeded"
    assert Client().get(location.replace("sig=", "sig=x")).status_code == 401


def test_it_answers_202_for_an_asynchronous_response_and_the_location_gives_it():
    definition = hello(200)
    definition["actions"]["Response"]["operationOptions"] = "Asynchronous"
    wf = _workflow("later", definition)
    response = Client().post(_url(wf), {"x": 1}, content_type="application/json")
    assert response.status_code == 202
    polled = Client().get(_local(response["Location"]))
    assert polled.status_code == 200
    assert polled.json() == {"x": 1}


def test_it_enforces_the_method():
    wf = _workflow("hello", hello())
    assert Client().get(_url(wf)).status_code == 405
    assert not Run.objects.exists()


def test_it_passes_relative_path_parameters_and_queries():
    definition = copy.deepcopy(hello())
    definition["triggers"]["manual"]["inputs"] = {"method": "GET", "relativePath": "customers/{id}"}
    definition["actions"]["Response"]["inputs"]["body"] = {
        "id": "@triggerOutputs()['relativePathParameters']['id']",
        "q": "@triggerOutputs()['queries']['q']",
    }
    wf = _workflow("customers", definition)
    base, _, query = _url(wf).partition("?")
    response = Client().get(f"{base}/customers/42?{query}&q=hi")
    assert response.status_code == 200
    assert response.json() == {"id": "42", "q": "hi"}
    assert Client().get(f"{base}/orders/42?{query}").status_code == 404


def test_it_validates_the_body_against_the_schema_when_asked():
    definition = hello()
    definition["triggers"]["manual"]["operationOptions"] = "EnableSchemaValidation"
    definition["triggers"]["manual"]["inputs"]["schema"] = {
        "type": "object",
        "properties": {"order": {"type": "object", "properties": {"qty": {"type": "integer"}}}},
        "required": ["order"],
    }
    wf = _workflow("strict", definition)
    bad = Client().post(_url(wf), {"order": {"qty": "many"}}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["pointer"] == "/order/qty"
    assert "/order/qty" in bad.json()["error"]["message"]
    assert not Run.objects.exists()
    good = Client().post(_url(wf), {"order": {"qty": 2}}, content_type="application/json")
    assert good.status_code == 200


def test_it_keeps_non_json_bodies_as_base64_content():
    definition = hello()
    wf = _workflow("binary", definition)
    response = Client().post(_url(wf), b"\x00\x01hello", content_type="application/octet-stream")
    body = Run.objects.get().trigger["outputs"]["body"]
    assert body["$content-type"] == "application/octet-stream"
    assert base64.b64decode(body["$content"]) == b"\x00\x01hello"
    assert response.content == b"\x00\x01hello"


def test_it_refuses_invalid_json_with_400():
    wf = _workflow("hello", hello())
    response = Client().post(_url(wf), b"{nope", content_type="application/json")
    assert response.status_code == 400
    assert not Run.objects.exists()


def test_it_refuses_a_disabled_workflow():
    wf = _workflow("hello", hello())
    wf.state = Workflow.State.DISABLED
    wf.save()
    assert Client().post(_url(wf), {}, content_type="application/json").status_code == 409
    assert not Run.objects.exists()


def test_it_answers_429_when_the_waiting_queue_is_full():
    definition = NO_RESPONSE | {"triggers": copy.deepcopy(NO_RESPONSE["triggers"])}
    definition["triggers"]["manual"]["runtimeConfiguration"] = {
        "concurrency": {"runs": 1, "maximumWaitingRuns": 1}
    }
    wf = _workflow("busy", definition)
    for _ in range(3):
        Run.objects.create(
            workflow=wf, version=wf.current_version, status="Waiting", trigger_name="manual"
        )
    response = Client().post(_url(wf), {}, content_type="application/json")
    assert response.status_code == 429
    assert Run.objects.count() == 3


@override_settings(SLUICE_RESPONSE_TIMEOUT=0.2)
def test_it_answers_504_when_the_response_does_not_come_in_time():
    definition = hello()
    definition["actions"]["Wait"] = {
        "type": "Wait",
        "inputs": {"interval": {"count": 1, "unit": "Hour"}},
        "runAfter": {},
    }
    definition["actions"]["Response"]["runAfter"] = {"Wait": ["Succeeded"]}
    wf = _workflow("slow", definition)
    response = Client().post(_url(wf), {}, content_type="application/json")
    assert response.status_code == 504
    run = Run.objects.get()
    assert run.status not in {"Cancelled", "Failed", "TimedOut"}


def test_it_runs_stateless_workflows_inline():
    wf = _workflow("fast", hello(200), kind="Stateless")
    response = Client().post(_url(wf), {"q": 1}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"q": 1}


def test_it_fires_a_webhook_trigger_posted_to_its_callback_url():
    definition = copy.deepcopy(NO_RESPONSE)
    definition["triggers"] = {
        "hook": {
            "type": "HttpWebhook",
            "inputs": {
                "subscribe": {
                    "method": "POST",
                    "uri": "http://127.0.0.1:9/subscribe",
                    "body": {"callback": "@{listCallbackUrl()}"},
                },
                "unsubscribe": {"method": "POST", "uri": "http://127.0.0.1:9/unsubscribe"},
            },
        }
    }
    wf = Workflow.objects.create(name="hooked")
    from workflows.models import WorkflowVersion, definition_hash

    version = WorkflowVersion.objects.create(
        workflow=wf, number=1, definition=definition, hash=definition_hash(definition, "Stateful")
    )
    wf.current_version = version
    wf.save()
    response = Client().post(_url(wf, "hook"), {"event": 1}, content_type="application/json")
    assert response.status_code == 202
    assert Run.objects.get().trigger["outputs"]["body"] == {"event": 1}
