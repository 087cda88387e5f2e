#!/usr/bin/env python3
"""Start the production topology from plain processes: N web (uvicorn), N Celery
workers and N schedulers (optionally the AMQP listener) against a fresh
PostgreSQL database and a Redis database index, on free ports of 127.0.0.1.

Why: Docker is not always there (CI, this machine), and the fault tests need to
kill, stop and restart single processes. The same class is the pytest fixture of
`tests/production/` and the engine of `bench/load.py`.

    .venv/bin/python scripts/topology.py --web 2 --workers 2 --schedulers 2

Each process runs in its own session (so SIGKILL of a worker's process group
takes its pool children too); logs go to `<data dir>/logs/<name>.log`. Health
waits: web answers `/readyz` with 200, a worker answers a Celery control ping,
a scheduler printed its first line. Ctrl+C (SIGINT/SIGTERM) or leaving the
`with` block stops everything and drops the database (unless `--keep`).

The database is created from a migrated template (`sluice_topology_tpl_<hash of
the migration files>`), so a second topology starts in a second instead of
re-running every migration.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("SLUICE_TOPOLOGY_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE = os.environ.get("SLUICE_TOPOLOGY_REDIS", "redis://127.0.0.1:6379")
ROLES = ("web", "worker", "scheduler", "amqp")


class TopologyError(RuntimeError):
    """A process did not come up, or a server the topology needs is missing."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def require_servers() -> None:
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379)):
        if not port_open(port):
            raise TopologyError(
                f"{name} is not listening on 127.0.0.1:{port} (run scripts/ensure-services.sh)"
            )


# ---------------------------------------------------------------- database
def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return row is not None


def migrations_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_database(env: dict[str, str], say: Callable[[str], None]) -> str:
    """A migrated database to copy from, made once per set of migrations."""
    name = f"sluice_topology_tpl_{migrations_hash()}"
    if _database_exists(name):
        return name
    building = f"{name}_build_{uuid.uuid4().hex[:6]}"
    say(f"migrating a template database {name} (once per set of migrations)")
    _admin(f'CREATE DATABASE "{building}"')
    try:
        migrate_env = {**env, "DATABASE_URL": f"{PG_ADMIN.rsplit('/', 1)[0]}/{building}"}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "--skip-checks", "-v", "0"],
            cwd=ROOT,
            env=migrate_env,
            check=True,
            capture_output=True,
            timeout=600,
        )
        if not _database_exists(name):
            _admin(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
            return name
    except subprocess.CalledProcessError as exc:
        raise TopologyError(f"migrate failed:\n{exc.stderr.decode()[-3000:]}") from exc
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
    return name


# ---------------------------------------------------------------- processes
@dataclass
class Proc:
    """One child process of the topology."""

    role: str
    index: int
    command: list[str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.role}{self.index}"

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@dataclass
class Topology:
    """N web, N worker and N scheduler processes against PostgreSQL + Redis.

    Use as a context manager (`with Topology(...) as top:`) or call `start()` and
    `stop()`. `env` is the environment every child gets; `url` the first web
    process; `database_url` the fresh database.
    """

    web: int = 2
    workers: int = 2
    schedulers: int = 2
    amqp: bool = False
    concurrency: int = 2
    lease_seconds: float = 120
    extra_env: dict[str, str] = field(default_factory=dict)
    data_dir: Path | None = None
    keep: bool = False
    quiet: bool = False
    processes: list[Proc] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.id = uuid.uuid4().hex[:8]
        self.database = f"sluice_topology_{self.id}"
        self.redis_db = 1 + int(uuid.uuid4().int % 15)
        self.queue = f"sluice-topology-{self.id}"
        self._own_data_dir = self.data_dir is None
        self.data_dir = Path(self.data_dir or tempfile.mkdtemp(prefix="sluice-topology-"))
        self.database_url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{self.database}"
        self.redis_url = f"{REDIS_BASE}/{self.redis_db}"
        self.env = self._environment()
        self._database_created = False

    # ------------------------------------------------------------ set-up
    def _environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SLUICE_", "DJANGO_", "CELERY_")) and key != "DATABASE_URL"
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "PYTHONPATH": str(ROOT),
                "PYTHONUNBUFFERED": "1",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "SLUICE_DATA_DIR": str(self.data_dir),
                "SLUICE_CELERY_EAGER": "0",
                "SLUICE_CELERY_QUEUE": self.queue,
                "SLUICE_HTTP_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SLUICE_RUN_LEASE_SECONDS": str(self.lease_seconds),
                "SLUICE_LOG_LEVEL": "WARNING",
                "SLUICE_LOG_FORMAT": "plain",
                "SLUICE_METRICS_PUBLIC": "1",
                "SECRET_KEY": f"topology-{self.id}-" + uuid.uuid4().hex * 2,
            }
        )
        env.update(self.extra_env)
        return env

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"[topology] {message}", flush=True)

    def _plan(self) -> None:
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for i in range(self.web):
            port = free_port()
            command = [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--timeout-graceful-shutdown",
                "30",
                "--log-level",
                "warning",
            ]
            self.processes.append(Proc("web", i, command, logs / f"web{i}.log", port))
        for i in range(self.workers):
            self.processes.append(
                Proc("worker", i, self.worker_command(i), logs / f"worker{i}.log")
            )
        for i in range(self.schedulers):
            command = [sys.executable, "manage.py", "scheduler"]
            self.processes.append(Proc("scheduler", i, command, logs / f"scheduler{i}.log"))
        if self.amqp:
            port = free_port()
            command = [sys.executable, "manage.py", "amqp", "serve", "--port", str(port)]
            self.processes.append(Proc("amqp", 0, command, logs / "amqp0.log", port))

    def worker_command(self, index: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "INFO",
            "-c",
            str(self.concurrency),
            "-n",
            f"{self.worker_name(index)}",
            "--without-gossip",
            "--without-mingle",
            "--max-tasks-per-child",
            "1000",
        ]

    def worker_name(self, index: int) -> str:
        return f"w{index}-{self.id}@127.0.0.1"

    def start(self) -> Topology:
        require_servers()
        started = time.monotonic()
        template = template_database(self.env, self.say)
        _admin(f'CREATE DATABASE "{self.database}" TEMPLATE "{template}"')
        self._database_created = True
        self.say(f"database {self.database}, redis db {self.redis_db}, queue {self.queue}")
        self._plan()
        for proc in self.processes:
            self._spawn(proc)
        for proc in self.processes:
            self.wait_healthy(proc)
        self.say(
            f"up in {time.monotonic() - started:.1f} s: "
            + ", ".join(
                f"{p.name}(pid {p.pid}{f', :{p.port}' if p.port else ''})" for p in self.processes
            )
        )
        return self

    def _spawn(self, proc: Proc) -> None:
        self.say(f"starting {proc.name}")
        with proc.log.open("a") as log:
            proc.popen = subprocess.Popen(
                proc.command,
                cwd=ROOT,
                env={**self.env, **proc.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    # ------------------------------------------------------------ health
    def wait_healthy(self, proc: Proc, timeout: float = 60) -> None:
        check = {
            "web": self._web_ready,
            "worker": self._worker_ready,
            "scheduler": self._scheduler_ready,
            "amqp": self._amqp_ready,
        }[proc.role]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not proc.alive():
                raise TopologyError(
                    f"{proc.name} exited with code {proc.popen.returncode}:\n{proc.log_tail()}"
                )
            if check(proc):
                self.say(f"{proc.name} is healthy")
                return
            time.sleep(0.2)
        raise TopologyError(f"{proc.name} not healthy within {timeout:g} s:\n{proc.log_tail()}")

    def _web_ready(self, proc: Proc) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{proc.port}/readyz", timeout=2) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _worker_ready(self, proc: Proc) -> bool:
        return self.ping_worker(proc.index, timeout=1.0)

    def _scheduler_ready(self, proc: Proc) -> bool:
        return "scheduler: ticking" in proc.log_tail(100_000)

    def _amqp_ready(self, proc: Proc) -> bool:
        return port_open(proc.port)

    def ping_worker(self, index: int, timeout: float = 1.0) -> bool:
        from celery import Celery

        app = Celery(broker=self.redis_url)
        try:
            replies = app.control.ping(destination=[self.worker_name(index)], timeout=timeout)
        except Exception:
            return False
        finally:
            app.close()
        return any(self.worker_name(index) in reply for reply in replies)

    # ------------------------------------------------------------ control
    def of(self, role: str) -> list[Proc]:
        return [p for p in self.processes if p.role == role]

    def proc(self, role: str, index: int = 0) -> Proc:
        return self.of(role)[index]

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p.port}" for p in self.of("web")]

    @property
    def url(self) -> str:
        return self.urls[0]

    def signal(self, proc: Proc, sig: int, group: bool = True) -> None:
        """Send `sig` to the process (and, by default, its whole process group)."""
        if not proc.alive():
            return
        try:
            if group:
                os.killpg(proc.pid, sig)
            else:
                os.kill(proc.pid, sig)
        except ProcessLookupError:
            pass

    def kill(self, proc: Proc) -> None:
        self.signal(proc, signal.SIGKILL)
        proc.popen.wait(timeout=10)
        self.say(f"killed {proc.name} (SIGKILL)")

    def restart(self, proc: Proc, wait: bool = True) -> None:
        if proc.alive():
            self.stop_process(proc)
        self._spawn(proc)
        if wait:
            self.wait_healthy(proc)

    def ensure_running(self) -> None:
        """Restart whatever died or was stopped (between fault tests)."""
        for proc in self.processes:
            if not proc.alive():
                self.restart(proc)

    def stop_process(self, proc: Proc, timeout: float = 30) -> int | None:
        if not proc.alive():
            return proc.popen.returncode if proc.popen else None
        self.signal(proc, signal.SIGTERM, group=False)
        try:
            return proc.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(proc, signal.SIGKILL)
            return proc.popen.wait(timeout=10)

    def add_worker(self) -> Proc:
        index = len(self.of("worker"))
        log = self.data_dir / "logs" / f"worker{index}.log"
        proc = Proc("worker", index, self.worker_command(index), log)
        self.processes.append(proc)
        self._spawn(proc)
        self.wait_healthy(proc)
        return proc

    def stop(self) -> None:
        self.say("stopping")
        for proc in self.processes:
            if proc.alive():
                self.signal(proc, signal.SIGTERM, group=False)
        deadline = time.monotonic() + 30
        for proc in self.processes:
            if proc.popen is None:
                continue
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.signal(proc, signal.SIGKILL)
                proc.popen.wait(timeout=10)
            # pool children left behind by a killed parent
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        self._clean_up()
        self.say("stopped")

    def _clean_up(self) -> None:
        if self.keep:
            self.say(f"kept database {self.database} and {self.data_dir}")
            return
        try:
            import redis

            redis.Redis.from_url(self.redis_url).delete(self.queue)
        except Exception as exc:
            self.say(f"could not clear the Redis queue: {exc}")
        if self._database_created:
            _admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        if self._own_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # ------------------------------------------------------------ helpers
    def manage(self, *args: str, check: bool = True, timeout: float = 120) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise TopologyError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def __enter__(self) -> Topology:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def running(**options) -> Iterator[Topology]:
    with Topology(**options) as topology:
        yield topology


# ---------------------------------------------------------------- command line
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Start Sluice's production topology (web, Celery workers, schedulers) from plain "
            "processes against a fresh PostgreSQL database and a Redis db index on 127.0.0.1. "
            "Ctrl+C stops everything and drops the database."
        )
    )
    parser.add_argument("--web", type=int, default=2, help="web processes (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (2)")
    parser.add_argument("--schedulers", type=int, default=2, help="scheduler processes (2)")
    parser.add_argument("--concurrency", type=int, default=2, help="tasks per worker (2)")
    parser.add_argument("--amqp", action="store_true", help="also start the AMQP listener")
    parser.add_argument("--lease-seconds", type=float, default=120, help="run lease (120)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and data dir on exit"
    )
    args = parser.parse_args(argv)
    for name in ("web", "workers", "schedulers", "concurrency"):
        if getattr(args, name) < (1 if name in ("web", "concurrency") else 0):
            parser.error(f"--{name} must be at least {1 if name in ('web', 'concurrency') else 0}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    topology = Topology(
        web=args.web,
        workers=args.workers,
        schedulers=args.schedulers,
        amqp=args.amqp,
        concurrency=args.concurrency,
        lease_seconds=args.lease_seconds,
        keep=args.keep,
    )
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(signal.SIGTERM))
    try:
        topology.start()
        print(f"[topology] web: {' '.join(topology.urls)}", flush=True)
        print(f"[topology] DATABASE_URL={topology.database_url}", flush=True)
        print(f"[topology] REDIS_URL={topology.redis_url}", flush=True)
        print(f"[topology] SLUICE_CELERY_QUEUE={topology.queue}", flush=True)
        print(f"[topology] logs: {topology.data_dir / 'logs'}; Ctrl+C stops", flush=True)
        while not stopping:
            dead = [p for p in topology.processes if not p.alive()]
            if dead:
                print(f"[topology] {dead[0].name} exited; stopping the rest", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    except KeyboardInterrupt:
        return 0
    except TopologyError as exc:
        print(f"[topology] error: {exc}", file=sys.stderr)
        return 1
    finally:
        topology.stop()


if __name__ == "__main__":
    sys.exit(main())
