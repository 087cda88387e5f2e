"""The expression context for one evaluation: what `actions('X')`, `items('L')`,
`variables('v')`, `triggerBody()`… see at a given point of a run.

A `Frame` is the chain of loop iterations the evaluation happens in, outermost
first. `ActionsView` resolves action names lazily: an action inside a loop means
the current iteration's record when the evaluation is inside that loop, else the
latest iteration's record (how an action after a loop reads the loop's last body).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workflows.engine.decisions import Engine


@dataclass(frozen=True)
class Step:
    loop: str
    index: int
    item: Any = None
    kind: str = "foreach"


Frame = tuple[Step, ...]


class ActionsView(Mapping[str, Any]):
    def __init__(self, engine: Engine, frame: Frame) -> None:
        self._engine = engine
        self._frame = {step.loop: step.index for step in frame}

    def __getitem__(self, name: str) -> Any:
        record = self._engine.record_for(name, self._frame)
        if record is None:
            raise KeyError(name)
        return record.view()

    def __iter__(self) -> Iterator[str]:
        return iter(self._engine.plan.nodes)

    def __len__(self) -> int:
        return len(self._engine.plan.nodes)


def _parameters(engine: Engine) -> dict[str, Any]:
    """Definition parameters, plus `$connections` (Logic Apps' shape: name →
    {connectionId, connectionName, …its parameters}) when the run uses any."""
    if not engine.connections:
        return engine.state.parameters
    connections = {
        name: {"connectionId": name, "connectionName": name, **values}
        for name, values in engine.connections.items()
    }
    return {**engine.state.parameters, "$connections": connections}


def build_context(engine: Engine, frame: Frame, now_iso: str, extra: Frame = ()) -> dict[str, Any]:
    steps = frame + extra
    state = engine.state
    return {
        "parameters": _parameters(engine),
        "variables": state.variables,
        "trigger": state.trigger,
        "actions": ActionsView(engine, frame),
        "items": {step.loop: step.item for step in steps if step.kind == "foreach"},
        "iteration_indexes": {step.loop: step.index for step in steps if step.kind == "until"},
        "scopes": engine.scopes,
        "workflow": state.workflow,
        "callback_url": engine.lazy_callback_url,  # signed only when asked for
        "appsettings": engine.appsettings,
        "now": now_iso,
    }
