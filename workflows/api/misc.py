"""`/api/v1/validate`, `/api/v1/import` and `/api/v1/connectors` (the catalog)."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from workflows.api import saving
from workflows.api import schema_docs as docs
from workflows.api.serializers import DocumentSerializer, ImportSerializer, WorkflowSerializer


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@docs.validate_view
class ValidateView(APIView):
    """Validate a definition without saving it."""

    required_roles = {"POST": Role.VIEWER}

    def post(self, request):
        data = _valid(DocumentSerializer, request.data)
        problems = saving.check(saving.document_of(data["definition"], data.get("kind")))
        return Response(
            {
                "valid": not problems,
                "problems": [{"pointer": p.pointer, "message": p.message} for p in problems],
            }
        )


@docs.import_view
class ImportView(APIView):
    """Create or update a workflow from a document (idempotent)."""

    def post(self, request):
        data = _valid(ImportSerializer, request.data)
        document = saving.document_of(data["definition"], data.get("kind"))
        workflow, result = saving.save(
            data["name"], document, request.user, description=data.get("description")
        )
        code = status.HTTP_201_CREATED if result == "created" else status.HTTP_200_OK
        return Response(
            {"result": result, "workflow": WorkflowSerializer(workflow).data}, status=code
        )


@docs.connectors_view
class ConnectorCatalogView(APIView):
    """The connector catalog: every registered connector with its input schema."""

    def get(self, request):
        from connectors.registry import all_connectors

        return Response([c.catalog_entry() for c in all_connectors()])
