"""Crash test with real servers: PostgreSQL, Redis, two Celery worker processes.

200 runs of a workflow with a Wait and five more actions; one worker is killed
with SIGKILL mid-way (its whole process group). The survivor plus the tick sweep
must finish every run Succeeded with the right results (the last action is a
Response, recorded as started before it runs, so a kill mid-wave shows up as a
second attempt). Prints runs
started/finished/lost and the highest attempt count per action.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "runner" / "crash_driver.py"
RUNS = 200


def _require(port: int, name: str) -> None:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        pytest.fail(f"{name} is not listening on 127.0.0.1:{port} (run scripts/ensure-services.sh)")


@pytest.fixture
def crash_env(tmp_path):
    _require(5432, "PostgreSQL")
    _require(6379, "Redis")
    import psycopg

    name = f"sluice_crash_{uuid.uuid4().hex[:10]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{int(uuid.uuid4().int % 14) + 1}",
        "SLUICE_DATA_DIR": str(tmp_path),
        "SLUICE_CELERY_EAGER": "0",
        "SLUICE_RUN_LEASE_SECONDS": "5",
        "SLUICE_CELERY_QUEUE": f"sluice-crash-{uuid.uuid4().hex[:10]}",
        "SLUICE_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--skip-checks", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    yield env
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).delete(env["SLUICE_CELERY_QUEUE"])
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _worker(env: dict, name: str, tmp: Path) -> subprocess.Popen:
    return _spawn(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-c",
            "2",
            "-l",
            "WARNING",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        env,
        tmp / f"{name}.log",
    )


def _status(env: dict) -> dict:
    """Counts straight from PostgreSQL (cheap: no Django start-up per poll)."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        runs = dict(
            conn.execute("SELECT status, count(*) FROM workflows_run GROUP BY status").fetchall()
        )
        attempts = dict(
            conn.execute(
                "SELECT name, max(attempts) FROM workflows_actionrun GROUP BY name"
            ).fetchall()
        )
        wrong = conn.execute(
            "SELECT count(*) FROM workflows_actionrun a JOIN workflows_run r ON a.run_id = r.id "
            "WHERE a.name = 'E' AND (a.outputs->>'body')::int <> (r.trigger->'outputs'->>'body')::int + 2"
        ).fetchone()[0]
    return {"runs": runs, "max_attempts": attempts, "wrong_results": wrong}


def _finished(status: dict) -> int:
    return sum(
        n
        for s, n in status["runs"].items()
        if s in {"Succeeded", "Failed", "Cancelled", "TimedOut"}
    )


@pytest.mark.integration
@pytest.mark.slow
def test_it_finishes_every_run_when_a_worker_is_killed(crash_env, tmp_path) -> None:
    processes = [
        _worker(crash_env, "w1", tmp_path),
        _worker(crash_env, "w2", tmp_path),
        _spawn([sys.executable, str(DRIVER), "ticker"], crash_env, tmp_path / "ticker.log"),
    ]
    try:
        subprocess.run(
            [sys.executable, str(DRIVER), "create", str(RUNS)],
            cwd=ROOT,
            env=crash_env,
            check=True,
            capture_output=True,
        )
        began = time.monotonic()
        deadline = began + 60
        while _finished(_status(crash_env)) < RUNS // 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        killed_at = _finished(_status(crash_env))
        kill_time = time.monotonic() - began
        os.killpg(processes[0].pid, signal.SIGKILL)
        deadline = time.monotonic() + 180
        status = _status(crash_env)
        while _finished(status) < RUNS and time.monotonic() < deadline:
            time.sleep(1)
            status = _status(crash_env)
        total_time = time.monotonic() - began
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    finished = _finished(status)
    print(
        f"\nruns started {RUNS}, finished {finished} (killed a worker after {killed_at} at {kill_time:.1f} s; all done at {total_time:.1f} s), lost {RUNS - finished}; "
        f"statuses {status['runs']}; max attempts per action {status['max_attempts']}"
    )
    assert status["runs"] == {"Succeeded": RUNS}
    assert status["wrong_results"] == 0
    assert 1 <= status["max_attempts"]["E"] <= 2
