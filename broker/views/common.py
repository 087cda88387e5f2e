"""Shared plumbing for data-plane views: namespace + key auth, error rendering,
and the async long-poll helper (so a waiting receiver never pins a worker thread)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from functools import wraps

from asgiref.sync import sync_to_async
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from broker.auth import AuthError, authenticate
from broker.services.entities import get_namespace
from broker.services.errors import BrokerError, bad_request

POLL_INTERVAL = 0.2


def error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    response["x-ms-error-code"] = code
    return response


def ok(payload: object, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(payload), status=status, content_type="application/json")


def authorized_namespace(request, namespace: str | None, now):
    ns = get_namespace(namespace, create=namespace is None)
    authenticate(ns, request.headers, request.GET, now)
    return ns


def require_api_version(request) -> None:
    if not request.GET.get("api-version"):
        raise bad_request(
            "The api-version query parameter is required.", "MissingApiVersionParameter"
        )


def _render_failure(exc: Exception) -> HttpResponse:
    if isinstance(exc, AuthError):
        return error(401, "Unauthorized", str(exc))
    assert isinstance(exc, BrokerError)
    return error(exc.status, exc.code, exc.message)


def data_plane(view: Callable) -> Callable:
    """`view(request, ns, now, **kwargs)`: authenticated, errors rendered as JSON."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, namespace: str | None = None, **kwargs):
        now = timezone.now()
        try:
            ns = authorized_namespace(request, namespace, now)
            return view(request, ns, now, *args, **kwargs)
        except (AuthError, BrokerError) as exc:
            return _render_failure(exc)

    return wrapper


def long_poll_view(prepare: Callable, attempt: Callable, render: Callable) -> Callable:
    """An async view: `prepare(request, ns, now, **kw) -> state` once, then
    `attempt(state) -> result` until it is truthy or the wait time runs out, then
    `render(state, result) -> HttpResponse`. `state["wait"]` is the wait in seconds."""

    @csrf_exempt
    async def view(request, *args, namespace: str | None = None, **kwargs):
        try:
            state = await sync_to_async(_prepared)(prepare, request, namespace, kwargs)
            deadline = time.monotonic() + state["wait"]
            while True:
                result = await sync_to_async(attempt)(state)
                remaining = deadline - time.monotonic()
                if result or remaining <= 0:
                    break
                await asyncio.sleep(min(POLL_INTERVAL, remaining))
            return await sync_to_async(render)(state, result)
        except (AuthError, BrokerError) as exc:
            return _render_failure(exc)

    return view


def _prepared(prepare: Callable, request, namespace, kwargs):
    now = timezone.now()
    ns = authorized_namespace(request, namespace, now)
    return prepare(request, ns, now, **kwargs)


def int_param(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(
            f"{name} must be an integer from {low} to {high}.",
            f"Invalid{name[0].upper()}{name[1:]}",
        )
    if not low <= value <= high:
        raise bad_request(
            f"{name} must be an integer from {low} to {high}.",
            f"Invalid{name[0].upper()}{name[1:]}",
        )
    return value
