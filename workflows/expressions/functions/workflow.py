"""Workflow functions: what a run knows (parameters, variables, trigger, actions, loops).

All read the evaluation context (`context.py`); none mutates it. `body()` and
`triggerBody()` return null when the outputs have no body, as Logic Apps does;
a missing action, parameter or variable is an error naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflows.expressions.context import EvalContext
from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions._args import need_str
from workflows.expressions.registry import function

_RESULT_FIELDS = (
    "name",
    "inputs",
    "outputs",
    "startTime",
    "endTime",
    "status",
    "code",
    "error",
    "trackingId",
    "clientTrackingId",
)


def _outputs(record: Mapping[str, Any]) -> Any:
    return record.get("outputs")


def _body(outputs: Any) -> Any:
    return outputs.get("body") if isinstance(outputs, Mapping) else None


@function("parameters", "parameters(parameterName: string)", min_args=1, context=True)
def parameters(ctx: EvalContext, name: Any) -> Any:
    return ctx.parameter(need_str("parameters", name))


@function("variables", "variables(variableName: string)", min_args=1, context=True)
def variables(ctx: EvalContext, name: Any) -> Any:
    return ctx.variable(need_str("variables", name))


@function("appsetting", "appsetting(name: string)", min_args=1, context=True)
def appsetting(ctx: EvalContext, name: Any) -> Any:
    return ctx.appsetting(need_str("appsetting", name))


@function("trigger", "trigger()", min_args=0, context=True)
def trigger(ctx: EvalContext) -> Any:
    return ctx.trigger()


@function("triggers", "triggers()", min_args=0, context=True)
def triggers(ctx: EvalContext) -> Any:
    return ctx.trigger()


@function("triggerOutputs", "triggerOutputs()", min_args=0, context=True)
def trigger_outputs(ctx: EvalContext) -> Any:
    return _outputs(ctx.trigger())


@function("triggerBody", "triggerBody()", min_args=0, context=True)
def trigger_body(ctx: EvalContext) -> Any:
    return _body(_outputs(ctx.trigger()))


@function("actions", "actions(actionName: string)", min_args=1, context=True)
def actions(ctx: EvalContext, name: Any) -> Any:
    return ctx.action(need_str("actions", name))


@function("action", "action()", min_args=0, context=True)
def action(ctx: EvalContext) -> Any:
    current = ctx.data.get("action")
    if not isinstance(current, Mapping):
        raise ExpressionError(
            "The function 'action()' can only be used where the current action's "
            "results are known (trackedProperties)"
        )
    return current


@function("outputs", "outputs(actionName: string)", min_args=1, context=True)
def outputs(ctx: EvalContext, name: Any) -> Any:
    return _outputs(ctx.action(need_str("outputs", name)))


@function("actionOutputs", "actionOutputs(actionName: string)", min_args=1, context=True)
def action_outputs(ctx: EvalContext, name: Any) -> Any:
    return _outputs(ctx.action(need_str("actionOutputs", name)))


@function("body", "body(actionName: string)", min_args=1, context=True)
def body(ctx: EvalContext, name: Any) -> Any:
    return _body(_outputs(ctx.action(need_str("body", name))))


@function("actionBody", "actionBody(actionName: string)", min_args=1, context=True)
def action_body(ctx: EvalContext, name: Any) -> Any:
    return _body(_outputs(ctx.action(need_str("actionBody", name))))


@function("result", "result(scopedActionName?: string)", min_args=0, max_args=1, context=True)
def result(ctx: EvalContext, scope: Any = None) -> Any:
    if scope is None:
        scope = ctx.data.get("scope")
        if scope is None:
            raise ExpressionError("The function 'result()' needs the name of a scoped action")
    entries = ctx.scope_actions(need_str("result", scope))
    actions_map = ctx.section("actions")
    results = []
    for entry in entries:
        if isinstance(entry, Mapping):  # the engine built the entry (e.g. per-iteration outputs)
            results.append(dict(entry))
            continue
        record = actions_map.get(entry)
        if record is not None:
            results.append(_result_entry(entry, record))
    return results


def _result_entry(name: str, record: Any) -> dict[str, Any]:
    record = record if isinstance(record, Mapping) else {}
    entry = {field: record.get(field) for field in _RESULT_FIELDS if field in record}
    entry.setdefault("name", name)
    return entry


@function("item", "item()", min_args=0, context=True)
def item(ctx: EvalContext) -> Any:
    return ctx.loop_item(None)


@function("items", "items(loopName: string)", min_args=1, context=True)
def items(ctx: EvalContext, loop: Any) -> Any:
    return ctx.loop_item(need_str("items", loop))


@function("iterationIndexes", "iterationIndexes(loopName: string)", min_args=1, context=True)
def iteration_indexes(ctx: EvalContext, loop: Any) -> Any:
    return ctx.iteration_index(need_str("iterationIndexes", loop))


@function("listCallbackUrl", "listCallbackUrl()", min_args=0, context=True)
def list_callback_url(ctx: EvalContext) -> Any:
    url = ctx.data.get("callback_url")
    if callable(url):  # the engine signs it only for the runs that ask
        url = url()
    if url is None:
        raise ExpressionError(
            "The function 'listCallbackUrl()' is only available in HttpWebhook and "
            "ApiConnectionWebhook actions and triggers"
        )
    return url


@function("workflow", "workflow()", min_args=0, context=True)
def workflow(ctx: EvalContext) -> Any:
    info = ctx.data.get("workflow")
    return dict(info) if isinstance(info, Mapping) else {}
