"""Saving a document as a workflow version from the API (validation → 400 with
pointers; everything in one transaction, audit entry included)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts import audit
from workflows.api.errors import ApiError
from workflows.models import Workflow


def _lead():
    """The lead's validation + saving modules (imported late: they may be mid-change)."""
    from workflows import validation, versions

    return validation, versions


def invalid(problems) -> ApiError:
    details = [{"pointer": p.pointer, "message": p.message} for p in problems]
    first = details[0]["message"] if len(details) == 1 else f"{len(details)} problems found."
    return ApiError("InvalidDefinition", f"The definition is not valid: {first}", 400, details)


def document_of(definition: Any, kind: str | None) -> Any:
    validation, _ = _lead()
    if kind is None:
        return definition
    bare, _old_kind = validation.split_document(definition)
    return {"definition": bare, "kind": kind}


def check(document: Any) -> list:
    validation, _ = _lead()
    return validation.validate_document(document)


def save(name: str, document: Any, user, *, description: str | None = None) -> tuple[Workflow, str]:
    validation, versions = _lead()
    with transaction.atomic():
        try:
            workflow, result = versions.save_definition(
                name, document, author=_user(user), description=description
            )
        except validation.DefinitionError as exc:
            raise invalid(exc.problems)
        if result != "unchanged":
            version = workflow.current_version.number
            audit.record(user, result, "workflow", name, version=version)
    return workflow, result


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None
