"""A test client that goes through the WSGI application a server runs.

Django's test `Client` calls its own handler, past `config/wsgi.py`: a trigger
call there never meets `workflows.frontdoor.FrontDoor`. `DeployedClient` builds
the same WSGI environ and calls `FrontDoor(WSGIHandler())` the way a WSGI server
does (start_response, iterate, close), then hands back an `HttpResponse` with the
status, headers and body that went over the wire, and `json()` as usual.

As Django's client does, it keeps `close_old_connections` off the request
signals, so the test's database connection survives the request.
"""

from __future__ import annotations

from functools import partial

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import Client

from workflows.frontdoor import FrontDoor


class DeployedClient(Client):
    def request(self, **request):
        environ = self._base_environ(**request)
        app = FrontDoor(WSGIHandler())
        answer: dict = {}

        def start_response(status: str, headers: list, exc_info=None):
            answer["status"], answer["headers"] = status, headers

        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = app(environ, start_response)
            try:
                content = b"".join(result)
            finally:
                getattr(result, "close", lambda: None)()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        response = HttpResponse(content, status=int(answer["status"].split(" ", 1)[0]))
        del response["Content-Type"]
        for name, value in answer["headers"]:
            response[name] = value
        response.wire_headers = answer["headers"]
        response.json = partial(self._parse_json, response)
        return response
