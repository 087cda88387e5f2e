"""Connector calls of one wave (here: Foreach iterations) run side by side."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.runner.helpers import make_workflow
from workflows import services
from workflows.models import ActionRun


class SlowHandler(BaseHTTPRequestHandler):
    lock = threading.Lock()
    in_flight = 0
    most = 0

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.most = max(cls.most, cls.in_flight)
        time.sleep(0.3)
        with cls.lock:
            cls.in_flight -= 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def slow_server():
    SlowHandler.in_flight = SlowHandler.most = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_it_makes_the_calls_of_a_foreach_wave_concurrently(slow_server) -> None:
    workflow = make_workflow(
        "fanout",
        {
            "Loop": {
                "type": "Foreach",
                "foreach": "@range(0, 6)",
                "runtimeConfiguration": {"concurrency": {"repetitions": 3}},
                "actions": {
                    "Call": {
                        "type": "Http",
                        "inputs": {"method": "GET", "uri": f"{slow_server}?i=@{{item()}}"},
                    }
                },
            },
        },
    )
    run = services.drive(services.create_run(workflow, "manual", {"body": None}).id)
    assert run.status == "Succeeded", [
        r.error for r in ActionRun.objects.filter(run=run, status="Failed")
    ]
    assert SlowHandler.most == 3  # never more than the loop's concurrency, and more than one
