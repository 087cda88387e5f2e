"""The pure run engine: decides what a run does next; never acts.

See `README.md` in this folder. Entry points: `build_plan(definition)` and
`Engine(plan, state).step(now)` / `.complete(work, outcome, now)`.
"""

from __future__ import annotations

from workflows.engine.context import Step
from workflows.engine.decisions import Engine, Outcome, Work
from workflows.engine.graph import DefinitionError, Plan, build_plan
from workflows.engine.records import ActionRecord, RunState
from workflows.engine.retry import RetryPolicy, parse_retry_policy

__all__ = [
    "ActionRecord",
    "DefinitionError",
    "Engine",
    "Outcome",
    "Plan",
    "RetryPolicy",
    "RunState",
    "Step",
    "Work",
    "build_plan",
    "parse_retry_policy",
]
