"""Helper process for the crash test (configured entirely by environment variables:
DATABASE_URL, REDIS_URL, SLUICE_DATA_DIR…).

    python tests/runner/crash_driver.py create N   create a workflow and N runs
    python tests/runner/crash_driver.py status     print run counts and attempts as JSON
    python tests/runner/crash_driver.py ticker     call workflows.ticks.tick every second
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db.models import Count, Max  # noqa: E402

from workflows.models import ActionRun, Run, Workflow, WorkflowVersion, definition_hash  # noqa: E402

ACTIONS = {
    "A": {"type": "Compose", "inputs": "@triggerBody()"},
    "Pause": {
        "type": "Wait",
        "inputs": {"interval": {"count": 1, "unit": "Second"}},
        "runAfter": {"A": ["Succeeded"]},
    },
    "B": {
        "type": "Compose",
        "inputs": "@add(outputs('A'), 1)",
        "runAfter": {"Pause": ["Succeeded"]},
    },
    "C": {"type": "Compose", "inputs": "@add(outputs('B'), 1)", "runAfter": {"B": ["Succeeded"]}},
    "D": {
        "type": "InitializeVariable",
        "inputs": {"variables": [{"name": "v", "type": "integer", "value": "@outputs('C')"}]},
        "runAfter": {"C": ["Succeeded"]},
    },
    "E": {
        "type": "Response",
        "inputs": {"body": "@variables('v')"},
        "runAfter": {"D": ["Succeeded"]},
    },
}


def create(count: int) -> None:
    from workflows import services

    definition = {"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": ACTIONS}
    workflow = Workflow.objects.create(name="crash")
    version = WorkflowVersion.objects.create(
        workflow=workflow,
        number=1,
        definition=definition,
        hash=definition_hash(definition, "Stateful"),
    )
    workflow.current_version = version
    workflow.save()
    for n in range(count):
        services.create_run(workflow, "manual", {"headers": {}, "body": n})
    print(json.dumps({"created": count}))


def status() -> None:
    counts = dict(Run.objects.values_list("status").annotate(n=Count("id")))
    attempts = dict(ActionRun.objects.values_list("name").annotate(m=Max("attempts")))
    wrong = sum(
        1
        for body, output in ActionRun.objects.filter(name="E").values_list(
            "run__trigger__outputs__body", "outputs"
        )
        if output["body"] != body + 2
    )
    print(json.dumps({"runs": counts, "max_attempts": attempts, "wrong_results": wrong}))


def ticker() -> None:
    from workflows.ticks import tick

    while True:
        tick()
        time.sleep(1)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "create":
        create(int(sys.argv[2]))
    elif command == "status":
        status()
    elif command == "ticker":
        ticker()
    else:
        raise SystemExit(f"unknown command {command}")
