"""Serving Django's WSGI handler from uvicorn with one thread hand-off per request.

a2wsgi runs the WSGI app on a thread pool, but every step that touches the socket
crosses back to the event loop and waits there: reading the request body, the
response start, each body chunk and the end — five round trips between threads
for a small JSON request, each a wake-up of the loop while sixteen other
requests compete for it. Under load that hand-off machinery cost more CPU than
the view (`bench/request.py`: a bare view took ~0.6 ms of server CPU, of which
Django's part was ~0.1 ms).

`BufferedWSGI` does the common case in one hand-off: the loop reads a request
body of up to `BUFFER_BYTES` first, the view runs on the pool with it in
memory, a non-streaming response comes back whole, and the loop sends it. What
does not fit goes through a2wsgi as before, so nothing is held in memory that
was not before:

* a request body over `BUFFER_BYTES` (the part read so far is replayed to it);
* a streaming response (`StreamingHttpResponse`, `FileResponse`, WhiteNoise's
  static files): sent chunk by chunk from the view's thread, as a2wsgi does.

The response's `close()` (Django's `request_finished`: database connection
upkeep) runs on the thread that ran the view, as with any WSGI server.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
from itertools import chain
from typing import Any

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi import build_environ

BUFFER_BYTES = 1024 * 1024


class BufferedWSGI:
    def __init__(self, app: Any, workers: int) -> None:
        self.app = app
        self.fallback = WSGIMiddleware(app, workers=workers)
        self.executor = self.fallback.executor  # one pool for both paths

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.fallback(scope, receive, send)
        body, more, first = bytearray(), True, []
        while more and len(body) <= BUFFER_BYTES:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            first.append(message)
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if more:  # a large upload: stream it through a2wsgi, replaying what was read
            return await self.fallback(scope, _replay(first, receive), send)
        loop = asyncio.get_running_loop()
        environ = build_environ(scope, io.BytesIO(bytes(body)))  # type: ignore[arg-type]
        context = contextvars.copy_context()
        answer = await loop.run_in_executor(
            self.executor, context.run, self._run, environ, loop, send
        )
        if answer is None:  # streamed from the view's thread
            return
        start, content = answer
        await send(start)
        await send({"type": "http.response.body", "body": content})

    def _run(self, environ: dict, loop: asyncio.AbstractEventLoop, send: Any):
        """On a pool thread: the response as (start message, body), or None once a
        streaming response has been sent chunk by chunk from here."""
        started: list[dict] = []
        written: list[bytes] = []

        def start_response(status: str, headers: list, exc_info: Any = None):
            code = int(status.split(" ", 1)[0])
            encoded = [
                (name.strip().lower().encode("latin1"), value.strip().encode("latin1"))
                for name, value in headers
            ]
            started[:] = [{"type": "http.response.start", "status": code, "headers": encoded}]
            return written.append  # the WSGI write() callable

        iterable = self.app(environ, start_response)
        try:
            if not getattr(iterable, "streaming", False):
                return started[0], b"".join([*written, *iterable])

            def put(message: dict) -> None:
                asyncio.run_coroutine_threadsafe(send(message), loop).result()

            put(started[0])
            for chunk in chain(written, iterable):
                if chunk:
                    put({"type": "http.response.body", "body": chunk, "more_body": True})
            put({"type": "http.response.body", "body": b""})
            return None
        finally:
            getattr(iterable, "close", lambda: None)()


def _replay(messages: list[dict], receive: Any):
    pending = list(messages)

    async def replayed() -> dict:
        return pending.pop(0) if pending else await receive()

    return replayed
