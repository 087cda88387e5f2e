"""The connector contract.

A connector is one class in one module: identity (`kind`, `title`, `version`,
`description`), a pydantic `Inputs` model whose JSON Schema the designer renders,
and `run(inputs, context)` returning the action's outputs
(`{"statusCode": …, "headers": …, "body": …}` or any JSON value). Connectors never
import `workflows.models`: they get what they need through `ActionContext`.

Errors: raise `ConnectorError` (not retried) or `RetryableError` (the engine applies
the action's retry policy: timeouts, 408, 429, 5xx, connection errors).
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


class RetryableError(ConnectorError):
    retryable = True


@dataclass
class ActionContext:
    """What a connector may know about the run it acts for."""

    workflow_name: str = ""
    run_id: str = ""
    action_name: str = ""
    now: datetime | None = None
    connections: dict[str, dict[str, Any]] = field(default_factory=dict)
    callback_url: str | None = None  # listCallbackUrl() for webhook-style actions
    extra: dict[str, Any] = field(default_factory=dict)

    def log_extra(self) -> dict[str, str]:
        return {"workflow": self.workflow_name, "run": self.run_id, "action": self.action_name}


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
