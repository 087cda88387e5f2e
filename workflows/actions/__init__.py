"""Built-in actions and the one function the drivers call: `execute(work, engine, now, host)`.

Built-ins (Compose, variables, ParseJson, Query, Select, Join, Table, Wait,
Response, child Workflow) live here; any other type goes to
`connectors.registry.get(type)`; an unknown type fails the action with a clear
error. Every failure becomes an `Outcome` — nothing raised here reaches a driver.
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime
from typing import Any

from workflows.actions import control, data, variables  # noqa: F401  (register built-ins)
from workflows.actions.base import BUILTINS, ActionEnv, ActionFailed, Host
from workflows.actions.connector import run_connector
from workflows.engine import Engine, Outcome, Work

log = logging.getLogger("sluice.actions")


# Response is pure too: the driver records the Response with its wave's records in
# one commit and only then tells a waiting caller, so a repeat after a crash is unseen.
IMPURE_BUILTINS = frozenset({"workflow"})


def is_pure(action_type: str) -> bool:
    """A built-in whose only effects are on the run itself (safe to repeat unseen)."""
    kind = action_type.lower()
    return kind in BUILTINS and kind not in IMPURE_BUILTINS


def _evaluate_inputs(work: Work, engine: Engine, raw: frozenset[str]) -> Any:
    spec = work.node.spec.get("inputs")
    if isinstance(spec, dict) and raw:
        spec = {key: value for key, value in spec.items() if key not in raw}
    return engine.evaluate(spec, work.frame)


def static_result(work: Work, engine: Engine) -> Outcome | None:
    """`runtimeConfiguration.staticResult` (testing mode): the action is not run;
    its outcome is the definition's `staticResults[name]` ({status, outputs})."""
    runtime = work.node.spec.get("runtimeConfiguration")
    if not runtime:
        return None
    config = runtime.get("staticResult") or {}
    if str(config.get("staticResultOptions", "")).lower() != "enabled":
        return None
    result = engine.plan.static_results.get(config.get("name"))
    if not isinstance(result, dict):
        return Outcome.failed(
            "StaticResultNotFound", f"No staticResults entry named '{config.get('name')}'."
        )
    status = str(result.get("status", "Succeeded"))
    error = result.get("error") if status != "Succeeded" else None
    if status != "Succeeded" and not error:
        error = {"code": str(result.get("code") or status), "message": "Static result."}
    return Outcome(
        status, outputs=result.get("outputs"), error=error, code=(error or {}).get("code", "")
    )


_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Outputs are stored as JSON: bytes become Logic Apps' `$content` form, times
    ISO strings, anything else unknown its `str()`. (Plain leaves are taken as
    they are without a call each: most outputs are small trees of them.)"""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {
            key if type(key) is str else str(key): item if type(item) in _PLAIN else jsonable(item)
            for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _PLAIN else jsonable(item) for item in value]
    return _jsonable_other(value)


def _jsonable_other(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return {
            "$content-type": "application/octet-stream",
            "$content": base64.b64encode(value).decode(),
        }
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return jsonable(value.model_dump(mode="json"))
    return str(value)


def execute(work: Work, engine: Engine, now: datetime, host: Host) -> Outcome:
    """Run one leaf action; never raises."""
    outcome = _execute(work, engine, now, host)
    outcome.outputs = jsonable(outcome.outputs)
    outcome.inputs = jsonable(outcome.inputs)
    return outcome


def _execute(work: Work, engine: Engine, now: datetime, host: Host) -> Outcome:
    kind = work.node.type.lower()
    builtin = BUILTINS.get(kind)
    try:
        inputs = _evaluate_inputs(work, engine, builtin.raw_inputs if builtin else frozenset())
    except Exception as exc:
        return Outcome.failed(
            "InvalidTemplate",
            f"Unable to process template language expressions in action '{work.node.name}' inputs: {exc}",
        )
    static = static_result(work, engine)
    if static is not None:
        return static
    try:
        if builtin is not None:
            return builtin.handler(inputs, ActionEnv(engine, work, now, host))
        return run_connector(work, inputs, now, host, engine)
    except ActionFailed as exc:
        return Outcome.failed(exc.code, exc.message, inputs=inputs)
    except Exception as exc:
        log.exception("action %s crashed", work.record.path, extra={"action": work.record.path})
        return Outcome.failed("ActionFailed", f"{type(exc).__name__}: {exc}", inputs=inputs)


__all__ = ["ActionEnv", "Host", "execute", "is_pure"]
