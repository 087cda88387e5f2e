"""URL root. Each app owns its own `urls.py`; this file only mounts them, and sends
every other non-API path to the browser designer (a single-page app)."""

from django.contrib import admin
from django.urls import include, path, re_path

from workflows.spa import spa_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("workflows.urls")),
    path("", include("connectors.urls")),
    path("", include("broker.urls")),
    re_path(r"^(?!api/|admin/|static/|healthz|readyz|metrics).*$", spa_view, name="spa"),
]
