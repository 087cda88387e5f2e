"""Graceful shutdown (what `docker compose stop`/`up` after an upgrade does): on
SIGTERM a Celery worker finishes the tasks it runs and hands back what it only
holds (acks_late: unacknowledged messages return to Redis; the run lease and the
sweep cover the rest), and uvicorn stops accepting connections but lets a
request in flight (a synchronous Request trigger waiting for its Response)
complete."""

from __future__ import annotations

import signal
import socket
import threading
import time

import pytest

from tests.production.conftest import Load, new_prefix, outcome

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _wait_for_hits(counter, prefix: str, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while sum(counter.count(prefix).values()) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_it_finishes_or_hands_back_every_run_when_a_worker_gets_sigterm(live, counter) -> None:
    prefix = new_prefix("sigterm-worker")
    load = Load(live, "prod-async", prefix, delay=1.0)
    worker = live.proc("worker", 0)
    load.run(24, during=None)
    _wait_for_hits(counter, prefix, 4)  # both workers are busy with 1 s actions
    live.signal(worker, signal.SIGTERM, group=False)
    code = worker.popen.wait(timeout=60)
    result = outcome(live, counter, prefix, load.accepted, timeout=90)
    print(
        result.line("SIGTERM worker")
        + f"; worker exited with code {code}; client errors {dict(load.errors)}"
    )
    assert code == 0
    assert result.lost == 0
    assert result.succeeded == result.started == 24
    assert result.duplicated == 0  # it finished what it ran instead of abandoning it
    assert result.retried_attempts == 0


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def test_it_drains_a_synchronous_request_when_the_web_process_gets_sigterm(live, counter) -> None:
    prefix = new_prefix("sigterm-web")
    load = Load(live, "prod-sync", prefix, delay=3)
    web = live.proc("web", 1)
    responses: list = []
    caller = threading.Thread(target=lambda: responses.append(load.fire(1)))  # n=1 → web1
    caller.start()
    _wait_for_hits(counter, prefix, 1)  # the run's HTTP action is running
    live.signal(web, signal.SIGTERM, group=False)
    time.sleep(0.5)
    refused = _refuses_connections(web.port)
    caller.join(timeout=30)
    code = web.popen.wait(timeout=30)
    result = outcome(live, counter, prefix, load.accepted, timeout=30)
    response = responses[0]
    print(
        result.line("SIGTERM web during a synchronous request")
        + f"; caller got {response.status_code if response else dict(load.errors)}; "
        f"new connections refused while draining: {refused}; web exited with code {code}"
    )
    assert response is not None and response.status_code == 200
    assert response.json() == {"key": f"{prefix}-1"}
    assert refused
    assert code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once drained
    assert result.lost == 0 and result.succeeded == 1 and result.duplicated == 0
