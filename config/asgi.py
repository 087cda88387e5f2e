"""The ASGI application uvicorn serves.

Django's own ASGI handler is slow for a sync-first project: in async mode it runs
every sync middleware's `process_request`/`process_response` through
`sync_to_async` (two thread hops per middleware per request), and every sync view
on one shared thread (`thread_sensitive`), so one slow view stalls all others. A
trivial view cost ~3 ms of CPU that way (`bench/request.py`).

So requests are split by the view they resolve to:

* the few **async views** (the broker's long-polling receives) go through Django's
  ASGI handler, where waiting costs no thread;
* **everything else** goes through Django's WSGI handler on a fixed pool of
  `SLUICE_WEB_THREADS` threads (`config/wsgibridge.py`): one hand-off per
  request for small bodies and whole responses (a2wsgi for large uploads and
  streaming responses), the whole middleware chain and the view in that thread —
  how gunicorn's gthread workers serve Django. Each thread keeps its database
  connection (`CONN_MAX_AGE`).

Non-HTTP scopes (lifespan) go to Django's ASGI handler, which declines them.
"""

import gc
import os
from functools import lru_cache

from asgiref.sync import iscoroutinefunction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application
from django.urls import Resolver404, get_resolver

from config.wsgibridge import BufferedWSGI
from workflows.frontdoor import FrontDoor

django_asgi = get_asgi_application()
django_wsgi = BufferedWSGI(  # trigger URLs skip the middleware chain: workflows/frontdoor.py
    FrontDoor(get_wsgi_application()), workers=int(os.environ.get("SLUICE_WEB_THREADS", "32"))
)
# Everything loaded so far (Django, the apps, their modules) lives as long as the
# process: keep it out of the cyclic collector's scans. Each full collection walked
# it all while every request waited — the slowest 1% of synchronous Request calls
# took 2-3× longer (`bench/request.py`: stateful p99 ~115 ms → ~60 ms, stateless
# ~90 ms → ~30 ms at 16 connections).
gc.freeze()


def _young_threshold() -> int:
    """Young-generation collections every `SLUICE_WEB_GC_GEN0` net allocations of
    container objects (Python's default: 700). At 700 one ran every few
    requests, and each scanned the young objects of every request in flight on
    the other threads: more work per request the more connections were open. A
    larger threshold keeps at most a few megabytes more alive between collections
    (`bench/request.py`, 64 connections: bare view 3,300 → 3,640 req/s, stateless
    workflow 2,800 → 3,180)."""
    raw = os.environ.get("SLUICE_WEB_GC_GEN0", "10000")
    if not raw.strip().isdigit():
        raise ImproperlyConfigured(f"SLUICE_WEB_GC_GEN0 must be a whole number ≥ 0, not {raw!r}")
    return int(raw)


gc.set_threshold(_young_threshold(), *gc.get_threshold()[1:])


@lru_cache(maxsize=4096)
def is_async_view(path: str) -> bool:
    """Whether `path` resolves to an async view (cached: the URLconf is fixed; the
    bound keeps paths with ids from growing it)."""
    try:
        return iscoroutinefunction(get_resolver().resolve(path).func)
    except Resolver404:
        return False


async def application(scope, receive, send):
    if scope["type"] == "http" and not is_async_view(scope["path"]):
        return await django_wsgi(scope, receive, send)
    return await django_asgi(scope, receive, send)
