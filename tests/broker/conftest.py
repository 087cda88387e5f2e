"""A real Sluice server for the broker's integration tests.

`broker_server` migrates a fresh SQLite database in a temporary data directory
and starts `uvicorn config.asgi:application` on 127.0.0.1 (a free port). Entities
are created through the real CLI (`manage.py broker …`). If the server does not
come up, the fixture fails loudly; it never skips.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on 127.0.0.1:{port} within {timeout}s")


@dataclass
class Server:
    url: str
    env: dict
    key: str = ""
    secondary_key: str = ""

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def broker(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.manage("broker", *args, check=check)

    def python(self, code: str) -> str:
        """Run Django-aware Python in the server's environment; returns stdout."""
        prelude = "import django; django.setup()\n"
        result = subprocess.run(
            [sys.executable, "-c", prelude + code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise AssertionError(f"python failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout


def start_server(data_dir: Path, extra_env: dict | None = None):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.broker.server_settings",
        "SLUICE_DATA_DIR": str(data_dir),
        "SLUICE_SQLITE_PATH": str(data_dir / "sluice.sqlite3"),
        "SLUICE_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    env.pop("DATABASE_URL", None)
    env.update(extra_env or {})
    port = free_port()
    server = Server(url=f"http://127.0.0.1:{port}", env=env)
    server.manage("migrate", "--noinput")
    keys = json.loads(server.broker("keys", "--json").stdout)
    server.key, server.secondary_key = keys["primaryKey"], keys["secondaryKey"]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(port, proc)
    except RuntimeError:
        proc.kill()
        raise
    return server, proc


@pytest.fixture(scope="session")
def broker_server(tmp_path_factory):
    server, proc = start_server(tmp_path_factory.mktemp("broker-server"))
    yield server
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def ticker(broker_server):
    """What `sluice scheduler` does for the broker: `tick()` in a loop (fast here).
    Two of them, because running two schedulers must be safe: the tests that use
    this fixture also assert that nothing is delivered or started twice."""
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "broker", "tick", "--loop", "--interval", "0.2"],
            cwd=ROOT,
            env=broker_server.env,
        )
        for _ in range(2)
    ]
    yield procs
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def wait_for(condition, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached within {timeout}s")


@pytest.fixture
def unique():
    def make(prefix: str = "t") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:8]}"

    return make
