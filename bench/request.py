"""Benchmark: a Request → Compose → Response workflow against a bare Django view.

Run:  .venv/bin/python bench/request.py [--seconds 10] [--connections 16 64] [--repeat 1]

Starts, on embedded defaults (SQLite in a temporary data directory, Celery over
the filesystem transport), one uvicorn process serving Sluice plus a bare Django
view that does the same computation, and one Celery worker. Two workflows do
Request → Compose (`concat('Hello, ', …)`) → Response: one Stateless (runs inline
in the web process, one summary row), one Stateful (the run, its trigger history
and every action recorded; the web process drives the first turn itself, as
`sluice up` does). For each number of concurrent connections it prints
requests/s, p50/p99 latency and errors for the bare view, the stateless and the
stateful workflow, and the ratios to the bare view. Every response is checked.
The load comes from `bench/support/loadgen.py` (keep-alive HTTP/1.1 clients on
asyncio): httpx cost more client CPU than the server spent on a bare view.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import httpx  # noqa: E402

sys.path.insert(0, str(ROOT / "bench" / "support"))
import loadgen  # noqa: E402

PY = sys.executable


def definition(kind: str) -> dict:
    return {
        "definition": {
            "triggers": {
                "manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}
            },
            "actions": {
                "Greeting": {
                    "type": "Compose",
                    "inputs": "@concat('Hello, ', coalesce(triggerBody()?['name'], 'world'), '!')",
                },
                "Response": {
                    "type": "Response",
                    "inputs": {"statusCode": 200, "body": {"message": "@outputs('Greeting')"}},
                    "runAfter": {"Greeting": ["Succeeded"]},
                },
            },
        },
        "kind": kind,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip()


def prepare(env: dict, data: Path) -> dict[str, str]:
    print("==> migrating and creating the workflows", flush=True)
    manage(env, "migrate", "--verbosity", "0")
    for kind in ("Stateless", "Stateful"):
        path = data / f"greet-{kind.lower()}.json"
        path.write_text(json.dumps(definition(kind)))
        manage(env, "apply", str(path))
    return {kind: manage(env, "url", f"greet-{kind}") for kind in ("stateless", "stateful")}


def start(env: dict, port: int, web_workers: int) -> list[subprocess.Popen]:
    web_env = {
        **env,
        "PYTHONPATH": f"{ROOT}:{ROOT / 'bench' / 'support'}",
        "DJANGO_SETTINGS_MODULE": "request_site_settings",
    }
    web = [
        PY,
        "-m",
        "uvicorn",
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--workers",
        str(web_workers),
    ]
    worker = [PY, "-m", "celery", "-A", "config", "worker", "-c", "2", "-l", "WARNING"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT}
    return [subprocess.Popen(web, env=web_env, **quiet), subprocess.Popen(worker, env=env, **quiet)]


EXPECTED = {"message": "Hello, Ada!"}


def hammer(url: str, connections: int, seconds: float) -> dict:
    return asyncio.run(
        loadgen.hammer(
            url,
            connections,
            seconds,
            json.dumps({"name": "Ada"}).encode(),
            lambda status, body: status == 200 and json.loads(body) == EXPECTED,
        )
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds so far of process `pid` and every live process
    under it (a Celery worker's pool children), from /proc (Linux)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:13]))
    tree, grew = {pid}, True
    while grew:
        more = {p for p, (parent, _) in stats.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(stats[p][1] for p in tree if p in stats) / os.sysconf("SC_CLK_TCK")


def wait_ready(url: str) -> None:
    for _ in range(120):
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} never became ready")


def report(connections: int, rows: dict[str, dict]) -> None:
    bare = rows["bare view"]
    print(f"\n{connections} concurrent connections")
    print(
        f"{'target':<12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs bare':>8}"
        f" {'web CPU ms/req':>15} {'worker CPU ms/req':>18}"
    )
    for name, row in rows.items():
        ratio = row["rps"] / bare["rps"] if bare["rps"] else 0.0
        print(
            f"{name:<12} {row['rps']:>8.1f} {row['p50']:>8.1f} {row['p99']:>8.1f} "
            f"{row['errors']:>7} {ratio:>7.2f}× {row['cpu_ms']:>15.3f} {row['worker_ms']:>18.3f}"
        )


def median_rows(rounds: list[dict[str, dict]]) -> dict[str, dict]:
    """Per target, the median of each figure over the rounds (errors: summed)."""
    out: dict[str, dict] = {}
    for name in rounds[0]:
        figures = [r[name] for r in rounds]
        out[name] = {
            key: statistics.median(f[key] for f in figures)
            for key in ("rps", "p50", "p99", "cpu_ms", "worker_ms")
        }
        out[name]["errors"] = sum(f["errors"] for f in figures)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="load per target and step")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds over the three targets, interleaved; the table shows medians",
    )
    parser.add_argument(
        "--web-workers",
        type=int,
        default=1,
        help="uvicorn processes (like `sluice up --web-workers`)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sluice-bench-request-") as tmp:
        data = Path(tmp)
        port = free_port()
        env = {
            **os.environ,
            "SLUICE_DATA_DIR": str(data),
            "SLUICE_CELERY_EAGER": "0",
            "SLUICE_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "SLUICE_LOG_LEVEL": "WARNING",
        }
        for key in ("DATABASE_URL", "REDIS_URL"):
            env.pop(key, None)
        urls = prepare(env, data)
        processes = start(env, port, args.web_workers)
        try:
            wait_ready(f"http://127.0.0.1:{port}/healthz")
            targets = {
                "bare view": f"http://127.0.0.1:{port}/bench/bare",
                "stateless": urls["stateless"],
                "stateful": urls["stateful"],
            }
            hammer(targets["stateful"], 4, 2)  # warm up worker and caches
            for connections in args.connections:
                rounds: list[dict[str, dict]] = []
                for number in range(args.repeat):  # interleaved: a slow spell hits all three
                    rows = {}
                    for name, url in targets.items():
                        print(
                            f"==> round {number + 1}/{args.repeat}, {name}: "
                            f"{connections} connections for {args.seconds:g} s",
                            flush=True,
                        )
                        before = [cpu_seconds(p.pid) for p in processes]
                        rows[name] = hammer(url, connections, args.seconds)
                        time.sleep(0.5)  # what the worker does for these calls lands just after
                        spent = [
                            cpu_seconds(p.pid) - b for p, b in zip(processes, before, strict=True)
                        ]
                        calls = max(1, rows[name]["requests"] + rows[name]["errors"])
                        rows[name]["cpu_ms"] = spent[0] * 1000 / calls
                        rows[name]["worker_ms"] = spent[1] * 1000 / calls
                    rounds.append(rows)
                report(connections, median_rows(rounds))
                if args.repeat > 1:
                    ratios = {
                        name: ", ".join(
                            f"{r[name]['rps'] / r['bare view']['rps']:.2f}" for r in rounds
                        )
                        for name in targets
                        if name != "bare view"
                    }
                    print(
                        "ratio to bare, each round: "
                        + "; ".join(f"{k} {v}" for k, v in ratios.items())
                    )
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":
    main()
