"""The loop both drivers share: step the engine, execute the ready actions, report
their outcomes, repeat — until the run ends or nothing is ready before a later time.

Hooks let the durable driver persist "started" before a wave of actions runs and
the results after it, renew its lease, and stop after a time budget. The loop
itself knows nothing about databases or Celery.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors import registry
from workflows.actions import execute
from workflows.actions.base import BUILTINS, Host
from workflows.engine import Engine, Outcome, Work

MAX_PARALLEL_CALLS = 20


def utcnow() -> datetime:
    return datetime.now(UTC)


PAUSE = "pause"


@dataclass
class Hooks:
    # False = do not run this wave: stop here, due now (the durable driver hands
    # waves with outside calls from a web process's turn over to the workers);
    # PAUSE = stop before running it and hand the wave back (`LoopResult.paused`):
    # `advance(…, pending=…)` runs it later, on another thread maybe
    before_wave: Callable[[list[Work]], bool | str | None] = lambda works: None
    after_wave: Callable[[], bool] = lambda: True  # False = stop (lost the lease, cancelled…)
    clock: Callable[[], datetime] = utcnow


@dataclass
class LoopResult:
    done: bool
    due_at: datetime | None = None
    stopped: bool = False
    actions: int = 0
    paused: list[Work] | None = None  # the wave `before_wave` held back with PAUSE


def advance(
    engine: Engine,
    host: Host,
    hooks: Hooks,
    *,
    budget_seconds: float | None = None,
    pending: list[Work] | None = None,
) -> LoopResult:
    """Advance as far as possible now; say whether the run ended or when to look again.
    `pending`: a wave an earlier call paused (stepped, not yet run): it runs first."""
    started = time.monotonic()
    executed = 0
    while True:
        if pending:
            works, pending = pending, None
        else:
            works = engine.step(hooks.clock())
            if engine.state.done:
                return LoopResult(True, actions=executed)
            if not works:
                return LoopResult(False, due_at=engine.next_due(), actions=executed)
        verdict = hooks.before_wave(works)
        if verdict is False:
            return LoopResult(False, due_at=hooks.clock(), actions=executed)
        if verdict == PAUSE:
            return LoopResult(False, actions=executed, paused=works)
        for work, outcome in execute_wave(works, engine, host, hooks.clock):
            engine.complete(work, outcome, hooks.clock())
        executed += len(works)
        if not hooks.after_wave():
            return LoopResult(False, stopped=True, actions=executed)
        if budget_seconds is not None and time.monotonic() - started > budget_seconds:
            return LoopResult(False, due_at=hooks.clock(), actions=executed)


def execute_wave(
    works: list[Work], engine: Engine, host: Host, clock: Callable[[], datetime]
) -> list[tuple[Work, Outcome]]:
    """Built-ins run one by one in this thread (they touch the run's state);
    connector calls of the same wave run side by side in threads (they only do
    I/O), so a Foreach of HTTP calls with concurrency 20 makes 20 calls at once."""
    calls = [work for work in works if work.node.type.lower() not in BUILTINS]
    if len(calls) < 2:
        return [(work, execute(work, engine, clock(), host)) for work in works]
    registry.all_connectors()  # load the registry here: its lazy load is not thread-safe
    parallel = {id(work) for work in calls}
    results = [
        (work, execute(work, engine, clock(), host)) for work in works if id(work) not in parallel
    ]
    with ThreadPoolExecutor(max_workers=min(len(calls), MAX_PARALLEL_CALLS)) as pool:
        outcomes = list(pool.map(lambda work: execute(work, engine, clock(), host), calls))
    return results + list(zip(calls, outcomes, strict=True))


@dataclass
class MemoryHost:
    """Host for runs kept only in memory (stateless runs, tests)."""

    workflow_name: str = ""
    run_id: str = ""
    response: dict[str, Any] | None = None
    children: Callable[[str, str, dict[str, Any], str], str] | None = None
    child_results: Callable[[str], dict[str, Any] | None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    connections: dict[str, Any] = field(default_factory=dict)

    def respond(self, response: dict[str, Any]) -> bool:
        if self.response is not None:
            return False
        self.response = response
        return True

    def start_child(
        self, workflow: str, trigger: str, outputs: dict[str, Any], action_path: str
    ) -> str:
        if self.children is None:
            from workflows.actions.base import ActionFailed

            raise ActionFailed("NotSupported", "Child workflows cannot be called from here.")
        return self.children(workflow, trigger, outputs, action_path)

    def child_result(self, child_id: str) -> dict[str, Any] | None:
        return self.child_results(child_id) if self.child_results else None

    def action_context_fields(self) -> dict[str, Any]:
        return {
            "workflow_name": self.workflow_name,
            "run_id": self.run_id,
            "connections": self.connections,
        }


def run_to_end(
    engine: Engine,
    host: Host,
    *,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Drive an in-memory run to its end, really waiting for timers."""
    hooks = Hooks(clock=clock)
    while True:
        result = advance(engine, host, hooks)
        if result.done:
            return
        due = result.due_at or clock()
        sleep(max(0.0, (due - clock()).total_seconds()))
