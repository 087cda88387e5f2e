"""A lean closed-loop HTTP/1.1 load generator for the benchmarks.

httpx costs about a millisecond of client CPU per request, which on a 2-core
machine shared with the server caps what a benchmark can see (a bare Django view
measured 168 req/s through httpx and 222 req/s with this client on the same
server). This one writes a prepared request and parses only the status line,
`Content-Length` and the body, over one keep-alive connection per client.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from urllib.parse import urlsplit


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return int(status_line.split()[1]), await reader.readexactly(length)


async def hammer(
    url: str,
    connections: int,
    seconds: float,
    body: bytes,
    check: Callable[[int, bytes], bool],
) -> dict:
    """POST `body` to `url` from `connections` clients for `seconds`; each response
    passing `check(status, body)` counts as a success. Returns req/s, p50/p99 ms,
    errors and the number of requests."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = (
        f"POST {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    async def one_client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    writer.write(request)
                    status, payload = await _read_response(reader)
                    ok = check(status, payload)
                except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                    ok = False
                    writer.close()
                    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                latencies.append(time.perf_counter() - started)
                errors += not ok
        finally:
            writer.close()

    began = time.monotonic()
    await asyncio.gather(*(one_client() for _ in range(connections)))
    elapsed = time.monotonic() - began
    latencies.sort()

    def pick(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {
        "rps": len(latencies) / elapsed,
        "p50": pick(0.50),
        "p99": pick(0.99),
        "errors": errors,
        "requests": len(latencies),
    }
