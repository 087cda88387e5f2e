"""How a body of actions (the run, a Scope, a branch, a loop iteration) ends.

Spec §1.4: each branch ends in an action nobody runs after. A branch whose last
action is Skipped takes its status from the skipped action's predecessors (and so
on up the branch). Any branch ending in a failure (Failed, TimedOut, Cancelled,
Aborted) makes the whole body Failed; otherwise it Succeeded. A failure that a
later action handles (runAfter Failed) therefore does not fail the run.
"""

from __future__ import annotations

from collections.abc import Callable

from workflows.engine.graph import FAILED, SKIPPED, SUCCEEDED, ActionNode, Body
from workflows.engine.records import FAILURES

StatusOf = Callable[[str], str]


def _effective(node: ActionNode, by_name: dict[str, ActionNode], status_of: StatusOf) -> str:
    seen: set[str] = set()
    frontier = [node]
    outcomes: list[str] = []
    while frontier:
        current = frontier.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        status = status_of(current.name)
        if status != SKIPPED:
            outcomes.append(status)
        elif current.run_after:
            frontier.extend(by_name[pred] for pred in current.run_after)
        else:
            outcomes.append(SKIPPED)
    return _combine(outcomes)


def _combine(statuses: list[str]) -> str:
    if any(status in FAILURES for status in statuses):
        return FAILED
    if statuses and all(status == SKIPPED for status in statuses):
        return SKIPPED
    return SUCCEEDED


def body_status(body: Body, status_of: StatusOf) -> str:
    """Succeeded or Failed for a completed body; `status_of(name)` reads a status."""
    by_name = body.by_name
    outcomes = [_effective(end, by_name, status_of) for end in body.ends]
    combined = _combine(outcomes)
    return SUCCEEDED if combined == SKIPPED else combined
