"""`sluice up` on embedded defaults: serves the admin, loads demos, stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, deadline: float) -> int:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in time")


@pytest.mark.integration
def test_it_serves_the_admin_with_demo_workflows_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    env = {**os.environ, "SLUICE_DATA_DIR": str(tmp_path), "SLUICE_CELERY_EAGER": "0"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "up", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = wait_for(f"http://127.0.0.1:{port}/admin/login/", time.monotonic() + 90)
        assert status == 200
        with sqlite3.connect(tmp_path / "sluice.sqlite3") as db:
            names = {row[0] for row in db.execute("select name from workflows_workflow")}
        assert {"hello-request", "order-router", "hourly-heartbeat"} <= names
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "created admin account: admin / " in output
    assert f"Sluice is up at http://127.0.0.1:{port}" in output
    assert "==> stopped" in output
