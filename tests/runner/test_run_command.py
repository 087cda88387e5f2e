"""`sluice run FILE` as a user runs it: a real process, a throw-away database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

GOOD = {
    "definition": {
        "triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "parameters": {"greeting": {"type": "string", "defaultValue": "Hello"}},
        "outputs": {"total": {"type": "int", "value": "@variables('total')"}},
        "actions": {
            "Init": {
                "type": "InitializeVariable",
                "inputs": {"variables": [{"name": "total", "type": "integer", "value": 0}]},
            },
            "Pause": {
                "type": "Wait",
                "inputs": {"interval": {"count": 1, "unit": "Second"}},
                "runAfter": {"Init": ["Succeeded"]},
            },
            "Sum": {
                "type": "Foreach",
                "foreach": "@triggerBody()?['numbers']",
                "runAfter": {"Pause": ["Succeeded"]},
                "operationOptions": "Sequential",
                "actions": {
                    "Add": {
                        "type": "IncrementVariable",
                        "inputs": {"name": "total", "value": "@item()"},
                    }
                },
            },
            "Reply": {
                "type": "Response",
                "runAfter": {"Sum": ["Succeeded"]},
                "inputs": {
                    "statusCode": 200,
                    "body": "@{parameters('greeting')} @{triggerOutputs()['headers']['X-Name']}: @{variables('total')}",
                },
            },
        },
    },
    "kind": "Stateful",
}


def sluice_run(tmp_path: Path, document: object, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SLUICE_DATA_DIR", "DATABASE_URL", "SLUICE_SQLITE_PATH"}
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "run", str(path), *args],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_runs_a_definition_and_prints_the_run_record(tmp_path: Path) -> None:
    result = sluice_run(
        tmp_path,
        GOOD,
        "--body",
        '{"numbers": [1, 2, 3]}',
        "--header",
        "X-Name: Ada",
        "--param",
        'greeting="Hi"',
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["status"] == "Succeeded"
    assert record["response"]["body"] == "Hi Ada: 6"
    assert record["outputs"] == {"total": {"type": "int", "value": 6}}
    loop = record["actions"]["Sum"]
    assert [it["actions"]["Add"]["status"] for it in loop["iterations"]] == ["Succeeded"] * 3
    assert record["actions"]["Pause"]["status"] == "Succeeded"
    assert record["trigger"]["outputs"]["headers"] == {"X-Name": "Ada"}


def test_it_exits_1_when_the_run_fails(tmp_path: Path) -> None:
    failing = {
        "triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "actions": {"Boom": {"type": "Compose", "inputs": "@div(1, 0)"}},
    }
    result = sluice_run(tmp_path, failing)
    assert result.returncode == 1
    record = json.loads(result.stdout)
    assert (
        record["status"] == "Failed"
        and record["actions"]["Boom"]["error"]["code"] == "InvalidTemplate"
    )


def test_it_exits_2_for_an_invalid_definition_or_file(tmp_path: Path) -> None:
    invalid = {
        "triggers": {},
        "actions": {"A": {"type": "Compose", "runAfter": {"Nope": ["Succeeded"]}}},
    }
    result = sluice_run(tmp_path, invalid)
    assert result.returncode == 2 and "Nope" in result.stderr and "Traceback" not in result.stderr
    broken = sluice_run(tmp_path, "{not json")
    assert (
        broken.returncode == 2
        and "invalid JSON" in broken.stderr
        and "Traceback" not in broken.stderr
    )


def test_it_finds_child_workflows_next_to_the_file(tmp_path: Path) -> None:
    child = {
        "definition": {
            "triggers": {"manual": {"type": "Request", "kind": "Http"}},
            "actions": {
                "Reply": {"type": "Response", "inputs": {"body": "@mul(triggerBody(), 2)"}}
            },
        },
        "kind": "Stateful",
    }
    (tmp_path / "doubler").mkdir()
    (tmp_path / "doubler" / "workflow.json").write_text(json.dumps(child))
    parent = {
        "triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "actions": {
            "Call": {
                "type": "Workflow",
                "inputs": {
                    "host": {"workflow": {"id": "doubler"}, "triggerName": "manual"},
                    "body": 21,
                },
            }
        },
    }
    result = sluice_run(tmp_path, parent)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["actions"]["Call"]["outputs"]["body"] == 42
