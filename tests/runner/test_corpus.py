"""Every real definition in `tests/corpus/logicapps/` whose actions are all
built-in runs through the durable driver with a sample trigger body; the run
status, every action's status, the failure codes and the Response are pinned in
`corpus_expected.json` (reviewed by hand: e.g. 09 fails because its mock
references actions that do not exist; 19–21 call child workflows that are not
deployed here, so those calls fail with WorkflowNotFound)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runner.helpers import make_workflow
from workflows import services
from workflows.actions.base import BUILTINS
from workflows.engine import build_plan
from workflows.models import ActionRun

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "corpus" / "logicapps"
EXPECTED = json.loads((HERE / "corpus_expected.json").read_text())
CONTROL = {"scope", "if", "switch", "foreach", "until", "terminate"}


def _definition(name: str) -> dict:
    document = json.loads((CORPUS / name).read_text())
    return document.get("definition", document)


def test_it_covers_every_all_built_in_corpus_definition() -> None:
    runnable = set()
    for path in sorted(CORPUS.glob("*.json")):
        kinds = {node.kind for node in build_plan(_definition(path.name)).nodes.values()}
        if kinds <= set(BUILTINS) | CONTROL:
            runnable.add(path.name)
    assert runnable == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED), ids=lambda n: n[:2])
def test_it_runs_corpus_definition(name: str, clock) -> None:
    expected = EXPECTED[name]
    definition = _definition(name)
    triggers = definition.get("triggers") or {"manual": {"type": "Request"}}
    workflow = make_workflow(
        name[:2],
        definition.get("actions") or {},
        triggers=triggers,
        parameters=definition.get("parameters") or {},
        outputs=definition.get("outputs") or {},
    )
    runs = services.create_runs(
        workflow, next(iter(triggers)), {"headers": {}, "body": expected["body"]}
    )
    run = services.drive(runs[0].id, sleep=clock.sleep)
    rows = ActionRun.objects.filter(run=run)
    assert run.status == expected["status"]
    assert dict(rows.values_list("path", "status")) == expected["actions"]
    failed = {row.path: (row.error or {}).get("code") for row in rows if row.status == "Failed"}
    assert failed == expected["failed_codes"]
    assert run.response == expected["response"]
