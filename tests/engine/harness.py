"""Run a definition entirely in memory with a fake clock (no database, no waiting)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from workflows.actions.runloop import MemoryHost, run_to_end
from workflows.engine import Engine, RunState, build_plan

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=max(seconds, 0.001))


def run_memory(
    definition: dict[str, Any],
    body: Any = None,
    *,
    headers: dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
) -> tuple[RunState, MemoryHost, FakeClock]:
    definition = definition.get("definition", definition)
    plan = build_plan(definition)
    defaults = {
        k: (v or {}).get("defaultValue") for k, v in (definition.get("parameters") or {}).items()
    }
    state = RunState(
        trigger={
            "name": "manual",
            "outputs": {"headers": headers or {}, "body": body},
            "status": "Succeeded",
        },
        parameters={**defaults, **(parameters or {})},
        workflow={"name": "test", "outputs": definition.get("outputs") or {}},
    )
    clock = FakeClock()
    engine = Engine(plan, state, rng=random.Random(1))
    host = MemoryHost(workflow_name="test", run_id="memory")
    run_to_end(engine, host, clock=clock, sleep=clock.sleep)
    return state, host, clock


def statuses(state: RunState) -> dict[str, str]:
    return {path: record.status for path, record in state.records.items()}
