"""Fault tests against the real topology (2 web, 2 workers, 2 schedulers on
PostgreSQL + Redis; see conftest.py). Each test fires a small load, injects one
fault while it runs, waits (bounded) for every run to end, and prints runs
started / finished / lost and duplicated action executions (a second hit of the
same key on the counter server, and `attempts` > 1 on the action record).
Lost must be 0 in every test; duplicates are allowed only where at-least-once
says they may happen (an action in flight in a process that died)."""

from __future__ import annotations

import itertools
import subprocess
import threading
import time

import httpx
import pytest

from tests.production.conftest import Load, apply_many, new_prefix, outcome, run_states

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RUNS = 60


def test_it_loses_no_run_when_a_worker_is_sigkilled_under_load(live, counter) -> None:
    prefix = new_prefix("kill-worker")
    load = Load(live, "prod-async", prefix, delay=0.2)
    victim = live.proc("worker", 0)
    load.run(RUNS, during=lambda: live.kill(victim))
    result = outcome(live, counter, prefix, load.accepted)
    print(result.line("SIGKILL worker") + f"; client errors {dict(load.errors)}")
    assert load.errors == {}
    assert result.lost == 0
    assert result.succeeded == result.started == RUNS
    # at-least-once: only the actions in flight in the killed worker may repeat
    assert result.duplicated <= live.concurrency
    assert result.duplicated <= result.retried_attempts


def test_it_keeps_database_connections_bounded_under_load(live, counter) -> None:
    prefix = new_prefix("connections")
    load = Load(live, "prod-async", prefix)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _connections(live))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        load.run(RUNS, clients=8, during=None)
        result = outcome(live, counter, prefix, load.accepted)
    finally:
        stop.set()
        sampler.join(timeout=5)
    time.sleep(1)
    settled = _connections(live)
    print(
        result.line("DB connections")
        + f"; connections to the database: peak {peak[0]}, after the load {settled}"
    )
    # worker pool processes (2 × 2) + schedulers (2) + web threads that served a
    # request (≤ 8 clients; each keeps its connection, config/asgi.py) + 2 spare
    assert peak[0] <= 4 + 2 + 8 + 2
    assert settled <= 4 + 2 + 8 + 2  # kept, not growing: the web's thread pool is fixed
    assert result.lost == 0


def _connections(live) -> int:
    return live.sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (live.database,),
    )[0][0]


REDIS_START = (
    "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' "
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


def _redis_up() -> bool:
    result = subprocess.run(
        ["redis-cli", "-p", "6379", "ping"], capture_output=True, text=True, timeout=5
    )
    return result.stdout.strip() == "PONG"


def _start_redis() -> None:
    deadline = time.monotonic() + 30
    while not _redis_up() and time.monotonic() < deadline:
        subprocess.run(REDIS_START, shell=True, timeout=10, check=False)
        time.sleep(0.3)
    if not _redis_up():
        raise AssertionError("Redis did not come back on 127.0.0.1:6379")


def test_it_loses_no_run_when_redis_restarts_under_load(live, counter) -> None:
    prefix = new_prefix("redis-restart")
    load = Load(live, "prod-async", prefix, delay=0.1)

    def restart_redis() -> None:
        subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], timeout=10, check=False)
        time.sleep(2)  # the messages Redis held are gone; clients see connection errors
        _start_redis()

    try:
        load.run(RUNS, during=restart_redis)
    finally:
        _start_redis()
    result = outcome(live, counter, prefix, load.accepted, timeout=120)
    print(result.line("Redis restart") + f"; client errors {dict(load.errors)}")
    assert result.lost == 0
    assert result.succeeded == result.started
    assert result.started >= RUNS  # every request was accepted (runs are recorded in PostgreSQL)
    assert result.duplicated == 0


def test_it_loses_no_run_when_database_connections_are_dropped(live, counter) -> None:
    prefix = new_prefix("pg-terminate")
    load = Load(live, "prod-async", prefix, delay=0.05)
    stop = threading.Event()
    terminated: list[int] = []

    def terminate_connections() -> None:
        while not stop.is_set():
            rows = live.sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (live.database,),
            )
            terminated.append(len(rows))
            stop.wait(1.5)

    killer = threading.Thread(target=terminate_connections, daemon=True)
    try:
        load.run(RUNS, during=killer.start)
    finally:
        stop.set()
        killer.join(timeout=10)
    retry = RUNS
    while len(load.accepted) < RUNS and retry < 2 * RUNS:  # clients retry what failed
        load.fire(retry)
        retry += 1
    result = outcome(live, counter, prefix, load.accepted, timeout=120)
    print(
        result.line("pg_terminate_backend")
        + f"; connections terminated {sum(terminated)} in {len(terminated)} rounds"
        + f"; client errors {dict(load.errors)}"
    )
    assert sum(terminated) > 0
    assert result.lost == 0
    # at-least-once: an action whose result could not be written runs again, and
    # its record says so (attempts)
    assert result.duplicated <= result.retried_attempts
    assert result.succeeded == result.started >= RUNS
    for proc in live.processes:
        assert proc.alive(), f"{proc.name} died:\n{proc.log_tail()}"


def _fired(live, workflow: str) -> list[tuple]:
    return live.sql(
        "SELECT h.scheduled_for, count(*) FROM workflows_triggerhistory h "
        "JOIN workflows_workflow w ON h.workflow_id = w.id "
        "WHERE w.name = %s AND h.fired GROUP BY h.scheduled_for ORDER BY h.scheduled_for",
        (workflow,),
    )


def test_it_keeps_firing_once_per_occurrence_when_a_scheduler_is_sigkilled(live) -> None:
    names = [new_prefix("every-second") for _ in range(5)]
    recurrence = {
        "Tick": {"type": "Recurrence", "recurrence": {"frequency": "Second", "interval": 1}}
    }
    apply_many(live, {name: {"triggers": recurrence, "actions": {}} for name in names})
    time.sleep(4)
    killed_at = time.time()
    live.kill(live.proc("scheduler", 0))
    time.sleep(6)
    live.sql("UPDATE workflows_workflow SET state = 'Disabled' WHERE name = ANY(%s)", (names,))
    fired = {name: _fired(live, name) for name in names}
    twice = {name: [row for row in rows if row[1] > 1] for name, rows in fired.items()}
    after = {
        name: sum(1 for when, _ in rows if when.timestamp() > killed_at + 1)
        for name, rows in fired.items()
    }
    total = sum(len(rows) for rows in fired.values())
    skipped = sum(
        max(0, round((b[0] - a[0]).total_seconds()) - 1)
        for rows in fired.values()
        for a, b in itertools.pairwise(rows)
    )
    runs = _recurrence_runs(live, names, total)
    print(
        f"\n[SIGKILL scheduler] occurrences fired {total} over {len(names)} workflows, "
        f"fired twice {sum(len(v) for v in twice.values())}, after the kill per workflow "
        f"{list(after.values())}, skipped by the missed-occurrence policy {skipped}; "
        f"runs started {runs[0]}, finished {runs[1]}, lost {total - runs[1]}"
    )
    assert all(not rows for rows in twice.values())
    assert all(n >= 3 for n in after.values())  # the surviving scheduler keeps firing
    assert runs == (total, total)  # one run per fired occurrence, every one finished


def _recurrence_runs(live, names: list[str], expected: int) -> tuple[int, int]:
    deadline = time.monotonic() + 60
    while True:
        started, finished = live.sql(
            "SELECT count(*), count(*) FILTER (WHERE r.status = 'Succeeded') "
            "FROM workflows_run r JOIN workflows_workflow w ON r.workflow_id = w.id "
            "WHERE w.name = ANY(%s)",
            (names,),
        )[0]
        if (started >= expected and finished == started) or time.monotonic() > deadline:
            return started, finished
        time.sleep(0.5)


def test_it_finishes_the_run_when_the_web_process_dies_during_a_synchronous_request(
    live, counter
) -> None:
    prefix = new_prefix("kill-web")
    load = Load(live, "prod-sync", prefix, delay=3)
    web = live.proc("web", 0)
    responses: list = []
    caller = threading.Thread(target=lambda: responses.append(load.fire(0)))  # n=0 → web0
    caller.start()
    deadline = time.monotonic() + 20
    while not counter.count(prefix) and time.monotonic() < deadline:
        time.sleep(0.05)  # the run is recorded and its HTTP action has started
    live.kill(web)
    caller.join(timeout=30)
    states = run_states(live, prefix)
    result = outcome(live, counter, prefix, list(states), timeout=60)
    print(
        result.line("SIGKILL web during a synchronous request")
        + f"; caller saw {responses[0].status_code if responses[0] else dict(load.errors)}"
    )
    assert responses == [None]  # the caller lost its connection…
    assert result.started == 1
    assert result.succeeded == 1  # …but the run finished
    assert result.lost == 0 and result.duplicated == 0


def _send_malformed_tasks(live) -> None:
    """Well-formed envelopes with bad content: wrong arguments, unknown task,
    a body that is not JSON."""
    from celery import Celery

    app = Celery(broker=live.redis_url)
    try:
        for args in (["no-such-run"], [{"not": "a run id"}], [], ["a", "b", "c"]):
            app.send_task("workflows.advance_run", args=args, queue=live.queue)
        app.send_task("workflows.no_such_task", args=["x"], queue=live.queue)
        with app.connection_for_write() as conn:
            channel = conn.default_channel
            garbage = channel.prepare_message(b"\x00\xffnot json", content_type="application/json")
            channel.basic_publish(garbage, exchange="", routing_key=live.queue)
    finally:
        app.close()


def _broken_event(live) -> httpx.Response:
    import json

    topic = new_prefix("malformed")
    live.manage("broker", "topic", "create", topic)
    key = json.loads(live.manage("broker", "keys", "--json"))["primaryKey"]
    return httpx.post(
        f"{live.url}/topics/{topic}:publish?api-version=2024-06-01",
        content=b'[{"specversion": "1.0", "broken',
        headers={
            "Content-Type": "application/cloudevents-batch+json; charset=utf-8",
            "Authorization": f"SharedAccessKey {key}",
        },
        timeout=10,
    )


def test_it_rejects_malformed_messages_and_events_without_a_crash_loop(live, counter) -> None:
    import redis

    workers = live.of("worker")
    pids = [proc.pid for proc in workers]
    _send_malformed_tasks(live)
    broken_event = _broken_event(live)
    broken_trigger = httpx.post(
        live.url + live.paths["prod-async"],
        content=b"{broken json",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    time.sleep(2)
    survived_tasks = [
        proc.alive() and proc.pid == pid for proc, pid in zip(workers, pids, strict=True)
    ]
    # A raw frame that is not even a kombu envelope: kombu's Redis transport
    # raises in the consumer loop and Celery exits ("Unrecoverable error"). The
    # frame was popped, so the restarted worker (docker's restart policy; the
    # topology here) does not die again: no crash loop.
    queue = redis.Redis.from_url(live.redis_url)
    queue.lpush(live.queue, b"{not even a kombu envelope")
    deadline = time.monotonic() + 10
    while queue.llen(live.queue) and time.monotonic() < deadline:
        time.sleep(0.1)
    deadline = time.monotonic() + 15  # its shutdown takes a moment
    while all(proc.alive() for proc in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    died_on_raw_frame = [proc.name for proc in workers if not proc.alive()]
    live.ensure_running()
    restarted_pids = [proc.pid for proc in workers]
    prefix = new_prefix("after-garbage")
    load = Load(live, "prod-async", prefix)
    load.run(20, during=None)
    result = outcome(live, counter, prefix, load.accepted, timeout=60)
    print(
        result.line("malformed messages")
        + f"; event publish answered {broken_event.status_code}, trigger answered "
        f"{broken_trigger.status_code}; workers alive after bad tasks {survived_tasks}; "
        f"died on the raw Redis frame {died_on_raw_frame} (restarted once)"
    )
    assert survived_tasks == [True] * len(workers)
    assert broken_event.status_code == 400, broken_event.text
    assert broken_trigger.status_code == 400, broken_trigger.text
    assert queue.llen(live.queue) == 0  # nothing left to crash the next worker
    assert [proc.pid for proc in workers] == restarted_pids  # no crash loop
    assert all(proc.alive() for proc in workers)
    assert result.lost == 0 and result.succeeded == 20
