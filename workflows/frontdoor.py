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
  database connection upkeep) and script prefix (set when there is one);
* `ALLOWED_HOSTS` (`DisallowedHost` is a 400, as `CommonMiddleware` makes it),
  checked once per host name;
* `Content-Length` on a whole response, as `CommonMiddleware` sets it;
* `SecurityMiddleware` (SSL redirect, `nosniff`, referrer and opener policies,
  HSTS) and `XFrameOptionsMiddleware` on the response: a Response action may
  answer HTML;
* Django's own conversion of an exception into a response (logged to
  `django.request`, `got_request_exception` sent).

`SLUICE_TRIGGER_FRONT_DOOR=0` sends trigger calls through the whole middleware
chain instead (for a project that adds middleware trigger calls must pass).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix

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

    def __call__(self, environ: dict, start_response: Any):
        if not self.enabled or INVOKE.fullmatch(environ.get("PATH_INFO", "")) is None:
            return self.app(environ, start_response)
        if environ.get("SCRIPT_NAME") or settings.FORCE_SCRIPT_NAME is not None:
            set_script_prefix(get_script_name(environ))  # else "/", every request's
        signals.request_started.send(sender=self.__class__, environ=environ)
        request = WSGIRequest(environ)
        try:
            response = self._respond(request)
        except Exception as exc:  # what Django's handler does with it
            response = response_for_exception(request, exc)
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

    def _respond(self, request: WSGIRequest):
        from workflows.callback import invoke

        self._check_host(request)
        response = self.security.process_request(request)  # the SSL redirect, if set
        if response is None:
            match = INVOKE.fullmatch(request.path_info)
            if match is None:  # PATH_INFO matched but the decoded path does not
                return self.app.get_response(request)
            response = invoke(request, **{k: v for k, v in match.groupdict().items() if v})
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))  # as CommonMiddleware
        response = self.security.process_response(request, response)
        return self.frames.process_response(request, response)

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


def _unused(request):  # the middlewares' get_response: only their hooks are called
    raise AssertionError("FrontDoor calls the middlewares' hooks, never get_response")
