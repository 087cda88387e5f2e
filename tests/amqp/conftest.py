"""A real `sluice amqp` process (and a real web server for the HTTP data plane)
on free ports, sharing one SQLite data directory; the tests drive them with the
real azure-servicebus / azure-eventhub SDKs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early with code {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


@dataclass
class BrokerEnv:
    data_dir: Path
    amqp_port: int
    http_port: int
    connection_string: str
    env: dict

    @property
    def key(self) -> str:
        return self.connection_string.split("SharedAccessKey=")[1].split(";")[0]

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def broker_env(tmp_path_factory):
    """`sluice amqp` on a free port over a fresh data directory with the test entities."""
    data_dir = tmp_path_factory.mktemp("amqp-broker")
    env = {**os.environ, "SLUICE_DATA_DIR": str(data_dir), "SLUICE_CELERY_EAGER": "1"}
    for name in ("DATABASE_URL", "SLUICE_SQLITE_PATH", "SLUICE_AMQP_PORT"):
        env.pop(name, None)
    amqp_port, http_port = free_port(), free_port()
    probe = BrokerEnv(data_dir, amqp_port, http_port, "", env)
    probe.manage("migrate", "--verbosity", "0")
    subprocess.run(
        [sys.executable, "-m", "tests.amqp.entities_setup"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    with open(data_dir / "amqp.log", "w") as log:
        amqp = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "amqp", "--port", str(amqp_port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(amqp_port, amqp, time.monotonic() + 60)
            conn_str = probe.manage("amqp", "connection-string", "--port", str(amqp_port))
            yield BrokerEnv(data_dir, amqp_port, http_port, conn_str.strip(), env)
        finally:
            stop(amqp)


@pytest.fixture(scope="session")
def web_env(broker_env):
    """The HTTP data plane (uvicorn) on the same data directory, for cross-protocol tests."""
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(broker_env.http_port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=broker_env.env,
    )
    try:
        wait_for_port(broker_env.http_port, web, time.monotonic() + 60)
        yield broker_env
    finally:
        stop(web)
