"""A real Sluice server for browser tests: a fresh data directory, migrations,
collected static files, an admin account, and uvicorn on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist" / "index.html"
USER = "e2e-admin"
PASSWORD = "e2e-password-123"


SESSION_SNIPPET = """
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.get(username={user!r})
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print(s.session_key)
"""


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    data_dir: Path
    log: Path
    session_key: str = ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(data_dir: Path, url: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.e2e.settings",
        SLUICE_DATA_DIR=str(data_dir),
        SLUICE_CELERY_EAGER="1",
        SLUICE_HTTP_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SUPERUSER_USERNAME=USER,
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
        DJANGO_SUPERUSER_EMAIL="e2e@localhost",
        PYTHONPATH=str(ROOT),
        SLUICE_PUBLIC_URL=url,
    )
    env.pop("SLUICE_SQLITE_PATH", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args[:1])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def start_server() -> Server:
    if not DIST.exists():
        raise RuntimeError(
            f"The frontend is not built ({DIST} is missing). Run `make frontend` "
            "(or `cd frontend && npm ci && npm run build`) before the e2e tests."
        )
    data_dir = Path(tempfile.mkdtemp(prefix="sluice-e2e-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = server_env(data_dir, url)
    manage(env, "migrate", "--noinput")
    manage(env, "createsuperuser", "--noinput")
    session_key = (
        manage(env, "shell", "-c", SESSION_SNIPPET.format(user=USER)).strip().splitlines()[-1]
    )
    log = data_dir / "server.log"
    process = subprocess.Popen(
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
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server(url, process, data_dir, log, session_key)
    wait_until_up(server)
    return server


def wait_until_up(server: Server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"The server exited:\n{server.log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(
        f"The server did not start in {timeout} s:\n{server.log.read_text()[-3000:]}"
    )
