"""Actions that wait or reach outside the run: Wait, Response and the child
`Workflow` action.

Waiting never holds a worker: these return a pending `Outcome` (`pending_until`
plus a small `state`) and the engine offers them again when that time comes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from workflows.actions.base import ActionEnv, ActionFailed, builtin
from workflows.engine import Outcome
from workflows.engine.durations import DurationError, interval_to_timedelta

STRIPPED_RESPONSE_HEADERS = frozenset(
    {"allow", "cookie", "expires", "last-modified", "set-cookie", "transfer-encoding"}
)
KEPT_CONTENT_HEADERS = frozenset({"content-disposition", "content-encoding", "content-type"})
CHILD_POLL = timedelta(seconds=1)
CHILD_POLL_MAX = timedelta(seconds=10)


def _parse_time(text: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise ActionFailed("InvalidInputs", f"'{text}' is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment


def _wait_deadline(inputs: Any, env: ActionEnv) -> datetime:
    if not isinstance(inputs, dict):
        raise ActionFailed(
            "InvalidInputs", "Wait needs 'interval' {count, unit} or 'until' {timestamp}."
        )
    if "until" in inputs:
        return _parse_time((inputs["until"] or {}).get("timestamp"))
    interval = inputs.get("interval") or {}
    try:
        return env.now + interval_to_timedelta(
            float(interval.get("count", 0)), interval.get("unit", "Second")
        )
    except (DurationError, TypeError, ValueError) as exc:
        raise ActionFailed("InvalidInputs", f"Wait interval: {exc}") from None


@builtin("Wait")
def wait(inputs: Any, env: ActionEnv) -> Outcome:
    deadline = (
        _parse_time(env.pending["until"]) if "until" in env.pending else _wait_deadline(inputs, env)
    )
    if env.now >= deadline:
        return Outcome(inputs=inputs, outputs=None)
    return Outcome(inputs=inputs, pending_until=deadline, state={"until": deadline.isoformat()})


def response_headers(headers: Any) -> dict[str, Any]:
    """Drop the headers Logic Apps never lets a Response set (spec §1.3)."""
    if not isinstance(headers, dict):
        return {}
    kept = {}
    for name, value in headers.items():
        key = str(name).lower()
        if key in STRIPPED_RESPONSE_HEADERS or (
            key.startswith("content-") and key not in KEPT_CONTENT_HEADERS
        ):
            continue
        kept[str(name)] = value
    return kept


def _status_code(value: Any) -> int:
    try:
        code = int(value)
    except (TypeError, ValueError):
        raise ActionFailed(
            "InvalidStatusCode", f"The Response statusCode '{value}' is not a number."
        ) from None
    if not (200 <= code < 300 or 400 <= code < 600):
        raise ActionFailed(
            "InvalidStatusCode", f"The Response statusCode {code} must be 2xx, 4xx or 5xx."
        )
    return code


@builtin("Response")
def response(inputs: Any, env: ActionEnv) -> Outcome:
    inputs = inputs if isinstance(inputs, dict) else {}
    answer = {
        "statusCode": _status_code(inputs.get("statusCode", 200)),
        "headers": response_headers(inputs.get("headers")),
        "body": inputs.get("body"),
    }
    if env.work.record.attempts > 1 and env.engine.state.response == answer:
        return Outcome(inputs=inputs, outputs=answer)  # a repeat after a crash: already answered
    if not env.host.respond(answer):
        raise ActionFailed(
            "ActionResponseAlreadySent",
            "The request has already been answered by another Response action.",
        )
    return Outcome(inputs=inputs, outputs=answer)


def child_workflow_name(inputs: dict[str, Any]) -> tuple[str, str]:
    host = inputs.get("host") or {}
    ident = str((host.get("workflow") or {}).get("id") or "")
    if not ident:
        raise ActionFailed("InvalidInputs", "The Workflow action needs host.workflow.id.")
    name = (
        ident.rstrip("/").split("/workflows/")[-1].split("/")[0]
        if "/workflows/" in ident
        else ident
    )
    return name, str(host.get("triggerName") or "manual")


@builtin("Workflow")
def workflow(inputs: Any, env: ActionEnv) -> Outcome:
    inputs = inputs if isinstance(inputs, dict) else {}
    if "child" not in env.pending:
        name, trigger = child_workflow_name(inputs)
        outputs = {"headers": inputs.get("headers") or {}, "body": inputs.get("body")}
        child = env.host.start_child(name, trigger, outputs, env.work.record.path)
        return Outcome(
            inputs=inputs, pending_until=env.now + CHILD_POLL, state={"child": child, "polls": 0}
        )
    result = env.host.child_result(env.pending["child"])
    if result is None:
        polls = env.pending.get("polls", 0) + 1
        delay = min(CHILD_POLL * (1 + polls // 5), CHILD_POLL_MAX)
        return Outcome(
            inputs=inputs, pending_until=env.now + delay, state={**env.pending, "polls": polls}
        )
    return _child_outcome(inputs, result)


def _child_outcome(inputs: dict[str, Any], result: dict[str, Any]) -> Outcome:
    answer = result.get("response")
    if answer is not None:
        outputs = {
            "statusCode": answer.get("statusCode"),
            "headers": answer.get("headers"),
            "body": answer.get("body"),
        }
        if int(answer.get("statusCode") or 200) >= 400:
            return Outcome.failed(
                "ActionFailed",
                f"The child workflow answered {answer.get('statusCode')}.",
                inputs=inputs,
                outputs=outputs,
            )
        return Outcome(inputs=inputs, outputs=outputs)
    if result.get("status") == "Succeeded":
        return Outcome(inputs=inputs, outputs={"statusCode": 200, "headers": {}, "body": None})
    error = result.get("error") or {
        "code": "ActionFailed",
        "message": "The child workflow run failed.",
    }
    return Outcome.failed(
        error.get("code", "ActionFailed"), error.get("message", ""), inputs=inputs
    )
