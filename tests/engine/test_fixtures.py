"""Every fixture definition, run by the pure engine in memory with a fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.fixtures import Finished, check, fixture_files, load
from tests.engine.harness import run_memory


def run_fixture(fixture: dict) -> Finished:
    trigger = fixture.get("trigger") or {}
    state, host, _ = run_memory(
        fixture["definition"],
        trigger.get("body"),
        headers=trigger.get("headers"),
        parameters=fixture.get("parameters"),
    )
    actions = {
        path: {"status": r.status, "code": r.code, "outputs": r.outputs, "error": r.error}
        for path, r in state.records.items()
    }
    return Finished(
        state.status, state.error, state.variables, host.response, state.outputs, actions
    )


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_it_runs_fixture_in_memory(path: Path) -> None:
    fixture = load(path)
    check(fixture, run_fixture(fixture))
