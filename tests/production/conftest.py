"""Fixtures of the production fault tests: one real topology for the session
(`scripts/topology.py`: 2 web, 2 workers, 2 schedulers on PostgreSQL + Redis,
run lease 5 s so a dead worker's runs resume quickly), a counter server on
127.0.0.1 that the workflows' HTTP action calls (so a re-executed action shows as
a second hit on its key), a load generator, and the report every fault test
prints: runs started / finished / lost and duplicated action executions."""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

logging.getLogger("httpx").setLevel(logging.WARNING)

ROOT = Path(__file__).resolve().parents[2]
TERMINAL = ("Succeeded", "Failed", "Cancelled", "TimedOut")


def _load_topology_module():
    spec = importlib.util.spec_from_file_location(
        "sluice_topology", ROOT / "scripts" / "topology.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["sluice_topology"] = module
    spec.loader.exec_module(module)
    return module


topology_module = _load_topology_module()
Topology = topology_module.Topology


# ------------------------------------------------------------------ counter
class Counting(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), CounterHandler)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hit"

    def count(self, prefix: str) -> Counter[str]:
        with self.lock:
            return Counter({k: n for k, n in self.hits.items() if k.startswith(prefix)})


class CounterHandler(BaseHTTPRequestHandler):
    """POST /hit {"key": …, "delay": seconds}: counts the key, waits, answers 200."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        key = str(body.get("key"))
        with self.server.lock:
            self.server.hits[key] += 1
        time.sleep(min(float(body.get("delay") or 0), 30))
        payload = json.dumps({"key": key}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def counter():
    server = Counting()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------ workflows
def http_call(counter_url: str) -> dict:
    return {
        "type": "Http",
        "inputs": {
            "method": "POST",
            "uri": counter_url,
            "body": {"key": "@{triggerBody()?['key']}", "delay": "@triggerBody()?['delay']"},
        },
        "retryPolicy": {"type": "none"},
        "runAfter": {},
    }


def definitions(counter_url: str) -> dict[str, dict]:
    trigger = {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}}
    tail = {
        "Done": {
            "type": "Compose",
            "inputs": "@body('Call')",
            "runAfter": {"Call": ["Succeeded"]},
        }
    }
    respond = {
        "Respond": {
            "type": "Response",
            "kind": "Http",
            "inputs": {"statusCode": 200, "body": "@body('Call')"},
            "runAfter": {"Call": ["Succeeded"]},
        }
    }
    return {
        "prod-async": {"triggers": trigger, "actions": {"Call": http_call(counter_url), **tail}},
        "prod-sync": {"triggers": trigger, "actions": {"Call": http_call(counter_url), **respond}},
    }


def apply_many(topology, documents: dict[str, dict]) -> None:
    """`sluice apply` a folder of definitions (one process for all of them)."""
    with tempfile.TemporaryDirectory() as folder:
        for name, definition in documents.items():
            document = {"name": name, "kind": "Stateful", "definition": definition}
            (Path(folder) / f"{name}.json").write_text(json.dumps(document))
        topology.manage("apply", folder)


def invoke_path(topology, workflow: str) -> str:
    url = urlsplit(topology.manage("url", workflow).strip())
    return f"{url.path}?{url.query}"


@pytest.fixture(scope="session")
def topology(counter):
    with Topology(web=2, workers=2, schedulers=2, concurrency=2, lease_seconds=5) as top:
        apply_many(top, definitions(counter.url))
        top.paths = {name: invoke_path(top, name) for name in definitions(counter.url)}
        yield top


@pytest.fixture
def live(topology):
    """The session topology with every process running (a previous test may
    have killed one)."""
    topology.ensure_running()
    return topology


# ------------------------------------------------------------------ load
@dataclass
class Load:
    """Fires `count` runs at the web processes from `clients` threads; each
    request has a unique key (the counter's key and the client tracking id)."""

    topology: object
    workflow: str
    prefix: str
    delay: float = 0.0
    accepted: list[str] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fire(self, n: int, timeout: float = 30) -> httpx.Response | None:
        key = f"{self.prefix}-{n}"
        base = self.topology.urls[n % len(self.topology.urls)]
        body = {"key": key, "delay": self.delay}
        headers = {"x-ms-client-tracking-id": key}
        try:
            response = httpx.post(
                base + self.topology.paths[self.workflow],
                json=body,
                headers=headers,
                timeout=timeout,
            )
        except httpx.HTTPError as exc:
            with self.lock:
                self.errors[type(exc).__name__] += 1
            return None
        with self.lock:
            if response.status_code in (200, 202):
                self.accepted.append(key)
            else:
                self.errors[f"HTTP {response.status_code}"] += 1
        return response

    def run(self, count: int, clients: int = 6, during=None, at: int | None = None) -> None:
        """Fire `count` runs; call `during()` once `at` of them were sent."""
        at = count // 3 if at is None else at
        with ThreadPoolExecutor(clients) as pool:
            futures = [pool.submit(self.fire, n) for n in range(at)]
            for future in futures:
                future.result()
            if during is not None:
                during()
            futures = [pool.submit(self.fire, n) for n in range(at, count)]
            for future in futures:
                future.result()


def new_prefix(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:6]}"


# ------------------------------------------------------------------ outcome
def run_states(topology, prefix: str) -> dict[str, str]:
    rows = topology.sql(
        "SELECT client_tracking_id, status FROM workflows_run WHERE client_tracking_id LIKE %s",
        (prefix + "-%",),
    )
    return dict(rows)


def wait_until_done(topology, prefix: str, expected: int, timeout: float = 90) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while True:
        states = run_states(topology, prefix)
        done = sum(1 for s in states.values() if s in TERMINAL)
        if (len(states) >= expected and done == len(states)) or time.monotonic() > deadline:
            return states
        time.sleep(0.5)


def action_attempts(topology, prefix: str, action: str = "Call") -> dict[str, int]:
    rows = topology.sql(
        "SELECT r.client_tracking_id, a.attempts FROM workflows_actionrun a "
        "JOIN workflows_run r ON a.run_id = r.id "
        "WHERE r.client_tracking_id LIKE %s AND a.name = %s",
        (prefix + "-%", action),
    )
    return dict(rows)


FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:
    """Print every fault test's figures at the end of the run, even without -s."""
    if FIGURES:
        terminalreporter.section("fault tests: runs started / finished / lost, duplicates")
        for text in FIGURES:
            terminalreporter.write_line(text)


@dataclass
class Outcome:
    started: int
    accepted: int
    finished: int
    succeeded: int
    lost: int
    duplicated: int
    retried_attempts: int
    statuses: dict
    waited: float

    def line(self, title: str) -> str:
        text = self._line(title)
        FIGURES.append(text.strip())
        return text

    def _line(self, title: str) -> str:
        return (
            f"\n[{title}] runs started {self.started} (accepted {self.accepted}), "
            f"finished {self.finished} (succeeded {self.succeeded}), lost {self.lost}, "
            f"duplicated action executions {self.duplicated} (counter server), "
            f"extra attempts recorded {self.retried_attempts}; statuses {self.statuses}; "
            f"all ended {self.waited:.1f} s after the load"
        )


def outcome(topology, counter, prefix: str, accepted: list[str], timeout: float = 90) -> Outcome:
    began = time.monotonic()
    states = wait_until_done(topology, prefix, len(accepted), timeout)
    waited = time.monotonic() - began
    missing = [key for key in accepted if key not in states]
    unfinished = [key for key, status in states.items() if status not in TERMINAL]
    hits = counter.count(prefix)
    attempts = action_attempts(topology, prefix)
    statuses = Counter(states.values())
    return Outcome(
        started=len(states),
        accepted=len(accepted),
        finished=len(states) - len(unfinished),
        succeeded=statuses.get("Succeeded", 0),
        lost=len(missing) + len(unfinished),
        duplicated=sum(n - 1 for n in hits.values() if n > 1),
        retried_attempts=sum(n - 1 for n in attempts.values() if n > 1),
        statuses=dict(statuses),
        waited=waited,
    )
