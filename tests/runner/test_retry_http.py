"""A fixed retry policy against a real local HTTP server that fails twice."""

from __future__ import annotations

import pytest

from tests.httpstub import StubHandler, serving
from tests.runner.helpers import make_workflow, record
from workflows import services


class FlakyHandler(StubHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        if type(self).hits <= 2:
            self.reply(500, b"try again")
            return
        self.reply_json(200, {"ok": True, "hits": type(self).hits})


@pytest.fixture
def flaky_server():
    FlakyHandler.hits = 0
    with serving(FlakyHandler) as base:
        yield f"{base}/"


@pytest.mark.django_db
def test_it_retries_with_a_fixed_policy_until_the_server_answers(flaky_server, clock) -> None:
    workflow = make_workflow(
        "flaky",
        {
            "Call": {
                "type": "Http",
                "inputs": {
                    "method": "GET",
                    "uri": flaky_server,
                    "retryPolicy": {"type": "fixed", "interval": "PT5S", "count": 3},
                },
            },
            "Use": {
                "type": "Compose",
                "inputs": "@body('Call')?['hits']",
                "runAfter": {"Call": ["Succeeded"]},
            },
        },
    )
    run = services.drive(
        services.create_run(workflow, "manual", {"body": None}).id, sleep=clock.sleep
    )
    call = record(run, "Call")
    assert run.status == "Succeeded", call.error
    assert call.attempts == 3 and FlakyHandler.hits == 3
    assert len(call.retry_history) == 2 and all(h["code"] for h in call.retry_history)
    assert record(run, "Use").outputs == 3


@pytest.mark.django_db
def test_it_gives_up_after_the_last_retry(flaky_server, clock) -> None:
    workflow = make_workflow(
        "flaky2",
        {
            "Call": {
                "type": "Http",
                "inputs": {
                    "method": "GET",
                    "uri": flaky_server,
                    "retryPolicy": {"type": "fixed", "interval": "PT5S", "count": 1},
                },
            },
        },
    )
    run = services.drive(
        services.create_run(workflow, "manual", {"body": None}).id, sleep=clock.sleep
    )
    call = record(run, "Call")
    assert run.status == "Failed" and call.status == "Failed"
    assert call.attempts == 2 and len(call.retry_history) == 1
