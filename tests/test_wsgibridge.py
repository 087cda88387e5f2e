"""config/wsgibridge.py: a WSGI app served over ASGI with one thread hand-off for
small requests and whole responses, and a2wsgi's streaming for the rest."""

from __future__ import annotations

import asyncio
import threading

import pytest

from config import wsgibridge
from config.wsgibridge import BufferedWSGI


class Streamed:
    """A response iterable as Django's StreamingHttpResponse presents itself."""

    streaming = True

    def __init__(self, chunks: list[bytes], log: list) -> None:
        self.chunks, self.log = chunks, log

    def __iter__(self):
        for chunk in self.chunks:
            self.log.append(("chunk", threading.get_ident()))
            yield chunk

    def close(self) -> None:
        self.log.append(("close", threading.get_ident()))


class Whole(list):
    """A non-streaming response iterable (Django's HttpResponse has `streaming = False`)."""

    streaming = False

    def __init__(self, chunks: list[bytes], log: list) -> None:
        super().__init__(chunks)
        self.log = log

    def close(self) -> None:
        self.log.append(("close", threading.get_ident()))


def app_for(log: list, *, stream: bool = False):
    def app(environ, start_response):
        log.append(("app", threading.get_ident()))
        body = environ["wsgi.input"].read()
        write = start_response("201 Created", [("Content-Type", "text/plain"), ("X-Len", "%d")])
        write(b"[")  # the WSGI write() callable comes first
        chunks = [body[:3], body[3:], b"]"]
        return Streamed(chunks, log) if stream else Whole(chunks, log)

    return app


def serve(app, parts: list[bytes], *, disconnect: bool = False) -> list[dict]:
    """Drive the bridge like a server: the request body in `parts`, the messages sent."""
    messages = [
        {"type": "http.request", "body": part, "more_body": n < len(parts) - 1}
        for n, part in enumerate(parts)
    ]
    if disconnect:
        messages = [{"type": "http.disconnect"}]
    sent: list[dict] = []

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/x",
        "raw_path": b"/x",
        "query_string": b"a=1",
        "root_path": "",
        "headers": [(b"content-type", b"text/plain")],
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
    }
    bridge = BufferedWSGI(app, workers=2)
    # a thread of its own, as uvicorn's loop would be (and free of any loop another
    # test left running in this one)
    server = threading.Thread(target=asyncio.run, args=(bridge(scope, receive, send),))
    server.start()
    server.join(30)
    assert not server.is_alive()
    return sent


def body_of(sent: list[dict]) -> bytes:
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_a_small_request_is_one_hand_off_and_one_whole_response() -> None:
    log: list = []
    sent = serve(app_for(log), [b"hel", b"lo"])
    assert sent[0] == {
        "type": "http.response.start",
        "status": 201,
        "headers": [(b"content-type", b"text/plain"), (b"x-len", b"%d")],
    }
    assert sent[1:] == [{"type": "http.response.body", "body": b"[hello]"}]
    (_, app_thread), (_, close_thread) = log
    assert close_thread == app_thread != threading.get_ident()  # closed where it ran


def test_a_large_upload_streams_through_a2wsgi_with_nothing_lost(monkeypatch) -> None:
    monkeypatch.setattr(wsgibridge, "BUFFER_BYTES", 4)
    log: list = []
    sent = serve(app_for(log), [b"abc", b"defg", b"hij"])
    assert sent[0]["status"] == 201
    assert body_of(sent) == b"[abcdefghij]"


@pytest.mark.parametrize("parts", [[b"hello"], [b"he", b"llo"]])
def test_a_streaming_response_is_sent_chunk_by_chunk_from_the_views_thread(parts) -> None:
    log: list = []
    sent = serve(app_for(log, stream=True), parts)
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    assert [m["body"] for m in bodies] == [b"[", b"hel", b"lo", b"]", b""]
    assert all(m["more_body"] for m in bodies[:-1]) and not bodies[-1].get("more_body")
    threads = {thread for _, thread in log}
    assert len(threads) == 1 and threading.get_ident() not in threads
    assert log[-1][0] == "close"


def test_a_client_gone_before_its_body_arrived_gets_nothing() -> None:
    log: list = []
    assert serve(app_for(log), [], disconnect=True) == []
    assert log == []  # the view never ran
