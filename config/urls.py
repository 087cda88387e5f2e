"""URL root. Each app owns its own `urls.py`; this file only mounts them."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("workflows.urls")),
    path("", include("connectors.urls")),
    path("", include("broker.urls")),
]
