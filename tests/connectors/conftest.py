"""Fixtures for connector tests: real servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.connectors.servers import HttpServer


@pytest.fixture(autouse=True)
def fresh_scheduler_memory():
    """Each test starts like a new scheduler process (ids may repeat after a flush)."""
    from connectors import triggers

    triggers._synced.clear()
    yield
    triggers._synced.clear()


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    server = HttpServer().start()
    yield server
    server.stop()


def make_workflow(name: str, triggers: dict, actions: dict | None = None, **definition_extra):
    """A workflow whose current version has `triggers` (written directly, so tests
    do not depend on save-time validation)."""
    from workflows.models import Workflow, WorkflowVersion, definition_hash

    definition = {
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
        "contentVersion": "1.0.0.0",
        "triggers": triggers,
        "actions": actions or {},
        **definition_extra,
    }
    workflow, _ = Workflow.objects.get_or_create(name=name)
    number = workflow.versions.count() + 1
    version = WorkflowVersion.objects.create(
        workflow=workflow,
        number=number,
        definition=definition,
        hash=definition_hash(definition, "Stateful"),
    )
    workflow.current_version = version
    workflow.save()
    return workflow
