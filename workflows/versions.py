"""Saving definitions: every save that changes the definition makes a new version.

The one place that turns a document into a `Workflow` + `WorkflowVersion`; the API,
`sluice apply` and `sluice up`'s demo loader all call `save_definition`. Validation
runs first and nothing is written when it fails (one transaction).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from workflows.models import Workflow, WorkflowVersion, definition_hash
from workflows.validation import DefinitionError, split_document, validate_document


def save_definition(
    name: str,
    document: Any,
    *,
    author: Any = None,
    description: str | None = None,
) -> tuple[Workflow, str]:
    """Create or update workflow `name`. Returns (workflow, "created"|"updated"|"unchanged").

    Raises `DefinitionError` (with `.problems`) when the document is invalid.
    """
    problems = validate_document(document)
    if problems:
        raise DefinitionError(problems)
    definition, kind = split_document(document)
    kind = "Stateless" if str(kind).lower() == "stateless" else "Stateful"
    digest = definition_hash(definition, kind)
    with transaction.atomic():
        workflow, created = Workflow.objects.select_for_update().get_or_create(name=name)
        if description is not None and workflow.description != description:
            workflow.description = description
            workflow.save(update_fields=["description", "updated_at"])
        current = workflow.current_version
        if current is not None and current.hash == digest:
            return workflow, "unchanged"
        latest = workflow.versions.aggregate(latest=Max("number"))["latest"] or 0
        number = latest + 1
        version = WorkflowVersion.objects.create(
            workflow=workflow,
            number=number,
            definition=definition,
            kind=kind,
            hash=digest,
            author=author,
        )
        workflow.current_version = version
        workflow.save(update_fields=["current_version", "updated_at"])
    return workflow, "created" if created else "updated"
