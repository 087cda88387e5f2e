"""The trigger front door (`workflows/frontdoor.py`): trigger URLs skip the
middleware chain, everything else goes to Django's handler, and a trigger call
keeps what the chain gave it that matters (headers, host check, errors, signals).
The trigger endpoint's own behaviour runs through both doors in
`tests/api/test_callback.py` and `tests/api/test_stateless_serving.py`."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.signals import request_finished, request_started
from django.test import Client, override_settings

from accounts.models import Role
from tests.api.helpers import hello, make_user
from tests.deployed_client import DeployedClient
from workflows import callback, frontdoor
from workflows.api import saving
from workflows.models import Run

pytestmark = pytest.mark.django_db(transaction=True)

CHAIN_MARK = "X-Went-Through-The-Chain"


class MarkingMiddleware:
    """A project middleware: stamps every response that passes the chain."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response[CHAIN_MARK] = "yes"
        return response


def _url(kind: str = "Stateless", name: str = "door") -> str:
    user = make_user(f"author-{name}", Role.EDITOR)
    workflow, _ = saving.save(name, {"definition": hello(200), "kind": kind}, user)
    parts = urlsplit(callback.callback_url(workflow, "manual"))
    return f"{parts.path}?{parts.query}"


def _marked_settings(**more):
    from django.conf import settings

    return override_settings(
        MIDDLEWARE=[*settings.MIDDLEWARE, "tests.test_frontdoor.MarkingMiddleware"], **more
    )


@pytest.mark.parametrize("kind", ["Stateless", "Stateful"])
def test_a_trigger_call_skips_the_chain_and_answers_like_it(kind):
    url = _url(kind)
    with _marked_settings():
        deployed = DeployedClient().post(url, {"a": 1}, content_type="application/json")
        chained = Client().post(url, {"a": 1}, content_type="application/json")
    assert deployed.status_code == chained.status_code == 200
    assert deployed.json() == chained.json() == {"a": 1}
    assert CHAIN_MARK not in deployed and chained[CHAIN_MARK] == "yes"
    same = {"Content-Type", "Content-Length", "X-Frame-Options", "X-Content-Type-Options"}
    same |= {"Referrer-Policy", "Cross-Origin-Opener-Policy"}
    for name in same:
        assert deployed[name] == chained[name], name
    assert deployed["Content-Length"] == str(len(deployed.content))
    recorded = Run.objects.filter(pk=deployed["x-ms-workflow-run-id"]).exists()
    assert recorded == (kind == "Stateful")  # a stateless success leaves no history


def test_other_paths_go_through_the_chain():
    with _marked_settings():
        response = DeployedClient().get("/healthz")
    assert response.status_code == 200
    assert response[CHAIN_MARK] == "yes"


def test_the_setting_sends_trigger_calls_through_the_chain():
    url = _url()
    with _marked_settings(SLUICE_TRIGGER_FRONT_DOOR=False):
        response = DeployedClient().post(url, {"a": 1}, content_type="application/json")
    assert response.status_code == 200
    assert response[CHAIN_MARK] == "yes"


def test_a_host_not_allowed_is_refused_before_anything_runs():
    url = _url()
    with override_settings(ALLOWED_HOSTS=["sluice.example"]):
        response = DeployedClient().post(
            url, {"a": 1}, content_type="application/json", HTTP_HOST="evil.example"
        )
    assert response.status_code == 400
    assert not Run.objects.exists()


def test_a_wrong_signature_is_still_a_401():
    url = _url().replace("sig=", "sig=x")
    response = DeployedClient().post(url, {"a": 1}, content_type="application/json")
    assert response.status_code == 401
    assert not Run.objects.exists()


def test_an_unexpected_error_becomes_djangos_500_and_the_signals_fire(monkeypatch):
    url = _url()
    seen: list[str] = []

    def boom(request, **kwargs):
        raise RuntimeError("the view broke")

    started = lambda **kw: seen.append("started")  # noqa: E731
    finished = lambda **kw: seen.append("finished")  # noqa: E731
    request_started.connect(started)
    request_finished.connect(finished)
    monkeypatch.setattr(callback, "respond", boom)
    try:
        response = DeployedClient().post(url, {"a": 1}, content_type="application/json")
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert response.status_code == 500
    assert seen == ["started", "finished"]


def test_a_path_that_only_looks_like_a_trigger_url_is_djangos():
    for path in ("/api/w/triggers/t/invoke/", "/api/w/x/triggers/t/invoke", "/api/w/triggers/t"):
        assert frontdoor.INVOKE.fullmatch(path) is None
    match = frontdoor.INVOKE.fullmatch("/api/w/triggers/t/invoke/customers/42")
    assert match is not None and match["relative_path"] == "customers/42"
    assert DeployedClient().post("/api/w/triggers/t/invoke/").status_code == 404


def test_the_deployed_applications_have_the_front_door():
    from config import asgi, wsgi

    assert isinstance(wsgi.application, frontdoor.FrontDoor)
    assert isinstance(asgi.django_wsgi.app, frontdoor.FrontDoor)


def test_a_door_that_saw_a_good_host_still_refuses_a_bad_one():
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    url = _url()
    with override_settings(ALLOWED_HOSTS=["sluice.example"]):
        door = frontdoor.FrontDoor(WSGIHandler())
        statuses = []
        for host in ("sluice.example", "evil.example", "sluice.example", "evil.example"):
            environ = RequestFactory().post(url, HTTP_HOST=host).environ
            result = door(environ, lambda status, headers: statuses.append(status[:3]))
            result.close()
    assert statuses == ["200", "400", "200", "400"]


def _replying(headers: dict, name: str) -> str:
    definition = hello(200)
    definition["actions"]["Response"]["inputs"]["headers"] = headers
    user = make_user(f"author-{name}", Role.EDITOR)
    workflow, _ = saving.save(name, {"definition": definition, "kind": "Stateless"}, user)
    parts = urlsplit(callback.callback_url(workflow, "manual"))
    return f"{parts.path}?{parts.query}"


def test_response_headers_are_sent_as_django_would_send_them():
    url = _replying(
        {"X-Name": "Jürgen ✓", "X-Frame-Options": "SAMEORIGIN", "Content-Type": "text/csv"}, "h"
    )
    deployed = DeployedClient().post(url, {"a": 1}, content_type="application/json")
    chained = Client().post(url, {"a": 1}, content_type="application/json")
    assert deployed.status_code == chained.status_code == 200
    for name in ("X-Name", "X-Frame-Options", "Content-Type", "X-Content-Type-Options"):
        assert deployed[name] == chained[name], name
    assert deployed["X-Frame-Options"] == "SAMEORIGIN"  # the workflow's own, not DENY
    assert deployed["X-Name"].startswith("=?utf-8?")  # MIME-encoded, as Django does
    names = [name.lower() for name, _ in deployed.wire_headers]
    assert len(names) == len(set(names))  # each header once


def test_a_line_break_in_a_response_header_is_refused_by_both_doors():
    url = _replying({"X-Evil": "a\r\nSet-Cookie: x=1"}, "evil")
    deployed = DeployedClient().post(url, {"a": 1}, content_type="application/json")
    assert deployed.status_code == 500
    assert "Set-Cookie" not in deployed
    with pytest.raises(Exception, match="newline"):
        Client().post(url, {"a": 1}, content_type="application/json")


@pytest.fixture
def finished_sends(monkeypatch):
    """Each `request_finished.send` the front door makes (the signal's receivers
    stay as they are: which ones listen decides whether it is sent)."""
    sent: list[object] = []
    real = request_finished.send

    def spy(sender, **kwargs):
        sent.append(sender)
        return real(sender, **kwargs)

    monkeypatch.setattr(request_finished, "send", spy)
    return sent


def test_request_finished_is_left_out_when_a_call_made_no_cursor(finished_sends):
    url = _url()
    DeployedClient().post(url, {"a": 1}, content_type="application/json")  # reads the workflow
    assert len(finished_sends) == 1
    response = DeployedClient().post(url, {"a": 2}, content_type="application/json")
    assert response.json() == {"a": 2}  # served from memory: no cursor, nothing to upkeep
    assert len(finished_sends) == 1
    callback.forget_workflows()
    DeployedClient().post(url, {"a": 3}, content_type="application/json")  # reads it again
    assert len(finished_sends) == 2


def test_request_finished_is_sent_after_a_stateful_call(finished_sends):
    url = _url("Stateful", "kept")
    for n in range(2):
        response = DeployedClient().post(url, {"a": n}, content_type="application/json")
        assert response.json() == {"a": n}
    assert len(finished_sends) == 2  # each wrote its run


@pytest.mark.parametrize("signal", [request_started, request_finished])
def test_the_signals_are_sent_when_anything_else_listens(signal):
    url = _url()
    heard = []

    def listener(**kwargs):
        heard.append(kwargs)

    signal.connect(listener)
    try:
        for n in range(2):
            DeployedClient().post(url, {"a": n}, content_type="application/json")
    finally:
        signal.disconnect(listener)
    assert len(heard) == 2
    if signal is request_started:
        assert [kw["environ"]["PATH_INFO"] for kw in heard] == [urlsplit(url).path] * 2


def test_request_started_upkeep_runs_without_the_signal_when_only_django_listens(monkeypatch):
    """With only Django's `reset_queries` and `close_old_connections` listening,
    the door does their work itself: a connection past its `CONN_MAX_AGE` is
    closed before the call and its query log emptied."""
    import time

    from django.db import connection

    url = _url()
    DeployedClient().post(url, {"a": 0}, content_type="application/json")
    sends = []
    monkeypatch.setattr(request_started, "send", lambda *a, **kw: sends.append(a))
    connection.ensure_connection()
    connection.queries_log.append({"sql": "SELECT 1", "time": "0.000"})
    monkeypatch.setattr(connection, "close_at", time.monotonic() - 1)  # obsolete
    closed = []
    real_close = connection.close
    monkeypatch.setattr(connection, "close", lambda: (closed.append(1), real_close()))
    response = DeployedClient().post(url, {"a": 1}, content_type="application/json")
    assert response.json() == {"a": 1}
    assert sends == []  # the signal itself was not needed
    assert closed == [1]
    assert len(connection.queries_log) == 0
