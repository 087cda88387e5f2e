"""Actions that are not built-ins go to a connector: `connectors.registry.get(type)`.

The connector receives its validated pydantic `Inputs` and an `ActionContext`;
`ConnectorError` becomes a Failed outcome, `RetryableError` a retryable one (the
engine applies the action's retry policy).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from connectors import registry
from connectors.base import ActionContext, ConnectorError, Pending
from workflows.actions.base import ActionFailed, Host
from workflows.engine import Engine, Outcome, Work
from workflows.engine.containers import action_timeout


def _connector_class(node_type: str, inputs: Any) -> Any:
    kind = registry.kind_of(
        {"type": node_type, "inputs": inputs if isinstance(inputs, dict) else {}}
    )
    cls = registry.get(kind)
    if cls is None:
        raise ActionFailed(
            "UnknownActionType",
            f"No built-in action or connector handles action type '{kind}'.",
        )
    return cls


def run_connector(work: Work, inputs: Any, now: datetime, host: Host, engine: Engine) -> Outcome:
    cls = _connector_class(work.node.type, inputs)
    try:
        model = cls.Inputs.model_validate(inputs if inputs is not None else {})
    except ValidationError as exc:
        raise ActionFailed(
            "InvalidInputs", f"Inputs of '{work.node.name}' are invalid: {exc}"
        ) from None
    timeout = action_timeout(work.node)
    context = ActionContext(
        action_name=work.node.name,
        now=now,
        timeout=timeout.total_seconds() if timeout else None,
        operation_options=str(work.node.spec.get("operationOptions") or ""),
        callback_url=engine.callback_url,
        # a long-running connector (HTTP 202 polling) parks the run instead of
        # sleeping in the worker, and is called again with the state it left
        supports_pending=True,
        resume_state=work.record.state if work.resumed and work.record.state else None,
        **host.action_context_fields(),
    )
    try:
        outputs = cls().run(model, context)
    except Pending as pending:
        wait = timedelta(seconds=max(0.0, pending.wait_seconds))
        return Outcome(inputs=inputs, pending_until=now + wait, state=pending.state)
    except ConnectorError as exc:
        return Outcome.failed(
            exc.code,
            exc.message,
            inputs=inputs,
            outputs=exc.outputs,
            retryable=exc.retryable,
            retry_after=exc.retry_after,
        )
    return Outcome(inputs=inputs, outputs=outputs)
