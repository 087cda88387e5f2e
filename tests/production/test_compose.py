"""docker-compose.yml, Dockerfile and .env.example cannot be run here (no Docker
daemon), so these tests parse them and check what would break a deployment: the
services and their health checks, the environment every Sluice process needs,
that `worker` scales, that every command and flag exists in this tree's versions
of uvicorn, Celery and the management commands, and that `check --deploy` is
clean of security warnings with the production settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SLUICE_SERVICES = {"migrate", "web", "worker", "scheduler", "amqp"}
LONG_RUNNING = {"postgres", "redis", "web", "worker", "scheduler", "amqp"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value
    return pairs


def command_of(service: dict) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else command.split()


def flags(command: list[str]) -> list[str]:
    return [part.split("=", 1)[0] for part in command if part.startswith("--")]


def test_it_declares_the_whole_topology(compose) -> None:
    assert set(compose["services"]) == LONG_RUNNING | {"migrate"}


def test_it_gives_every_long_running_service_a_health_check(compose) -> None:
    services = compose["services"]
    missing = [name for name in LONG_RUNNING if "healthcheck" not in services[name]]
    assert missing == []
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])


def test_it_points_every_sluice_process_at_postgres_and_redis(compose) -> None:
    for name in SLUICE_SERVICES:
        service = compose["services"][name]
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert "@postgres:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"].startswith("redis://redis:6379/"), name
        assert env["SLUICE_CELERY_EAGER"] == "0", name
        assert service["env_file"] == ".env", name
        assert "sluice-data:/data" in service["volumes"], name


def test_its_web_connections_fit_postgres_max_connections(compose) -> None:
    web = compose["services"]["web"]
    threads = int(web["environment"]["SLUICE_WEB_THREADS"])
    workers = int(
        next(a for a in web["command"] if a.startswith("--workers="))
        .split("=")[1]
        .split(":-")[1]
        .rstrip("}")
    )
    command = " ".join(compose["services"]["postgres"]["command"])
    max_connections = int(command.split("max_connections=")[1].split()[0])
    # web threads, plus a connection for each worker/scheduler process and headroom
    assert workers * (threads + 1) + 20 <= max_connections


def test_it_starts_processes_only_after_migrations(compose) -> None:
    for name in SLUICE_SERVICES - {"migrate"}:
        depends = compose["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    migrate = compose["services"]["migrate"]
    assert migrate["restart"] == "no"
    assert set(migrate["depends_on"]) == {"postgres"}  # not itself (the anchor's default)


def test_it_lets_the_worker_scale(compose) -> None:
    worker = compose["services"]["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["stop_grace_period"]  # warm shutdown needs time to finish tasks


def test_it_declares_exactly_the_volumes_it_uses(compose) -> None:
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                used.add(source)
    assert used == set(compose["volumes"])


def test_it_runs_commands_that_exist(compose) -> None:
    from django.core.management import get_commands

    services = compose["services"]
    web, worker = command_of(services["web"]), command_of(services["worker"])
    assert web[:2] == ["uvicorn", "config.asgi:application"]
    assert worker[:4] == ["celery", "-A", "config", "worker"]
    commands = get_commands()
    for name in ("scheduler", "amqp"):
        assert command_of(services[name])[:3] == ["python", "manage.py", name]
        assert name in commands
    assert {"migrate", "collectstatic"} <= set(commands)


def _help(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", *args, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_it_passes_only_flags_that_uvicorn_and_celery_know(compose) -> None:
    services = compose["services"]
    uvicorn_help = _help("uvicorn")
    for flag in flags(command_of(services["web"])):
        assert re.search(rf"{re.escape(flag)}\b", uvicorn_help), flag
    celery_help = _help("celery", "-A", "config", "worker")
    for flag in flags(command_of(services["worker"])):
        assert re.search(rf"{re.escape(flag)}\b", celery_help), flag


def test_it_documents_every_variable_the_compose_file_needs(compose) -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    needed = {name for name, default in re.findall(r"\$\{(\w+)(:-[^}]*)?\}", text) if not default}
    documented = env_example()
    assert needed <= set(documented)
    assert {"SECRET_KEY", "SLUICE_ALLOWED_HOSTS", "SLUICE_PUBLIC_URL"} <= set(documented)


def test_it_lists_only_variables_something_reads() -> None:
    compose_text = (ROOT / "docker-compose.yml").read_text()
    sources = compose_text + "".join(
        path.read_text()
        for package in ("config", "workflows", "connectors", "broker", "accounts")
        for path in (ROOT / package).rglob("*.py")
    )
    unread = [name for name in env_example() if f"{name}" not in sources]
    assert unread == []


def test_it_builds_the_frontend_in_its_own_stage() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", dockerfile, re.MULTILINE)
    assert stages[0][0].startswith("node:") and stages[0][1] == "frontend"
    assert stages[-1][0] == "python:3.11-slim"
    assert "COPY --from=frontend /src/frontend/dist ./frontend/dist" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "frontend/node_modules", ".git"} <= set(ignored)


def test_it_passes_the_deploy_security_checks_with_production_settings(tmp_path) -> None:
    env = {
        **os.environ,
        **{k: v for k, v in env_example().items() if v},
        "SECRET_KEY": "x" * 20 + "-production-check-" + "y" * 30,
        "SLUICE_DATA_DIR": str(tmp_path),
        "SLUICE_DEBUG": "0",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--tag",
            "security",
            "--fail-level",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
