"""`sluice up`: everything on embedded defaults, in one command.

Applies migrations, creates an admin account on first start (its password is
printed once), loads the demo workflows, then runs the web server (uvicorn), a
Celery worker and the scheduler as child processes. Ctrl+C (or SIGTERM) stops all
three cleanly; if one of them dies, the others are stopped too and the exit code
says so.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from workflows.models import Workflow
from workflows.validation import DefinitionError
from workflows.versions import save_definition

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


def python_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from config.cli import main; main()", *args]


class Command(BaseCommand):
    help = "Start Sluice: web server, worker and scheduler on embedded defaults (SQLite, no Redis)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SLUICE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SLUICE_PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo workflows")
        parser.add_argument("--web-workers", type=int, default=1)

    def handle(self, *args, **options):
        self.stdout.write(f"==> data directory: {settings.DATA_DIR}")
        self.stdout.write("==> applying migrations")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self._ensure_admin()
        if not options["no_demo"]:
            self._load_demos()
        children = self._start(options)
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"==> Sluice is up at {url}  (admin: {url}/admin/)"))
        self.stdout.write("    Ctrl+C stops everything.")
        code = self._supervise(children)
        sys.exit(code)

    def _ensure_admin(self) -> None:
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            return
        password = os.environ.get("SLUICE_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        users.objects.create_superuser("admin", "admin@localhost", password)
        self.stdout.write(self.style.WARNING(f"==> created admin account: admin / {password}"))
        self.stdout.write("    (shown once; change it in the admin)")

    def _load_demos(self) -> None:
        for path in sorted(DEMO_DIR.glob("*.json")):
            name = path.stem
            if Workflow.objects.filter(name=name).exists():
                continue
            try:
                save_definition(name, json.loads(path.read_text()), description=f"Demo: {name}")
                self.stdout.write(f"==> loaded demo workflow {name}")
            except DefinitionError as exc:
                self.stderr.write(f"demo {name} is invalid here: {exc}")

    def _start(self, options) -> dict[str, subprocess.Popen]:
        web = [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--workers",
            str(options["web_workers"]),
            "--log-level",
            "warning",
        ]
        worker = [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "INFO", "-c", "2"]
        env = {**os.environ, "SLUICE_DATA_DIR": str(settings.DATA_DIR), "SLUICE_CELERY_EAGER": "0"}
        commands = {"web": web, "worker": worker, "scheduler": python_command("scheduler")}
        amqp = _amqp_command()
        if amqp:
            commands["amqp"] = amqp
        children = {}
        for name, command in commands.items():
            self.stdout.write(f"==> starting {name}")
            children[name] = subprocess.Popen(command, env=env, start_new_session=True)
        return children

    def _supervise(self, children: dict[str, subprocess.Popen]) -> int:
        stopping: list[int] = []
        signal.signal(signal.SIGINT, lambda *_: stopping.append(0))
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(0))
        code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(
                        f"{name} exited with code {child.returncode}; stopping the rest"
                    )
                    stopping.append(1)
                    code = 1
                    break
            time.sleep(0.5)
        self.stdout.write("==> stopping")
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("==> stopped")
        return code


def _amqp_command() -> list[str] | None:
    """The broker's AMQP listener, when the broker ships one (`sluice amqp`)."""
    try:
        import broker.amqp  # noqa: F401
    except ImportError:
        return None
    return python_command("amqp")
