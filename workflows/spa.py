"""Serve the browser designer (the Vite build in `frontend/dist/`) for every
non-API URL, so the single-page app's routes survive a reload.

The page is `frontend/dist/index.html` as built (its assets live under `/static/`,
served by whitenoise after `collectstatic`). The view sets the CSRF cookie the app
sends back on writes. If the frontend was never built, the answer says how to build
it instead of failing with a traceback.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

NOT_BUILT = (
    "<!doctype html><title>Sluice</title><h1>The designer is not built</h1>"
    "<p>Run <code>make frontend</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp; "
    "npm run build</code>), then reload. The REST API is at <a href='/api/docs/'>/api/docs/</a>.</p>"
)

_cache: dict[str, tuple[float, str]] = {}


def index_path() -> Path:
    return Path(getattr(settings, "SLUICE_FRONTEND_DIST", settings.BASE_DIR / "frontend" / "dist"))


def _index_html() -> str | None:
    path = index_path() / "index.html"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    cached = _cache.get(str(path))
    if cached and cached[0] == mtime:
        return cached[1]
    html = path.read_text(encoding="utf-8")
    _cache[str(path)] = (mtime, html)
    return html


@require_safe
@ensure_csrf_cookie
def spa_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    html = _index_html()
    if html is None:
        return HttpResponse(NOT_BUILT, status=503, content_type="text/html; charset=utf-8")
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
