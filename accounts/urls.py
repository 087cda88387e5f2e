"""URLs of the `accounts` app (mounted at the root by `config/urls.py`)."""

from __future__ import annotations

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from accounts import api

router = DefaultRouter()
router.trailing_slash = "/?"  # accept both /runs and /runs/
router.include_root_view = False
router.register("users", api.UserViewSet, basename="user")
router.register("tokens", api.TokenViewSet, basename="token")
router.register("connections", api.ConnectionViewSet, basename="connection")
router.register("appsettings", api.AppSettingViewSet, basename="appsetting")
router.register("audit", api.AuditViewSet, basename="audit")

urlpatterns = [
    re_path(r"^api/v1/me/?$", api.MeView.as_view(), name="me"),
    path("api/v1/", include(router.urls)),
]
