"""Creating workflows straight in the database and driving their runs here."""

from __future__ import annotations

from typing import Any

from workflows import services
from workflows.models import ActionRun, Run, Workflow, WorkflowVersion, definition_hash

MANUAL = {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {}}}}


def make_workflow(
    name: str, actions: dict[str, Any], *, kind: str = "Stateful", **extra: Any
) -> Workflow:
    definition = {"triggers": extra.pop("triggers", MANUAL), "actions": actions, **extra}
    workflow, _ = Workflow.objects.get_or_create(name=name)
    number = workflow.versions.count() + 1
    version = WorkflowVersion.objects.create(
        workflow=workflow,
        number=number,
        definition=definition,
        kind=kind,
        hash=definition_hash(definition, kind),
    )
    workflow.current_version = version
    workflow.save()
    return workflow


def start(workflow: Workflow, body: Any = None, **kwargs: Any) -> Run:
    run = services.create_run(workflow, "manual", {"headers": {}, "body": body}, **kwargs)
    assert run is not None
    return services.drive(run.id, max_seconds=60)


def statuses(run: Run) -> dict[str, str]:
    return dict(ActionRun.objects.filter(run=run).values_list("path", "status"))


def record(run: Run, path: str) -> ActionRun:
    return ActionRun.objects.get(run=run, path=path)
