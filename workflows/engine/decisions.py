"""The engine: given a plan and the recorded action runs, decide what happens next.

`Engine.step(now)` walks the plan once (each body in topological order), settles
everything that needs no outside work — skips, container starts and ends, branch
choices, Terminate, timeouts, the run's own end — and returns the leaf actions
that must be executed now (`Work`). The driver executes them (built-in actions or
connectors), reports each `Outcome` with `Engine.complete(...)`, persists the
records in `state.dirty`, and calls `step` again. When `step` returns nothing
and the run is not done, `next_due()` says when to look again.

Nothing here touches the database, the network or the clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from workflows.engine import containers
from workflows.engine.context import Frame, build_context
from workflows.engine.graph import (
    CANCELLED,
    FAILED,
    RUNNING,
    SKIPPED,
    SUCCEEDED,
    TIMED_OUT,
    WAITING,
    ActionNode,
    Body,
    Plan,
)
from workflows.engine.records import ACTIVE, TERMINAL, ActionRecord, RunState
from workflows.engine.retry import RetryPolicyError, parse_retry_policy
from workflows.engine.status import body_status

READY, SKIP, WAIT = "ready", "skip", "wait"
RUN_FAILED_ERROR = {
    "code": "ActionFailed",
    "message": "An action failed. No dependent actions succeeded.",
}

_RNG = random.Random()  # retry jitter; one per engine cost ~20 µs of seeding per run


@dataclass
class Work:
    """A leaf action the driver must execute now."""

    record: ActionRecord
    node: ActionNode
    frame: Frame
    resumed: bool = False  # a pending action (Wait, child workflow) being looked at again


@dataclass
class Outcome:
    """What executing a leaf action produced."""

    status: str = SUCCEEDED
    outputs: Any = None
    inputs: Any = None
    error: dict[str, Any] | None = None
    code: str = ""
    retryable: bool = False
    retry_after: float | None = None
    pending_until: datetime | None = None  # still running: look again at this time
    state: dict[str, Any] | None = None

    @classmethod
    def failed(cls, code: str, message: str, **kwargs: Any) -> Outcome:
        return cls(FAILED, error={"code": code, "message": message}, code=code, **kwargs)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class Engine:
    def __init__(
        self,
        plan: Plan,
        state: RunState,
        *,
        run_timeout: timedelta | None = None,
        rng: random.Random | None = None,
        appsettings: dict[str, str] | None = None,
        callback_url: str | Callable[[], str | None] | None = None,
        connections: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.plan = plan
        self.state = state
        self.run_timeout = run_timeout
        self.rng = rng or _RNG
        self.appsettings = appsettings or {}
        # never part of the persisted state: secrets live only in the connection store
        self.connections = connections or {}
        self._callback_url = callback_url  # a callable: made when first asked for
        self.scopes = plan.scope_children
        self.now: datetime = state.started_at or datetime.min
        self._iso_of: datetime | None = None
        self._iso = ""
        self._works: list[Work] = []

    def lazy_callback_url(self) -> str | None:
        return self.callback_url

    @property
    def callback_url(self) -> str | None:
        """The URL `listCallbackUrl()` returns (signed: made only for the runs that ask)."""
        if callable(self._callback_url):
            self._callback_url = self._callback_url()
        return self._callback_url

    # ----------------------------------------------------------------- stepping
    def step(self, now: datetime) -> list[Work]:
        self.now = now
        self._works = []
        if self.state.done:
            return []
        if self.state.started_at is None:
            self.state.started_at = now
        if self.state.end_request is None and self._run_timed_out():
            self.request_end(
                TIMED_OUT, {"code": "RunTimedOut", "message": "The run exceeded its time limit."}
            )
        if self.state.end_request is None:
            status = self.advance_body(self.plan.root, "", (), None)
            if self.state.end_request is None:
                if status is not None:
                    self._finish_run(status)
                return self._works
        self._finish_ended()
        return []

    def _run_timed_out(self) -> bool:
        started = self.state.started_at
        return bool(self.run_timeout and started and self.now - started >= self.run_timeout)

    def request_end(self, status: str, error: dict[str, Any] | None = None) -> None:
        """Terminate, cancel or time out the run at the next `step`."""
        if self.state.end_request is None:
            self.state.end_request = {"status": status, "error": error}

    def next_due(self) -> datetime | None:
        active = [r for r in self.state.records.values() if r.status in ACTIVE]
        dues = [r.due_at for r in active if r.due_at]
        dues += [deadline for r in active if (deadline := self._deadline(r))]
        dues += containers.loop_deadlines(self)
        if self.run_timeout and self.state.started_at:
            dues.append(self.state.started_at + self.run_timeout)
        return min(dues) if dues else None

    # ------------------------------------------------------------------- bodies
    def advance_body(
        self, body: Body, prefix: str, frame: Frame, iteration: int | None
    ) -> str | None:
        """Move every action of one body forward; its status once all are done."""
        records = self.state.records
        complete = True
        for node in body.nodes:
            record = records.get(prefix + node.name)
            if record is None:
                verdict = self._readiness(node, prefix)
                if verdict == WAIT:
                    complete = False
                    continue
                if verdict == SKIP:
                    self.skip(node, prefix, iteration, self._skip_error(node, prefix))
                    continue
                record = self._start(node, prefix, frame, iteration)
            elif record.status in ACTIVE:
                self._continue(node, record, prefix, frame)
            if self.state.end_request is not None:
                return None
            if record.status not in TERMINAL:
                complete = False
        if not complete:
            return None
        return body_status(body, lambda name: records[prefix + name].status)

    def _readiness(self, node: ActionNode, prefix: str) -> str:
        verdict = READY
        for pred, allowed in node.run_after.items():
            record = self.state.records.get(prefix + pred)
            if record is None or record.status not in TERMINAL:
                return WAIT
            if record.status not in allowed:
                verdict = SKIP
        return verdict

    def _skip_error(self, node: ActionNode, prefix: str) -> dict[str, Any]:
        for pred, allowed in node.run_after.items():
            actual = self.state.records[prefix + pred].status
            if actual not in allowed:
                expected = "', '".join(sorted(allowed))
                return {
                    "code": "ActionConditionFailed",
                    "message": (
                        f"The execution of template action '{node.name}' is skipped: the 'runAfter' "
                        f"condition for action '{pred}' is not satisfied. Expected status values "
                        f"'{expected}' and actual value '{actual}'."
                    ),
                }
        return {"code": "ActionSkipped", "message": f"Action '{node.name}' was skipped."}

    # ---------------------------------------------------------------- records
    def new_record(
        self, node: ActionNode, prefix: str, iteration: int | None, status: str
    ) -> ActionRecord:
        secure = node.secure_data
        record = ActionRecord(
            path=prefix + node.name,
            name=node.name,
            type=node.type,
            parent_path=prefix[:-1],
            iteration=iteration,
            status=status,
            started_at=self.now,
            secure_inputs="inputs" in secure,
            secure_outputs="outputs" in secure,
        )
        return self.state.put(record)

    def skip(
        self,
        node: ActionNode,
        prefix: str,
        iteration: int | None,
        error: dict[str, Any] | None = None,
    ) -> None:
        """Record `node` Skipped, and every action statically inside it too."""
        record = self.new_record(node, prefix, iteration, SKIPPED)
        record.ended_at = self.now
        record.code = "ActionSkipped"
        record.error = error
        if node.is_container and not node.is_loop:
            for body in node.all_bodies():
                self.skip_body(body, record.path + "/", None)

    def skip_body(self, body: Body, prefix: str, iteration: int | None) -> None:
        for node in body.nodes:
            if prefix + node.name not in self.state.records:
                self.skip(node, prefix, iteration)

    def finish(
        self,
        record: ActionRecord,
        status: str,
        *,
        code: str = "",
        error: dict[str, Any] | None = None,
    ) -> None:
        record.status = status
        record.code = code or ("OK" if status == SUCCEEDED else status)
        record.error = error
        record.ended_at = self.now
        record.due_at = None
        self.state.touch(record)

    # ------------------------------------------------------------ lifecycles
    def _start(
        self, node: ActionNode, prefix: str, frame: Frame, iteration: int | None
    ) -> ActionRecord:
        record = self.new_record(node, prefix, iteration, RUNNING)
        if node.kind == "terminate":
            self._terminate(node, record, frame)
        elif node.is_container:
            containers.start(self, node, record, frame)
            if record.status in ACTIVE:
                containers.advance(self, node, record, frame)
        else:
            self._offer(node, record, frame)
        return record

    def _continue(self, node: ActionNode, record: ActionRecord, prefix: str, frame: Frame) -> None:
        if node.is_container:
            containers.advance(self, node, record, frame)
            return
        if self._timed_out(node, record):
            self.finish(record, TIMED_OUT, code="ActionTimedOut", error=_timeout_error(node))
        elif record.status == WAITING and record.due_at and self.now >= record.due_at:
            self._offer(node, record, frame)
        elif record.status == RUNNING and (record.due_at is None or self.now >= record.due_at):
            # Pending (Wait, child workflow) and due, or started by a worker that died.
            resumed = record.due_at is not None or bool(record.state)
            if not resumed:
                record.attempts += 1
            record.due_at = None
            self.state.touch(record)
            self._works.append(Work(record, node, frame, resumed=resumed))

    def _offer(self, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
        record.status = RUNNING
        record.attempts += 1
        record.due_at = None
        record.attempt_started = self.now
        self.state.touch(record)
        self._works.append(Work(record, node, frame))

    def _deadline(self, record: ActionRecord) -> datetime | None:
        node = self.plan.nodes.get(record.name)
        limit = containers.action_timeout(node) if node and not node.is_container else None
        return record.started_at + limit if limit and record.started_at else None

    def _timed_out(self, node: ActionNode, record: ActionRecord) -> bool:
        limit = containers.action_timeout(node)
        return bool(limit and record.started_at and self.now - record.started_at >= limit)

    def _terminate(self, node: ActionNode, record: ActionRecord, frame: Frame) -> None:
        try:
            inputs = self.evaluate(node.spec.get("inputs") or {}, frame)
        except Exception as exc:
            self.finish(
                record,
                FAILED,
                code="InvalidTemplate",
                error={"code": "InvalidTemplate", "message": str(exc)},
            )
            return
        record.inputs = inputs
        status = containers.canonical_run_status(inputs.get("runStatus", "Failed"))
        error = inputs.get("runError") if status == FAILED else None
        if status == FAILED and not error:
            error = {"code": "Terminated", "message": "The run was terminated."}
        self.finish(record, SUCCEEDED)
        self.request_end(status, error)

    # ------------------------------------------------------------- completion
    def complete(self, work: Work, outcome: Outcome, now: datetime) -> None:
        """Record what executing `work` produced (retry, still pending, or done)."""
        self.now = now
        record = work.record
        if record.status in TERMINAL:
            return  # cancelled or timed out meanwhile
        if outcome.inputs is not None:
            record.inputs = outcome.inputs
        if outcome.state is not None:
            record.state = outcome.state
        if outcome.pending_until is not None:
            record.due_at = outcome.pending_until
            self.state.touch(record)
            return
        if outcome.status == FAILED and outcome.retryable and self._schedule_retry(work, outcome):
            return
        record.outputs = outcome.outputs
        status, code, error = outcome.status, outcome.code, outcome.error
        if self._timed_out(work.node, record):
            status, code, error = TIMED_OUT, "ActionTimedOut", _timeout_error(work.node)
        self.finish(record, status, code=code, error=error)
        self._track(work)

    def _schedule_retry(self, work: Work, outcome: Outcome) -> bool:
        record = work.record
        try:
            policy = parse_retry_policy((work.node.spec.get("inputs") or {}).get("retryPolicy"))
        except RetryPolicyError as exc:
            outcome.error = {"code": "InvalidRetryPolicy", "message": str(exc)}
            return False
        if not policy.allows_retry(record.attempts):
            return False
        delay = policy.delay(record.attempts, self.rng.random())
        if outcome.retry_after is not None:
            delay = max(delay, timedelta(seconds=outcome.retry_after))
        record.retry_history.append(
            {
                "startTime": iso(record.attempt_started or record.started_at or self.now),
                "endTime": iso(self.now),
                "code": outcome.code,
                "error": outcome.error,
            }
        )
        record.outputs = outcome.outputs
        record.status = WAITING
        record.due_at = self.now + delay
        self.state.touch(record)
        return True

    def _track(self, work: Work) -> None:
        tracked = work.node.spec.get("trackedProperties")
        if not tracked:
            return
        try:
            context = {**self.context(work.frame), "action": work.record.view()}
            from workflows.expressions import evaluate

            work.record.tracked_properties = evaluate(tracked, context)
        except Exception as exc:
            work.record.tracked_properties = {"error": str(exc)}

    # -------------------------------------------------------------- run end
    def _finish_run(self, status: str) -> None:
        self.state.status = status
        self.state.error = RUN_FAILED_ERROR if status == FAILED else None
        self.state.outputs = self._run_outputs()

    def _run_outputs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        spec = self.state.workflow.get("outputs") or {}
        for name, output in spec.items():
            try:
                value = self.evaluate((output or {}).get("value"), ())
            except Exception as exc:
                value = {"error": str(exc)}
            outputs[name] = {"type": (output or {}).get("type"), "value": value}
        return outputs

    def _finish_ended(self) -> None:
        request = self.state.end_request or {"status": CANCELLED}
        containers.sweep_body(self, self.plan.root, "", None)
        self.state.status = request["status"]
        self.state.error = request.get("error")
        self.state.outputs = self._run_outputs()

    # -------------------------------------------------------------- lookups
    def evaluate(self, value: Any, frame: Frame, extra: Frame = ()) -> Any:
        from workflows.expressions import evaluate

        return evaluate(value, self.context(frame, extra))

    def context(self, frame: Frame, extra: Frame = ()) -> dict[str, Any]:
        return build_context(self, frame, self._now_iso(), extra)

    def _now_iso(self) -> str:
        """`iso(self.now)`, made once per step rather than at every evaluation."""
        if self._iso_of is not self.now:
            self._iso_of, self._iso = self.now, iso(self.now)
        return self._iso

    def record_for(self, name: str, frame: dict[str, int]) -> ActionRecord | None:
        node = self.plan.nodes.get(name)
        if node is None:
            return None
        path = self.path_for(node, frame)
        return self.state.records.get(path) if path else None

    def path_for(self, node: ActionNode, frame: dict[str, int]) -> str | None:
        parts: list[str] = []
        for ancestor in node.ancestors():
            part = ancestor.name
            if ancestor.is_loop:
                index = frame.get(ancestor.name)
                if index is None:
                    loop = self.state.records.get("/".join([*parts, ancestor.name]))
                    index = containers.latest_iteration(loop)
                if index is None:
                    return None
                part = f"{ancestor.name}[{index}]"
            parts.append(part)
        return "/".join([*parts, node.name])


def _timeout_error(node: ActionNode) -> dict[str, Any]:
    return {
        "code": "ActionTimedOut",
        "message": f"The action '{node.name}' did not complete within its timeout limit.",
    }
