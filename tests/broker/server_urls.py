"""URL root of the broker test server (see server_settings.py)."""

from django.urls import include, path

urlpatterns = [path("", include("broker.urls"))]
