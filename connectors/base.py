"""The connector contract.

A connector is one class in one module: identity (`kind`, `title`, `version`,
`description`), a pydantic `Inputs` model whose JSON Schema the designer renders,
and `run(inputs, context)` returning the action's outputs
(`{"statusCode": …, "headers": …, "body": …}` or any JSON value). Connectors never
import `workflows.models`: they get what they need through `ActionContext`.

`kind` is what the engine looks up. For classic WDL actions it is the action's
`type` ("Http", "Template", "SendToBatch"). For Standard built-in connectors
(`type: "ServiceProvider"`) it is `ServiceProvider/<serviceProviderId's last
segment>/<operationId>`, e.g. `ServiceProvider/AzureBlob/readBlob`; lookups are
case-insensitive. `connectors.registry.kind_of(action)` and `inputs_of(action)`
do that mapping so the engine never has to.

Errors: raise `ConnectorError` (not retried) or `RetryableError` (the engine applies
the action's retry policy: timeouts, 408, 429, 5xx, connection errors).

Triggers that are not plain actions (polling, webhook subscription, batches) are
`Trigger` classes registered with `@register_trigger` under their WDL trigger type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel


class ConnectorError(Exception):
    """An action failed. `code` becomes the action's code; `outputs` are kept."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: str = "ActionFailed",
        status_code: int | None = None,
        outputs: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status_code = status_code
        self.outputs = outputs
        self.retry_after = retry_after

    def as_error(self) -> dict[str, Any]:
        """The WDL error object (`{"code", "message"}`) for the action record."""
        return {"code": self.code, "message": self.message}


class RetryableError(ConnectorError):
    retryable = True


class Pending(Exception):
    """The action is still running remotely: park the run and call `run()` again
    after `wait_seconds` with `ActionContext.resume_state = state`. Only raised
    when the engine says it can park (`ActionContext.supports_pending`)."""

    def __init__(self, wait_seconds: float, state: dict[str, Any], outputs: Any = None) -> None:
        super().__init__(f"pending for {wait_seconds}s")
        self.wait_seconds = wait_seconds
        self.state = state
        self.outputs = outputs


@dataclass
class ActionContext:
    """What a connector may know about the run it acts for.

    `timeout` is the action's `limit.timeout` in seconds (None = connector
    default); `operation_options` is the action's `operationOptions` string
    (comma-separated in WDL, e.g. "DisableAsyncPattern"). With
    `supports_pending` a long-running connector raises `Pending` instead of
    sleeping, and is called again with `resume_state`.
    """

    workflow_name: str = ""
    run_id: str = ""
    action_name: str = ""
    now: datetime | None = None
    connections: dict[str, dict[str, Any]] = field(default_factory=dict)
    callback_url: str | None = None  # listCallbackUrl() for webhook-style actions
    timeout: float | None = None
    operation_options: str = ""
    supports_pending: bool = False  # the engine parks the run on `Pending`
    resume_state: dict[str, Any] | None = None  # the `Pending.state` being resumed
    extra: dict[str, Any] = field(default_factory=dict)

    def log_extra(self) -> dict[str, str]:
        return {"workflow": self.workflow_name, "run": self.run_id, "action": self.action_name}

    def has_option(self, name: str) -> bool:
        options = {o.strip().lower() for o in (self.operation_options or "").split(",")}
        return name.lower() in options


class Connector:
    kind: ClassVar[str]  # the WDL `type` (or `ServiceProvider/<id>/<operationId>`)
    title: ClassVar[str]
    version: ClassVar[str] = "1.0"
    description: ClassVar[str] = ""
    icon: ClassVar[str] = ""
    Inputs: ClassVar[type[BaseModel]]
    Outputs: ClassVar[type[BaseModel] | None] = None
    examples: ClassVar[list[dict[str, Any]]] = []

    def run(self, inputs: Any, context: ActionContext) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def catalog_entry(cls) -> dict[str, Any]:
        return {
            "kind": cls.kind,
            "title": cls.title,
            "version": cls.version,
            "description": cls.description,
            "icon": cls.icon,
            "inputs": cls.Inputs.model_json_schema(),
            "outputs": cls.Outputs.model_json_schema() if cls.Outputs else {},
            "examples": cls.examples,
        }


class Trigger:
    """A trigger type the scheduler drives (`poll`) or the API sets up (webhooks).

    `poll(inputs, state, context) -> PollResult` must be side-effect free apart
    from talking to the remote system: the caller persists `PollResult.state`
    and starts one run per item of `PollResult.fires`.
    """

    kind: ClassVar[str]
    title: ClassVar[str]
    version: ClassVar[str] = "1.0"
    description: ClassVar[str] = ""
    Inputs: ClassVar[type[BaseModel]]
    examples: ClassVar[list[dict[str, Any]]] = []

    @classmethod
    def catalog_entry(cls) -> dict[str, Any]:
        return {
            "kind": cls.kind,
            "title": cls.title,
            "version": cls.version,
            "description": cls.description,
            "trigger": True,
            "inputs": cls.Inputs.model_json_schema(),
            "examples": cls.examples,
        }


@dataclass
class PollResult:
    """What one poll found: outputs of the runs to start, the new state to
    remember, and optionally how many seconds until the next poll."""

    fires: list[Any] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    next_poll_in: float | None = None
