"""The trigger front door: signed trigger URLs served without the middleware chain.

`FrontDoor` wraps Django's WSGI application (`config/wsgi.py`, `config/asgi.py`).
A request for `/api/{workflow}/triggers/{trigger}/invoke[/{relativePath}]` goes
straight to the Request-trigger view (`workflows.callback.invoke`); every other
request goes to Django's handler unchanged.

Why: Django's handler spent more CPU on a trigger call than a stateless run's
own work. The eight middlewares cost ~130 µs a request even for a bare view, and
resolving the invoke path walked every URL pattern before it (~40 µs). None of
that middleware serves a trigger URL: it carries its own signature (no session,
no login, no CSRF token, no flash messages) and its path is fixed.

What a trigger call still gets, as through Django's handler:

* the same `WSGIRequest`, `request_started` / `request_finished` signals (the
  database connection upkeep; when only Django's own receivers listen, the
  upkeep is done without the signal, see `_request_started` and `_Sent`) and
  script prefix (set when there is one);
* `ALLOWED_HOSTS` (`DisallowedHost` is a 400, as `CommonMiddleware` makes it),
  checked once per host name;
* `Content-Length` on a whole response, as `CommonMiddleware` sets it;
* `SecurityMiddleware` (SSL redirect, `nosniff`, referrer and opener policies,
  HSTS) and `XFrameOptionsMiddleware` on the response: a Response action may
  answer HTML. A Response action's answer (`trigger_request.Answer`) is sent
  as plain parts, without building Django's response: it gets the headers
  those two middlewares add, asked of them once, where it has none of its own;
* Django's own conversion of an exception into a response (logged to
  `django.request`, `got_request_exception` sent).

`SLUICE_TRIGGER_FRONT_DOOR=0` sends trigger calls through the whole middleware
chain instead (for a project that adds middleware trigger calls must pass).
"""

from __future__ import annotations

import re
import weakref
from http.client import responses
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signals
from django.core.cache import close_caches
from django.core.handlers.base import reset_urlconf
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections, reset_queries
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix

if TYPE_CHECKING:
    from workflows.api.trigger_request import Answer

INVOKE = re.compile(
    r"/api/(?P<workflow>[^/]+)/triggers/(?P<trigger>[^/]+)/invoke(?:/(?P<relative_path>.+))?"
)


class FrontDoor:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.enabled = bool(getattr(settings, "SLUICE_TRIGGER_FRONT_DOOR", True))
        self.security = SecurityMiddleware(_unused)
        self.frames = XFrameOptionsMiddleware(_unused)
        self.good_hosts: set[tuple] = set()
        self._added: dict[bool, list[tuple[str, str]]] = {}
        from workflows.api.trigger_request import Answer  # needs the settings: not at import

        self.answer_type = Answer

    def __call__(self, environ: dict, start_response: Any):
        if not self.enabled or INVOKE.fullmatch(environ.get("PATH_INFO", "")) is None:
            return self.app(environ, start_response)
        if environ.get("SCRIPT_NAME") or settings.FORCE_SCRIPT_NAME is not None:
            set_script_prefix(get_script_name(environ))  # else "/", every request's
        database = _request_started(self.__class__, environ)
        cursors = getattr(database, "cursors", None)
        request = WSGIRequest(environ)
        try:
            response = self._respond(request)
        except Exception as exc:  # what Django's handler does with it
            response = response_for_exception(request, exc)
        if isinstance(response, self.answer_type):
            start_response(
                f"{response.status} {responses.get(response.status, 'Unknown Status Code')}",
                self._answer_headers(request, response),
            )
            return _Sent(response.body, request, self.__class__, database, cursors)
        response._handler_class = self.__class__  # `close()` sends request_finished
        response._resource_closers.append(request.close)
        start_response(
            f"{response.status_code} {response.reason_phrase}",
            [
                *response.items(),
                *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
            ],
        )
        return response

    def _respond(self, request: WSGIRequest) -> HttpResponse | Answer:
        from workflows.callback import respond

        self._check_host(request)
        response = self.security.process_request(request)  # the SSL redirect, if set
        if response is None:
            match = INVOKE.fullmatch(request.path_info)
            if match is None:  # PATH_INFO matched but the decoded path does not
                return self.app.get_response(request)
            response = respond(request, **{k: v for k, v in match.groupdict().items() if v})
            if isinstance(response, self.answer_type):
                return response
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))  # as CommonMiddleware
        response = self.security.process_response(request, response)
        return self.frames.process_response(request, response)

    def _answer_headers(self, request: WSGIRequest, answer: Answer) -> list[tuple[str, str]]:
        """The answer's headers, `Content-Length`, and the headers the security and
        clickjacking middlewares add where a response has none of its own."""
        present = {name.lower() for name, _ in answer.headers}
        headers = answer.headers
        if "content-length" not in present:
            headers = [*headers, ("Content-Length", str(len(answer.body)))]
        secure = request.is_secure()
        added = self._added.get(secure)
        if added is None:
            added = self._added[secure] = self._middleware_headers(secure)
        return headers + [(k, v) for k, v in added if k.lower() not in present]

    def _middleware_headers(self, secure: bool) -> list[tuple[str, str]]:
        """What `SecurityMiddleware` and `XFrameOptionsMiddleware` add to a response
        without such headers, under these settings (asked of them, once)."""
        probe = HttpResponse()
        before = set(probe.headers)
        probe = self.security.process_response(_Probe(secure), probe)
        probe = self.frames.process_response(_Probe(secure), probe)
        return [(k, v) for k, v in probe.items() if k not in before]

    def _check_host(self, request: WSGIRequest) -> None:
        """`ALLOWED_HOSTS` (`DisallowedHost` becomes a 400), checked once per Host
        (and X-Forwarded-Host) value, not at every call: the same few come again
        and again."""
        meta = request.META
        key = tuple(meta.get(name) for name in _HOST_KEYS)
        if key in self.good_hosts:
            return
        request.get_host()
        if len(self.good_hosts) > 256:
            self.good_hosts.clear()
        self.good_hosts.add(key)


_HOST_KEYS = ("HTTP_X_FORWARDED_HOST", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT")


class _Probe:
    """The one thing the two middlewares ask of a request when answering."""

    def __init__(self, secure: bool) -> None:
        self.secure = secure

    def is_secure(self) -> bool:
        return self.secure


class _Sent:
    """The body of an `Answer` as a WSGI iterable; closing it does what closing a
    Django response does (the request's files closed, `request_finished` sent) —
    except that `request_finished` is left out when the call made no database
    cursor and only Django's own upkeep listens (`_UPKEEP`): closing obsolete
    connections, cache connections and the URLconf has nothing to do after a
    stateless call served from memory, and sending it cost a tenth of one.
    (`request_started`'s upkeep always runs: it arms the connection's health
    check before a first use.)"""

    def __init__(self, body: bytes, request: WSGIRequest, sender: type, database, cursors):
        self.body, self.request, self.sender = body, request, sender
        self.database, self.cursors = database, cursors

    def __iter__(self):
        return iter((self.body,))

    def close(self) -> None:
        try:
            self.request.close()
        finally:
            if (
                self.cursors is None
                or self.database.cursors != self.cursors
                or _listened(signals.request_finished)
            ):
                signals.request_finished.send(sender=self.sender)


def _request_started(sender: type, environ: dict):
    """Send `request_started`, and return the default database connection.

    When only Django's own receivers listen (`reset_queries`,
    `close_old_connections`), do what they do without the signal: the same two
    calls on each connection this thread has opened. Each of them listed the
    connections anew, and every look into Django's per-thread connection store
    costs a microsecond (asgiref's `Local` first asks for a running event loop):
    the signal cost 8 µs, the calls here 2 µs."""
    if _listened(signals.request_started):
        signals.request_started.send(sender=sender, environ=environ)
        return connections[DEFAULT_DB_ALIAS]
    database = None
    for alias in connections:
        conn = getattr(connections._connections, alias, None)  # opened by this thread
        if conn is not None:
            conn.queries_log.clear()  # reset_queries
            conn.close_if_unusable_or_obsolete()  # close_old_connections
            if alias == DEFAULT_DB_ALIAS:
                database = conn
    return database or connections[DEFAULT_DB_ALIAS]


def _listened(signal) -> bool:
    """Whether anything but Django's own upkeep (`_UPKEEP`) listens to `signal`."""
    key = (id(signal), *map(_LOOKUP_KEY, signal.receivers))
    known = _LISTENED.get(key)
    if known is None:
        targets = {_target(entry[1]) for entry in signal.receivers}
        known = _LISTENED[key] = bool(targets - _UPKEEP[signal])
    return known


def _target(reference):
    return reference() if isinstance(reference, weakref.ref) else reference


_UPKEEP = {
    signals.request_started: {reset_queries, close_old_connections},
    signals.request_finished: {close_old_connections, close_caches, reset_urlconf},
}
_LISTENED: dict[tuple, bool] = {}
_LOOKUP_KEY = itemgetter(0)  # of a receiver entry: what `connect` told it apart by


def _unused(request):  # the middlewares' get_response: only their hooks are called
    raise AssertionError("FrontDoor calls the middlewares' hooks, never get_response")
