"""Containers: Scope, If, Switch, Foreach and Until — how each starts, moves its
body forward and ends — plus the action options the engine reads
(`limit.timeout`, `secureData`, Foreach concurrency).

A Foreach keeps its progress in `record.state` (`next`, `active`, counters) so
that each step only walks the iterations in flight: a 10,000-item loop costs
per step what its concurrency costs, not what its length costs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from workflows.engine.conditions import evaluate_condition
from workflows.engine.context import Frame, Step
from workflows.engine.durations import DurationError, parse_duration
from workflows.engine.graph import (
    CANCELLED,
    FAILED,
    SUCCEEDED,
    TIMED_OUT,
    ActionNode,
    Body,
    DefinitionError,
)
from workflows.engine.records import ACTIVE, ActionRecord

if TYPE_CHECKING:
    from workflows.engine.decisions import Engine

FOREACH_MAX_ITEMS = 100_000
FOREACH_DEFAULT_CONCURRENCY = 20
UNTIL_DEFAULT_COUNT = 60
UNTIL_MAX_COUNT = 5000
UNTIL_DEFAULT_TIMEOUT = "PT1H"
RUN_STATUS_WORDS = {"succeeded": SUCCEEDED, "failed": FAILED, "cancelled": CANCELLED}
INNER_FAILED = {
    "code": "ActionFailed",
    "message": "An action failed. No dependent actions succeeded.",
}


# ------------------------------------------------------------------ options
def action_timeout(node: ActionNode) -> timedelta | None:
    return node.timeout


def operation_options(node: ActionNode) -> set[str]:
    return {
        part.strip().lower() for part in str(node.spec.get("operationOptions") or "").split(",")
    }


def foreach_concurrency(node: ActionNode) -> int:
    if "sequential" in operation_options(node):
        return 1
    runtime = node.spec.get("runtimeConfiguration") or {}
    value = (runtime.get("concurrency") or {}).get("repetitions", FOREACH_DEFAULT_CONCURRENCY)
    try:
        return max(1, min(50, int(value)))
    except (TypeError, ValueError):
        return FOREACH_DEFAULT_CONCURRENCY


def canonical_run_status(value: Any) -> str:
    status = RUN_STATUS_WORDS.get(str(value).lower())
    if status is None:
        raise DefinitionError(
            f"Terminate runStatus must be Succeeded, Failed or Cancelled, not '{value}'"
        )
    return status


def latest_iteration(record: ActionRecord | None) -> int | None:
    if record is None:
        return None
    if record.type.lower() == "until":
        return record.state.get("index")
    active = record.state.get("active") or []
    if active:
        return max(active)
    following = record.state.get("next", 0)
    return following - 1 if following else None


def _fail(engine: Engine, record: ActionRecord, code: str, message: str) -> None:
    engine.finish(record, FAILED, code=code, error={"code": code, "message": message})


def _end_with_body(engine: Engine, record: ActionRecord, status: str) -> None:
    engine.finish(record, status, error=INNER_FAILED if status == FAILED else None)


def _prefix(record: ActionRecord, index: int | None = None) -> str:
    return f"{record.path}[{index}]/" if index is not None else f"{record.path}/"


# ------------------------------------------------------------------ dispatch
def start(engine: Engine, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
    try:
        STARTS[node.kind](engine, node, record, frame)
    except DefinitionError as exc:
        _fail(engine, record, "InvalidTemplate", str(exc))
    except Exception as exc:
        _fail(engine, record, "InvalidTemplate", str(exc))
    if record.status not in ACTIVE and not node.is_loop:
        for body in node.all_bodies():
            engine.skip_body(body, _prefix(record), None)


def advance(engine: Engine, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
    ADVANCES[node.kind](engine, node, record, frame)


# ------------------------------------------------------- Scope / If / Switch
def _start_scope(engine: Engine, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
    record.state = {"branch": "actions"}


def _start_if(engine: Engine, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
    result = evaluate_condition(node.spec.get("expression"), lambda v: engine.evaluate(v, frame))
    branch = "actions" if result else "else"
    record.inputs = {"expressionResult": result}
    record.state = {"branch": branch}
    _skip_other_branches(engine, node, record, branch)


def _start_switch(engine: Engine, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
    value = engine.evaluate(node.spec.get("expression"), frame)
    branch = "default"
    for name, case in (node.spec.get("cases") or {}).items():
        if _case_matches((case or {}).get("case"), value):
            branch = f"case:{name}"
            break
    record.inputs = {"expressionValue": value}
    record.state = {"branch": branch}
    _skip_other_branches(engine, node, record, branch)


def _case_matches(case: Any, value: Any) -> bool:
    if isinstance(case, str) and isinstance(value, str):
        return case == value
    return case == value and type(case) is type(value)


def _skip_other_branches(
    engine: Engine, node: ActionNode, record: ActionRecord, branch: str
) -> None:
    for key, body in node.bodies.items():
        if key != branch:
            engine.skip_body(body, _prefix(record), None)


def _advance_branch(engine: Engine, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
    body = node.bodies[record.state.get("branch", "actions")]
    status = engine.advance_body(body, _prefix(record), frame, None)
    if status is not None:
        _end_with_body(engine, record, status)


# ------------------------------------------------------------------ Foreach
def _start_foreach(engine: Engine, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
    items = engine.evaluate(node.spec.get("foreach"), frame)
    if not isinstance(items, list):
        raise DefinitionError(
            f"The 'foreach' expression must evaluate to an array, not {type(items).__name__}"
        )
    if len(items) > FOREACH_MAX_ITEMS:
        raise DefinitionError(
            f"Foreach over {len(items)} items exceeds the limit of {FOREACH_MAX_ITEMS}"
        )
    record.inputs = items
    record.state = {
        "count": len(items),
        "next": 0,
        "active": [],
        "succeeded": 0,
        "failed": 0,
        "concurrency": foreach_concurrency(node),
    }


def _advance_iteration(
    engine: Engine, node: ActionNode, record: ActionRecord, frame: Frame, index: int
) -> str | None:
    step = Step(node.name, index, record.inputs[index], "foreach")
    return engine.advance_body(
        node.bodies["actions"], _prefix(record, index), (*frame, step), index
    )


def _advance_foreach(engine: Engine, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
    state = record.state
    for index in list(state["active"]):
        _settle_iteration(
            engine, record, index, _advance_iteration(engine, node, record, frame, index)
        )
        if engine.state.end_request is not None:
            return
    while len(state["active"]) < state["concurrency"] and state["next"] < state["count"]:
        index = state["next"]
        state["next"] += 1
        state["active"].append(index)
        engine.state.touch(record)
        _settle_iteration(
            engine, record, index, _advance_iteration(engine, node, record, frame, index)
        )
        if engine.state.end_request is not None:
            return
    if not state["active"] and state["next"] >= state["count"]:
        _end_with_body(engine, record, FAILED if state["failed"] else SUCCEEDED)


def _settle_iteration(engine: Engine, record: ActionRecord, index: int, status: str | None) -> None:
    if status is None:
        return
    record.state["active"].remove(index)
    record.state["failed" if status == FAILED else "succeeded"] += 1
    engine.state.touch(record)


# -------------------------------------------------------------------- Until
def _start_until(engine: Engine, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
    limit = node.spec.get("limit") or {}
    count = limit.get("count", UNTIL_DEFAULT_COUNT)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= UNTIL_MAX_COUNT:
        raise DefinitionError(f"Until limit.count must be an integer from 1 to {UNTIL_MAX_COUNT}")
    try:
        timeout = parse_duration(limit.get("timeout", UNTIL_DEFAULT_TIMEOUT))
    except DurationError as exc:
        raise DefinitionError(f"Until limit.timeout: {exc}") from None
    record.inputs = {"expression": node.spec.get("expression"), "limit": {"count": count}}
    record.state = {"index": 0, "count": count, "deadline": (engine.now + timeout).isoformat()}


def _until_deadline(record: ActionRecord) -> datetime:
    return datetime.fromisoformat(record.state["deadline"])


def _advance_until(engine: Engine, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
    body = node.bodies["actions"]
    while True:
        index = record.state["index"]
        inner = (*frame, Step(node.name, index, None, "until"))
        status = engine.advance_body(body, _prefix(record, index), inner, index)
        if engine.state.end_request is not None:
            return
        if status is None:
            if engine.now >= _until_deadline(record):
                sweep_body(engine, body, _prefix(record, index), index)
                engine.finish(record, TIMED_OUT, code="ActionTimedOut", error=_until_timeout(node))
            return
        if _until_finished(engine, node, record, inner, status):
            return
        record.state["index"] = index + 1
        engine.state.touch(record)


def _until_finished(
    engine: Engine, node: ActionNode, record: ActionRecord, inner: Frame, status: str
) -> bool:
    if status == FAILED:
        _end_with_body(engine, record, FAILED)
        return True
    try:
        done = evaluate_condition(node.spec.get("expression"), lambda v: engine.evaluate(v, inner))
    except Exception as exc:
        _fail(engine, record, "InvalidTemplate", str(exc))
        return True
    if done:
        engine.finish(record, SUCCEEDED)
        return True
    if record.state["index"] + 1 >= record.state["count"]:
        if "failwhenlimitsreached" in operation_options(node):
            _fail(engine, record, "LimitsReached", f"Until '{node.name}' reached its count limit.")
        else:
            engine.finish(record, SUCCEEDED)
        return True
    if engine.now >= _until_deadline(record):
        engine.finish(record, TIMED_OUT, code="ActionTimedOut", error=_until_timeout(node))
        return True
    return False


def _until_timeout(node: ActionNode) -> dict[str, str]:
    return {"code": "ActionTimedOut", "message": f"Until '{node.name}' reached its timeout limit."}


def loop_deadlines(engine: Engine) -> list[datetime]:
    return [
        _until_deadline(record)
        for record in engine.state.records.values()
        if record.status in ACTIVE and record.type.lower() == "until" and "deadline" in record.state
    ]


# ------------------------------------------------------------------- ending
def sweep_body(engine: Engine, body: Body, prefix: str, iteration: int | None) -> None:
    """The run is ending early: cancel what is in flight, skip what never started."""
    for node in body.nodes:
        record = engine.state.records.get(prefix + node.name)
        if record is None:
            engine.skip(node, prefix, iteration)
        elif record.status in ACTIVE:
            _sweep_children(engine, node, record)
            engine.finish(record, CANCELLED, code="Cancelled")


def _sweep_children(engine: Engine, node: ActionNode, record: ActionRecord) -> None:
    if node.kind == "foreach":
        for index in record.state.get("active", []):
            sweep_body(engine, node.bodies["actions"], _prefix(record, index), index)
    elif node.kind == "until":
        index = record.state.get("index", 0)
        sweep_body(engine, node.bodies["actions"], _prefix(record, index), index)
    elif node.is_container:
        branch = record.state.get("branch", "actions")
        sweep_body(engine, node.bodies[branch], _prefix(record), None)


STARTS = {
    "scope": _start_scope,
    "if": _start_if,
    "switch": _start_switch,
    "foreach": _start_foreach,
    "until": _start_until,
}
ADVANCES = {
    "scope": _advance_branch,
    "if": _advance_branch,
    "switch": _advance_branch,
    "foreach": _advance_foreach,
    "until": _advance_until,
}
