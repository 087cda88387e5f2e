"""Benchmark: Service Bus throughput through the real SDK over AMQP, next to the
same work through the HTTP data plane, in the same run and on the same broker.

    .venv/bin/python bench/amqp.py [--messages 500] [--batch 50]

Starts `sluice amqp` and the web server (uvicorn) on free ports over a throwaway
SQLite data directory, then measures messages/s for:

* send, one message per call      SDK `send_messages(msg)`   vs  `POST /{queue}/messages`
* send, batches of --batch        SDK `send_messages([...])` vs  `POST` with a JSON batch
* receive + complete (peek-lock)  SDK `receive_messages` + `complete_message`
                                  vs  `POST …/messages/head` + `DELETE` its Location

and prints each pair with the AMQP/HTTP ratio (> 1 means AMQP is faster).

Name clash: when another script in bench/ runs, bench/ is first on `sys.path`, so
this file would shadow the `amqp` library that kombu/Celery import. Imported under
that name (not run), it therefore hands the real library over (`_hand_over`), and
its own heavy imports (httpx, azure) happen inside functions.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


def _hand_over() -> None:
    """Replace this module in `sys.modules` by the library it shadows."""
    here = Path(__file__).resolve().parent
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    del sys.modules[__name__]
    try:
        sys.modules[__name__] = importlib.import_module(__name__)
    finally:
        sys.path[:] = saved


if __name__ == "amqp":
    _hand_over()

ROOT = Path(__file__).resolve().parent.parent
QUEUES = ("bench-amqp-1", "bench-amqp-n", "bench-http-1", "bench-http-n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def setup(env: dict) -> None:
    manage(env, "migrate", "--verbosity", "0")
    script = "from broker.services import entities as e; ns = e.get_namespace(); " + "; ".join(
        f"e.create_queue(ns, {q!r})" for q in QUEUES
    )
    manage(env, "shell", "-c", script)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def amqp_send(conn_str: str, queue: str, count: int, batch: int) -> float:
    from azure.servicebus import ServiceBusClient, ServiceBusMessage

    with (
        ServiceBusClient.from_connection_string(conn_str) as sb,
        sb.get_queue_sender(queue) as sender,
    ):
        sender.send_messages(ServiceBusMessage("warm-up"))
        started = time.perf_counter()
        for i in range(0, count, batch):
            chunk = [ServiceBusMessage(f"m-{j}") for j in range(i, min(i + batch, count))]
            sender.send_messages(chunk[0] if batch == 1 else chunk)
        return rate(count, time.perf_counter() - started)


def amqp_receive(conn_str: str, queue: str, count: int) -> float:
    from azure.servicebus import ServiceBusClient

    with (
        ServiceBusClient.from_connection_string(conn_str) as sb,
        sb.get_queue_receiver(queue) as receiver,
    ):
        done = 0
        started = time.perf_counter()
        while done < count + 1:
            got = receiver.receive_messages(max_message_count=50, max_wait_time=5)
            if not got:
                break
            for message in got:
                receiver.complete_message(message)
            done += len(got)
        return rate(done, time.perf_counter() - started)


def http_send(client: httpx.Client, queue: str, count: int, batch: int) -> float:
    client.post(f"/{queue}/messages", content=b"warm-up").raise_for_status()
    started = time.perf_counter()
    for i in range(0, count, batch):
        if batch == 1:
            client.post(f"/{queue}/messages", content=f"m-{i}".encode()).raise_for_status()
            continue
        items = [{"Body": f"m-{j}"} for j in range(i, min(i + batch, count))]
        client.post(
            f"/{queue}/messages",
            content=json.dumps(items),
            headers={"Content-Type": "application/vnd.microsoft.servicebus.json"},
        ).raise_for_status()
    return rate(count, time.perf_counter() - started)


def http_receive(client: httpx.Client, queue: str, count: int) -> float:
    done = 0
    started = time.perf_counter()
    while done < count + 1:
        head = client.post(f"/{queue}/messages/head", params={"timeout": 1})
        if head.status_code == 204:
            break
        head.raise_for_status()
        client.delete(head.headers["Location"]).raise_for_status()
        done += 1
    return rate(done, time.perf_counter() - started)


def start_servers(env: dict, amqp_port: int, http_port: int, log) -> list[subprocess.Popen]:
    amqp = [sys.executable, str(ROOT / "manage.py"), "amqp", "--port", str(amqp_port)]
    web = [
        sys.executable,
        "-m",
        "uvicorn",
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(http_port),
        "--log-level",
        "warning",
    ]
    servers = [
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for cmd in (amqp, web)
    ]
    wait_for_port(amqp_port, time.monotonic() + 60)
    wait_for_port(http_port, time.monotonic() + 60)
    return servers


def measure(conn_str: str, client: httpx.Client, n: int, batch: int) -> list[tuple]:
    return [
        (
            "send, 1 per call",
            amqp_send(conn_str, "bench-amqp-1", n, 1),
            http_send(client, "bench-http-1", n, 1),
        ),
        (
            f"send, batches of {batch}",
            amqp_send(conn_str, "bench-amqp-n", n, batch),
            http_send(client, "bench-http-n", n, batch),
        ),
        (
            "receive + complete",
            amqp_receive(conn_str, "bench-amqp-1", n),
            http_receive(client, "bench-http-1", n),
        ),
    ]


def report(rows: list[tuple], n: int) -> None:
    print(f"Service Bus queue, {n} messages, SQLite, one client, same run")
    print(f"{'operation':<26}{'AMQP msg/s':>12}{'HTTP msg/s':>12}{'AMQP/HTTP':>11}")
    for name, amqp, http in rows:
        print(f"{name:<26}{amqp:>12.0f}{http:>12.0f}{amqp / http:>10.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    if args.messages < 1 or args.batch < 1:
        parser.error("--messages and --batch must be positive")
    data_dir = tempfile.mkdtemp(prefix="sluice-bench-amqp-")
    env = {
        **os.environ,
        "SLUICE_DATA_DIR": data_dir,
        "SLUICE_CELERY_EAGER": "1",
        "SLUICE_HTTP_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("DATABASE_URL", None)
    setup(env)
    amqp_port, http_port = free_port(), free_port()
    with open(Path(data_dir) / "servers.log", "w") as log:
        servers = start_servers(env, amqp_port, http_port, log)
        try:
            conn_str = manage(env, "amqp", "connection-string", "--port", str(amqp_port)).strip()
            key = conn_str.split("SharedAccessKey=")[1].split(";")[0]
            import httpx

            client = httpx.Client(
                base_url=f"http://127.0.0.1:{http_port}",
                headers={"Authorization": f"SharedAccessKey {key}"},
                timeout=30,
            )
            report(measure(conn_str, client, args.messages, args.batch), args.messages)
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=15)


if __name__ == "__main__":
    main()
