"""A fixed retry policy against a real local HTTP server that fails twice."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.runner.helpers import make_workflow, record
from workflows import services


class FlakyHandler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        if type(self).hits <= 2:
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"try again")
            return
        body = json.dumps({"ok": True, "hits": type(self).hits}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def flaky_server():
    FlakyHandler.hits = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


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
