"""The project's URLs plus the SPA catch-all (served last)."""

from __future__ import annotations

from django.urls import re_path

from config.urls import urlpatterns as project_urlpatterns
from workflows.spa import spa_view

urlpatterns = [
    *project_urlpatterns,
    re_path(r"^(?!api/|admin/|static/).*$", spa_view, name="spa"),
]
