"""The HTTP async pattern parks the run between polls instead of holding a worker."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.runner.helpers import make_workflow, record
from workflows import services


class AsyncHandler(BaseHTTPRequestHandler):
    polls = 0

    def do_POST(self) -> None:
        self._send(202, b"", {"Location": "/status", "Retry-After": "30"})

    def do_GET(self) -> None:
        type(self).polls += 1
        if type(self).polls < 3:
            self._send(202, b"", {"Location": "/status", "Retry-After": "30"})
            return
        self._send(200, json.dumps({"done": True}).encode(), {"Content-Type": "application/json"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def async_server():
    AsyncHandler.polls = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), AsyncHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/start"
    server.shutdown()
    server.server_close()


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
