"""Benchmark: the embedded broker.

Run:  .venv/bin/python bench/broker.py [--events 50000] [--latency-events 200] [--skip-postgres]

For SQLite (WAL, IMMEDIATE transactions) and PostgreSQL (127.0.0.1:5432, user
postgres, trust; a throwaway database is created and dropped) it prints:

* raw INSERT rate: the same `Message` rows bulk-inserted in batches of 100, one
  transaction per batch (the ceiling every other figure is compared with; measured
  before and after the broker figures, the better one is used),
* publish events/s: Event Grid `publish()` in batches of 100 to a topic with one
  subscription (CloudEvent validation + filter + insert), and its ratio to raw,
* receive+ack events/s: `receive(100)` + acknowledge each lock token, one consumer,
  and its ratio to raw,
* 4 consumer processes draining the same `--events` messages concurrently
  (receive 10 + acknowledge the 10 tokens), with the invariant checks: none lost, none completed
  twice (the 50,000-message version of tests/broker/test_invariants_postgres.py),
* event-to-run-start latency p50/p99: events published one by one at random
  moments to a topic a workflow's Event Grid trigger subscribes to, with the broker
  `tick()` running once a second as `sluice scheduler` does; measured from publish
  to the creation of the workflow run (Celery not eager: the run is created and
  queued). Delivery happens on publish, the tick is the safety net.

Each backend runs in its own process because Django's database settings are fixed
per process. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BATCH = 100


def _env(extra: dict) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SLUICE_LOG_LEVEL": "WARNING",
        "SLUICE_CELERY_EAGER": "0",
    }
    env.pop("DATABASE_URL", None)
    env.update(extra)
    return env


def _run(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"{args} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# --- inside a backend process -----------------------------------------------------


def _setup():
    import django

    django.setup()


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def raw_insert_rate(n: int) -> float:
    from django.db import transaction
    from django.utils import timezone

    from broker.models import Message
    from broker.services import entities

    topic = entities.create_eg_topic(entities.get_namespace(), f"raw{uuid.uuid4().hex[:6]}")
    channel = entities.create_event_subscription(topic, "s")
    body = json.dumps(_event(0)).encode()

    def work():
        for i in range(0, n, BATCH):
            now = timezone.now()
            with transaction.atomic():
                Message.objects.bulk_create(
                    Message(
                        channel=channel,
                        body=body,
                        enqueued_at=now,
                        available_at=now,
                        message_id=str(i + j),
                        content_type="application/cloudevents+json",
                    )
                    for j in range(min(BATCH, n - i))
                )

    return n / _timed(work)


def _event(i: int) -> dict:
    return {
        "id": f"e{i}",
        "source": "/bench",
        "type": "Bench.Event",
        "specversion": "1.0",
        "subject": f"items/{i}",
        "data": {"n": i, "payload": "x" * 200},
    }


def publish_rate(n: int):
    from django.db import transaction
    from django.utils import timezone

    from broker.services import entities, eventgrid

    topic = entities.create_eg_topic(entities.get_namespace(), f"pub{uuid.uuid4().hex[:6]}")
    channel = entities.create_event_subscription(topic, "s")

    def work():
        for i in range(0, n, BATCH):
            events = [
                eventgrid.validate_cloudevent(_event(i + j)) for j in range(min(BATCH, n - i))
            ]
            with transaction.atomic():
                eventgrid.publish(topic, events, timezone.now())

    return n / _timed(work), channel


def receive_ack_rate(channel, n: int) -> float:
    from django.utils import timezone

    from broker.services import store

    def work():
        done = 0
        while done < n:
            now = timezone.now()
            got = store.receive(channel, now, BATCH)
            if not got:
                break
            result = store.settle(
                channel, [m.lock_token for m in got], timezone.now(), store.complete
            )
            done += len(result.succeeded)

    return n / _timed(work)


def concurrent_drain(n: int, env: dict) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from broker.models import Message
    from broker.services import entities

    queue = entities.create_queue(
        entities.get_namespace(), f"drain{uuid.uuid4().hex[:6]}", lock_duration_seconds=30
    )
    now = timezone.now()
    for i in range(0, n, 1000):
        with transaction.atomic():
            Message.objects.bulk_create(
                Message(
                    channel=queue,
                    body=b"x",
                    enqueued_at=now,
                    available_at=now,
                    message_id=f"m{i + j}",
                )
                for j in range(min(1000, n - i))
            )
    logs = [tempfile.mktemp(suffix=".log") for _ in range(4)]
    started = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, __file__, "--drain", queue.name, log], cwd=ROOT, env=env)
        for log in logs
    ]
    for p in procs:
        p.wait()
    seconds = time.perf_counter() - started
    completed = [line.strip() for log in logs for line in Path(log).read_text().splitlines()]
    left = Message.objects.filter(channel=queue).count()
    return {
        "rate": n / seconds,
        "completed": len(completed),
        "distinct": len(set(completed)),
        "left": left,
        "per_consumer": [len(Path(log).read_text().splitlines()) for log in logs],
    }


def drain(queue_name: str, log_path: str) -> None:
    from django.utils import timezone

    from broker.services import entities, store

    queue = entities.get_queue(entities.get_namespace(), queue_name)
    with open(log_path, "w") as log:
        idle = 0
        while idle < 20:
            got = store.receive(queue, timezone.now(), 10)
            if not got:
                idle += 1
                time.sleep(0.05)
                continue
            idle = 0
            result = store.settle(
                queue, [m.lock_token for m in got], timezone.now(), store.complete
            )
            done = set(result.succeeded)
            for m in got:
                if m.lock_token in done:
                    log.write(m.message_id + "\n")


def latency(n: int) -> dict:
    from django.utils import timezone

    from broker import ticks
    from broker.services import entities, eventgrid
    from workflows.models import Run, Workflow, WorkflowVersion, definition_hash

    topic = entities.create_eg_topic(entities.get_namespace(), f"lat{uuid.uuid4().hex[:6]}")
    trigger = {
        "type": "ServiceProvider",
        "inputs": {
            "parameters": {"topicName": topic.name},
            "serviceProviderConfiguration": {
                "serviceProviderId": "/serviceProviders/eventGrid",
                "operationId": "receiveEvents",
            },
        },
    }
    definition = {
        "triggers": {"On_event": trigger},
        "actions": {
            "Compose": {"type": "Compose", "inputs": "@triggerBody()?['id']", "runAfter": {}}
        },
    }
    workflow = Workflow.objects.create(name=f"bench-{uuid.uuid4().hex[:6]}")
    version = WorkflowVersion.objects.create(
        workflow=workflow,
        number=1,
        definition=definition,
        hash=definition_hash(definition, "Stateful"),
    )
    Workflow.objects.filter(id=workflow.id).update(current_version=version)
    ticks.tick(timezone.now())  # creates the trigger's subscription
    stop = threading.Event()

    def scheduler():
        from django.db import close_old_connections

        while not stop.is_set():
            started = time.monotonic()
            ticks.tick(timezone.now())
            close_old_connections()
            stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    thread = threading.Thread(target=scheduler, daemon=True)
    thread.start()
    published = {}
    for i in range(n):
        time.sleep(random.uniform(0, 0.05))
        event = _event(i)
        published[event["id"]] = timezone.now()
        eventgrid.publish(topic, [event], timezone.now())
    deadline = time.monotonic() + 60
    while Run.objects.filter(workflow=workflow).count() < n and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    thread.join()
    delays = sorted(
        (r.created_at - published[r.trigger["outputs"]["body"]["id"]]).total_seconds()
        for r in Run.objects.filter(workflow=workflow)
    )
    return {
        "runs": len(delays),
        "p50": statistics.median(delays) if delays else None,
        "p99": delays[min(len(delays) - 1, int(len(delays) * 0.99))] if delays else None,
    }


def backend_main(label: str, events: int, latency_events: int) -> None:
    _setup()
    env = dict(os.environ)
    raw_before = raw_insert_rate(events)
    pub, channel = publish_rate(events)
    recv = receive_ack_rate(channel, events)
    raw = max(raw_before, raw_insert_rate(events))  # measured twice: the machine is shared
    drained = concurrent_drain(events, env)
    lat = latency(latency_events)
    print(f"\n== {label} ({events} events, batches of {BATCH}) ==")
    print(f"raw INSERT (bulk, same rows)      {raw:10.0f} rows/s   ratio 1.00")
    print(f"publish (Event Grid, 1 sub)       {pub:10.0f} ev/s     ratio {pub / raw:.2f} of raw")
    print(f"receive+ack (1 consumer)          {recv:10.0f} ev/s     ratio {recv / raw:.2f} of raw")
    print(
        f"4 consumer processes drain         {drained['rate']:10.0f} msg/s    ratio {drained['rate'] / raw:.2f} of raw;"
        f" completed {drained['completed']} distinct {drained['distinct']} left {drained['left']} per consumer {drained['per_consumer']}"
    )
    lost = events - drained["distinct"] - drained["left"]
    print(
        f"   invariants: lost={lost} double-completed={drained['completed'] - drained['distinct']}"
    )
    if lat["p50"] is not None:
        print(
            f"event-to-run-start ({lat['runs']} runs, tick 1 s)  p50 {lat['p50'] * 1000:.0f} ms   p99 {lat['p99'] * 1000:.0f} ms"
        )


# --- orchestration ----------------------------------------------------------------


def run_sqlite(args) -> None:
    data = Path(tempfile.mkdtemp(prefix="sluice-bench-broker-"))
    env = _env({"SLUICE_DATA_DIR": str(data), "SLUICE_SQLITE_PATH": str(data / "bench.sqlite3")})
    _run(env, "manage.py", "migrate", "--noinput")
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--backend",
            "SQLite",
            "--events",
            str(args.events),
            "--latency-events",
            str(args.latency_events),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )


def run_postgres(args) -> None:
    import psycopg

    name = f"sluice_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = _env(
            {
                "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
                "SLUICE_DATA_DIR": tempfile.mkdtemp(prefix="sluice-bench-pg-"),
            }
        )
        _run(env, "manage.py", "migrate", "--noinput")
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--backend",
                "PostgreSQL",
                "--events",
                str(args.events),
                "--latency-events",
                str(args.latency_events),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--latency-events", type=int, default=200)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--backend")
    parser.add_argument("--drain", nargs=2)
    args = parser.parse_args()
    if args.drain:
        _setup()
        drain(*args.drain)
    elif args.backend:
        backend_main(args.backend, args.events, args.latency_events)
    else:
        if not args.skip_sqlite:
            run_sqlite(args)
        if not args.skip_postgres:
            run_postgres(args)


if __name__ == "__main__":
    main()
