"""What a built-in action gets to work with, and the registry of built-ins.

`ActionEnv` hands an action its evaluated inputs, a way to evaluate more
expressions (Query's `where` per item), the run's variables, its own pending
state (a Wait's deadline, a child run's id) and `host`: the hooks of the driver
that runs it (answering the HTTP caller, starting a child run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from workflows.engine import Engine, Outcome, Step, Work


class Host(Protocol):
    """Driver hooks for the actions that reach outside the engine."""

    def respond(self, response: dict[str, Any]) -> bool: ...

    def start_child(
        self, workflow: str, trigger: str, outputs: dict[str, Any], action_path: str
    ) -> str: ...

    def child_result(self, child_id: str) -> dict[str, Any] | None: ...

    def action_context_fields(self) -> dict[str, Any]: ...


class ActionFailed(Exception):
    """A built-in action failed; `code` becomes the action's code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ActionEnv:
    engine: Engine
    work: Work
    now: datetime
    host: Host

    @property
    def spec(self) -> dict[str, Any]:
        return self.work.node.spec

    @property
    def variables(self) -> dict[str, Any]:
        return self.engine.state.variables

    @property
    def variable_types(self) -> dict[str, str]:
        return self.engine.state.variable_types

    @property
    def pending(self) -> dict[str, Any]:
        return self.work.record.state

    def evaluate(self, value: Any, extra: tuple[Step, ...] = ()) -> Any:
        return self.engine.evaluate(value, self.work.frame, extra)

    def item_step(self, item: Any, index: int) -> tuple[Step, ...]:
        return (Step(self.work.node.name, index, item, "foreach"),)


Handler = Callable[[Any, ActionEnv], Outcome]


@dataclass(frozen=True)
class Builtin:
    handler: Handler
    raw_inputs: frozenset[str] = frozenset()  # input keys evaluated by the handler itself


BUILTINS: dict[str, Builtin] = {}


def builtin(*types: str, raw: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for kind in types:
            BUILTINS[kind.lower()] = Builtin(handler, frozenset(raw))
        return handler

    return register
