"""The HTTP async pattern parks the run between polls instead of holding a worker."""

from __future__ import annotations

import pytest

from tests.httpstub import StubHandler, serving
from tests.runner.helpers import make_workflow, record
from workflows import services


class AsyncHandler(StubHandler):
    polls = 0

    def do_POST(self) -> None:
        self.reply(202, headers={"Location": "/status", "Retry-After": "30"})

    def do_GET(self) -> None:
        type(self).polls += 1
        if type(self).polls < 3:
            self.reply(202, headers={"Location": "/status", "Retry-After": "30"})
            return
        self.reply_json(200, {"done": True})


@pytest.fixture
def async_server():
    AsyncHandler.polls = 0
    with serving(AsyncHandler) as base:
        yield f"{base}/start"


@pytest.mark.django_db
def test_it_parks_between_polls_and_finishes_with_the_final_response(async_server, clock) -> None:
    workflow = make_workflow(
        "async-call",
        {"Call": {"type": "Http", "inputs": {"method": "POST", "uri": async_server}}},
    )
    started = clock()
    run = services.drive(
        services.create_run(workflow, "manual", {"body": None}).id, sleep=clock.sleep
    )
    call = record(run, "Call")
    assert run.status == "Succeeded", call.error
    assert call.outputs["statusCode"] == 200 and call.outputs["body"] == {"done": True}
    assert AsyncHandler.polls == 3
    # three Retry-After waits of 30 s passed on the run's (fake) clock, not in a worker
    assert (clock() - started).total_seconds() >= 90
