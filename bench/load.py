"""Load benchmark of the production topology (PostgreSQL + Redis, real processes).

    .venv/bin/python bench/load.py [--seconds 60] [--clients 8] [--steps 1,2,4]

For each step of the scaling curve it starts `scripts/topology.py` with that many
Celery worker processes (2 web, 1 scheduler), then for `--seconds` runs
`--clients` closed-loop client threads that mix

* request-triggered runs (signed callback URL, asynchronous: 202), and
* Event Grid events published to the broker's HTTP data plane
  (`POST /topics/{t}:publish?api-version=2024-06-01`) that start runs through a
  `receiveEvents` trigger,

while `--schedules` workflows fire on a 1-second recurrence. Every workflow
runs Compose → HTTP POST to a local counter server → Compose. It prints, per
step: runs finished per second, end-to-end run latency p50/p99 (from the client
sending to the run ending, read from PostgreSQL), trigger HTTP latency p50/p99,
client error rate, the backlog (runs not ended + Redis queue length) over time,
worker RSS (main + pool processes), the time to drain, and at the end the
scaling curve with the ratio of each step to the previous one.

Numbers depend on the machine: on 2 cores every process competes for the same
CPUs, so more workers cannot scale linearly; the curve shows where it flattens.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
# `python bench/load.py` puts bench/ first on sys.path, where sibling scripts
# (bench/amqp.py) would shadow real packages (kombu imports `amqp`).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]
TERMINAL = ("Succeeded", "Failed", "Cancelled", "TimedOut")


def load_topology():
    spec = importlib.util.spec_from_file_location(
        "sluice_topology", ROOT / "scripts" / "topology.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["sluice_topology"] = module
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ counter server
class Sink(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SinkHandler)
        self.hits = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hit"


class SinkHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


# ------------------------------------------------------------------ workflows
def actions(sink_url: str) -> dict:
    return {
        "Read": {"type": "Compose", "inputs": "@triggerBody()", "runAfter": {}},
        "Call": {
            "type": "Http",
            "inputs": {"method": "POST", "uri": sink_url, "body": "@outputs('Read')"},
            "runAfter": {"Read": ["Succeeded"]},
        },
        "Done": {
            "type": "Compose",
            "inputs": "@body('Call')",
            "runAfter": {"Call": ["Succeeded"]},
        },
    }


def documents(sink_url: str, topic: str, schedules: int) -> dict[str, dict]:
    docs = {
        "load-request": {
            "triggers": {"manual": {"type": "Request", "kind": "Http"}},
            "actions": actions(sink_url),
        },
        "load-event": {
            "triggers": {
                "When_events": {
                    "type": "ServiceProvider",
                    "inputs": {
                        "parameters": {"topicName": topic},
                        "serviceProviderConfiguration": {
                            "connectionName": "eventGrid",
                            "operationId": "receiveEvents",
                            "serviceProviderId": "/serviceProviders/eventGrid",
                        },
                    },
                }
            },
            "actions": actions(sink_url),
        },
    }
    for i in range(schedules):
        docs[f"load-schedule-{i}"] = {
            "triggers": {
                "Tick": {"type": "Recurrence", "recurrence": {"frequency": "Second", "interval": 1}}
            },
            "actions": actions(sink_url),
        }
    return docs


def apply_all(top, docs: dict[str, dict]) -> list[str]:
    """`sluice apply` the workflows; returns the problems of those it refused."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for name, definition in docs.items():
            document = {"name": name, "kind": "Stateful", "definition": definition}
            (Path(folder) / f"{name}.json").write_text(json.dumps(document))
        output = top.manage("apply", folder, check=False)
    return [line.strip() for line in output.splitlines() if line.startswith("  /")]


# ------------------------------------------------------------------ measurement
def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its children (a Celery worker's pool)."""
    total = 0
    pids = [pid, *children_of(pid)]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@dataclass
class Clients:
    top: object
    request_path: str
    topic: str
    key: str
    event_share: float
    deadline: float
    accept_ms: list[float] = field(default_factory=list)
    sent: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def loop(self, seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(timeout=30) as client:
            n = 0
            while time.monotonic() < self.deadline:
                base = self.top.urls[n % len(self.top.urls)]
                n += 1
                kind = "event" if rng.random() < self.event_share else "request"
                began = time.monotonic()
                try:
                    response = self._send(client, base, kind)
                    ok = response.status_code in (200, 202)
                    label = None if ok else f"{kind} HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    label = f"{kind} {type(exc).__name__}"
                elapsed = (time.monotonic() - began) * 1000
                with self.lock:
                    self.sent[kind] += 1
                    self.accept_ms.append(elapsed)
                    if label:
                        self.errors[label] += 1

    def _send(self, client: httpx.Client, base: str, kind: str) -> httpx.Response:
        body = {"sent": time.time(), "id": uuid.uuid4().hex}
        if kind == "request":
            return client.post(base + self.request_path, json=body)
        event = {
            "specversion": "1.0",
            "id": body["id"],
            "source": "/bench/load",
            "type": "Bench.Load",
            "data": body,
        }
        return client.post(
            f"{base}/topics/{self.topic}:publish?api-version=2024-06-01",
            content=json.dumps([event]),
            headers={
                "Content-Type": "application/cloudevents-batch+json; charset=utf-8",
                "Authorization": f"SharedAccessKey {self.key}",
            },
        )


def backlog(top) -> tuple[int, int]:
    """(runs not ended, messages queued in Redis); -1 when a server does not
    answer this time (another test may be restarting the shared Redis)."""
    try:
        return _backlog(top)
    except Exception as exc:
        print(f"  (backlog sample failed: {type(exc).__name__})", flush=True)
        return -1, -1


def _backlog(top) -> tuple[int, int]:
    import redis

    pending = top.sql(
        "SELECT count(*) FROM workflows_run WHERE status <> ALL(%s)", (list(TERMINAL),)
    )[0][0]
    queued = redis.Redis.from_url(top.redis_url).llen(top.queue)
    return pending, queued


def finished_between(top, start: float, end: float) -> dict:
    rows = top.sql(
        "SELECT w.name, r.status, extract(epoch from r.ended_at), "
        "coalesce((r.trigger->'outputs'->'body'->>'sent')::float, "
        "(r.trigger->'outputs'->'body'->'data'->>'sent')::float) "
        "FROM workflows_run r JOIN workflows_workflow w ON r.workflow_id = w.id "
        "WHERE r.ended_at >= to_timestamp(%s) AND r.ended_at < to_timestamp(%s)",
        (start, end),
    )
    by_source: Counter = Counter()
    latencies: list[float] = []
    failed = 0
    for name, status, ended, sent in rows:
        source = "schedule" if name.startswith("load-schedule") else name.removeprefix("load-")
        by_source[source] += 1
        failed += status != "Succeeded"
        if sent is not None:
            latencies.append((float(ended) - float(sent)) * 1000)
    return {
        "count": len(rows),
        "by_source": dict(by_source),
        "latency": latencies,
        "failed": failed,
    }


# ------------------------------------------------------------------ one step
def run_step(topology_module, args, workers: int) -> dict:
    sink = Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    topic = f"load-{uuid.uuid4().hex[:6]}"
    print(f"\n=== {workers} worker process(es) × concurrency {args.concurrency} ===", flush=True)
    with topology_module.Topology(
        web=args.web,
        workers=workers,
        schedulers=1,
        concurrency=args.concurrency,
        lease_seconds=60,
        quiet=not args.verbose,
    ) as top:
        top.manage("broker", "topic", "create", topic)
        key = json.loads(top.manage("broker", "keys", "--json"))["primaryKey"]
        refused = apply_all(top, documents(sink.url, topic, args.schedules))
        for problem in refused:
            print(f"  ! workflow refused by `sluice apply`: {problem}", flush=True)
        if refused and args.event_share:
            print(
                "  ! events are still published (broker data-plane load) but start no runs",
                flush=True,
            )
        callback = urlsplit(top.manage("url", "load-request").strip())
        time.sleep(2)  # let the scheduler subscribe the event trigger
        began = time.monotonic()
        wall_start = time.time()
        clients = Clients(
            top,
            f"{callback.path}?{callback.query}",
            topic,
            key,
            args.event_share,
            began + args.seconds,
        )
        threads = [
            threading.Thread(target=clients.loop, args=(seed,), daemon=True)
            for seed in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        series = []
        rss_peak = 0.0
        while any(t.is_alive() for t in threads):
            time.sleep(args.sample)
            pending, queued = backlog(top)
            rss = sum(rss_mb(p.pid) for p in top.of("worker"))
            rss_peak = max(rss_peak, rss)
            series.append((time.monotonic() - began, pending, queued, rss))
            print(
                f"  t={series[-1][0]:5.1f}s  backlog: {pending:5d} runs not ended, "
                f"{queued:4d} queued in Redis;  workers RSS {rss:6.0f} MB",
                flush=True,
            )
        wall_end = time.time()
        drain_began = time.monotonic()
        while backlog(top)[0] != 0 and time.monotonic() - drain_began < args.drain:
            time.sleep(0.5)
        drained = time.monotonic() - drain_began
        left = backlog(top)[0]
        done = finished_between(top, wall_start, wall_end)
        rss_end = [rss_mb(p.pid) for p in top.of("worker")]
    sink.shutdown()
    sent = sum(clients.sent.values())
    result = {
        "workers": workers,
        "seconds": args.seconds,
        "runs_per_s": done["count"] / args.seconds,
        "by_source": done["by_source"],
        "failed_runs": done["failed"],
        "run_p50": percentile(done["latency"], 0.5),
        "run_p99": percentile(done["latency"], 0.99),
        "http_p50": percentile(clients.accept_ms, 0.5),
        "http_p99": percentile(clients.accept_ms, 0.99),
        "sent": dict(clients.sent),
        "error_rate": sum(clients.errors.values()) / sent if sent else 0.0,
        "errors": dict(clients.errors),
        "drain_s": drained,
        "left": left,
        "rss_peak": rss_peak,
        "rss_per_worker": statistics.mean(rss_end) if rss_end else 0.0,
        "sink_hits": sink.hits,
        "refused": refused,
    }
    print_step(result)
    return result


def print_step(r: dict) -> None:
    print(
        f"  runs finished during the load: {r['runs_per_s']:.1f}/s {r['by_source']} "
        f"(failed {r['failed_runs']})\n"
        f"  end-to-end run latency p50 {r['run_p50']:.0f} ms, p99 {r['run_p99']:.0f} ms; "
        f"trigger HTTP latency p50 {r['http_p50']:.0f} ms, p99 {r['http_p99']:.0f} ms\n"
        f"  client calls {r['sent']}, error rate {r['error_rate']:.2%} {r['errors']}\n"
        f"  drained in {r['drain_s']:.1f} s after the load ({r['left']} runs left); "
        f"worker RSS peak {r['rss_peak']:.0f} MB total, {r['rss_per_worker']:.0f} MB per worker "
        f"process (main + pool)",
        flush=True,
    )


def print_curve(results: list[dict]) -> None:
    print("\n=== scaling curve ===")
    print("workers  runs/s   ratio to previous  run p50 ms  run p99 ms  error rate")
    previous = None
    for r in results:
        ratio = f"{r['runs_per_s'] / previous:.2f}×" if previous else "—"
        print(
            f"{r['workers']:>7}  {r['runs_per_s']:6.1f}   {ratio:>17}  {r['run_p50']:10.0f}  "
            f"{r['run_p99']:10.0f}  {r['error_rate']:9.2%}"
        )
        previous = r["runs_per_s"] or None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="load duration per step (60)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (8)")
    parser.add_argument("--steps", default="1,2,4", help="worker process counts (1,2,4)")
    parser.add_argument("--concurrency", type=int, default=2, help="tasks per worker (2)")
    parser.add_argument("--web", type=int, default=2, help="web processes (2)")
    parser.add_argument("--schedules", type=int, default=3, help="1-second recurrences (3)")
    parser.add_argument("--event-share", type=float, default=0.3, help="share of events (0.3)")
    parser.add_argument("--sample", type=float, default=5, help="backlog sample interval (5 s)")
    parser.add_argument("--drain", type=float, default=120, help="max wait to drain (120 s)")
    parser.add_argument("--verbose", action="store_true", help="show the topology's progress")
    args = parser.parse_args(argv)
    try:
        args.steps = [int(s) for s in args.steps.split(",") if s.strip()]
    except ValueError:
        parser.error("--steps must be comma-separated integers, e.g. 1,2,4")
    if not args.steps or min(args.steps) < 1:
        parser.error("--steps must name at least one worker count ≥ 1")
    if args.seconds <= 0 or args.clients < 1:
        parser.error("--seconds must be > 0 and --clients ≥ 1")
    if not 0 <= args.event_share <= 1:
        parser.error("--event-share must be between 0 and 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    topology_module = load_topology()
    print(
        f"load: {args.clients} clients × {args.seconds:g} s per step, "
        f"{args.event_share:.0%} events / {1 - args.event_share:.0%} requests, "
        f"{args.schedules} schedules at 1/s; steps {args.steps} worker process(es)"
    )
    try:
        results = [run_step(topology_module, args, workers) for workers in args.steps]
    except topology_module.TopologyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print_curve(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
