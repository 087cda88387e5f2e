"""URLs of the `workflows` app (mounted at the root by `config/urls.py`):
the REST API under `/api/v1/`, its OpenAPI schema and docs, the signed
Request-trigger endpoint, and the operations endpoints."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.permissions import RolePermission
from workflows import callback, ops
from workflows.api.misc import ConnectorCatalogView, ImportView, ValidateView
from workflows.api.runs import RunViewSet
from workflows.api.workflows import WorkflowViewSet

router = DefaultRouter()
router.trailing_slash = "/?"  # accept both /runs and /runs/
router.include_root_view = False
router.register("workflows", WorkflowViewSet, basename="workflow")
router.register("runs", RunViewSet, basename="run")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    re_path(r"^api/v1/validate/?$", ValidateView.as_view(), name="validate"),
    re_path(r"^api/v1/import/?$", ImportView.as_view(), name="import"),
    re_path(r"^api/v1/connectors/?$", ConnectorCatalogView.as_view(), name="connectors"),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[RolePermission]),
        name="schema",
    ),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url="/api/schema/", permission_classes=[RolePermission]),
        name="docs",
    ),
    path("api/<str:workflow>/triggers/<str:trigger>/invoke", callback.invoke, name="invoke"),
    path(
        "api/<str:workflow>/triggers/<str:trigger>/invoke/<path:relative_path>",
        callback.invoke,
        name="invoke-relative",
    ),
    path("api/<str:workflow>/runs/<str:run_id>", callback.poll_run, name="poll-run"),
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", ops.metrics, name="metrics"),
]
