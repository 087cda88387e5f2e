"""In-memory run state the engine decides over: one `ActionRecord` per action run
(keyed by path) plus the run-level facts (variables, trigger, terminate request).

The durable driver loads these from `ActionRun` rows and writes back the records
listed in `RunState.dirty`; the stateless driver never writes them at all.

Paths: `Name` at the root, `Scope/Inner` inside a container, `Loop[3]/Inner` in
iteration 3 of a Foreach or Until.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflows.engine.graph import (
    ABORTED,
    CANCELLED,
    FAILED,
    RUNNING,
    SKIPPED,
    SUCCEEDED,
    TIMED_OUT,
    WAITING,
)

TERMINAL = frozenset({SUCCEEDED, FAILED, SKIPPED, TIMED_OUT, CANCELLED, ABORTED})
ACTIVE = frozenset({RUNNING, WAITING})
FAILURES = frozenset({FAILED, TIMED_OUT, CANCELLED, ABORTED})


@dataclass
class ActionRecord:
    path: str
    name: str
    type: str
    parent_path: str = ""
    iteration: int | None = None
    status: str = RUNNING
    code: str = ""
    inputs: Any = None
    outputs: Any = None
    error: dict[str, Any] | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    attempts: int = 0
    retry_history: list[dict[str, Any]] = field(default_factory=list)
    due_at: datetime | None = None
    state: dict[str, Any] = field(default_factory=dict)
    tracked_properties: dict[str, Any] | None = None
    secure_inputs: bool = False
    secure_outputs: bool = False
    attempt_started: datetime | None = None  # not persisted: start of the current attempt
    db_id: int | None = None  # set by the durable driver
    stored_status: str | None = None  # status as last written (for compare-and-set)

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def view(self) -> dict[str, Any]:
        """The shape expressions see through `actions('name')`."""
        return {
            "name": self.name,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "status": self.status,
            "code": self.code or None,
            "error": self.error,
            "startTime": _iso(self.started_at),
            "endTime": _iso(self.ended_at),
            "trackingId": None,
            "clientTrackingId": None,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


@dataclass
class RunState:
    records: dict[str, ActionRecord] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    variable_types: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    trigger: dict[str, Any] = field(default_factory=dict)
    workflow: dict[str, Any] = field(default_factory=dict)
    started_at: datetime | None = None
    status: str = RUNNING
    error: dict[str, Any] | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    response: dict[str, Any] | None = None
    end_request: dict[str, Any] | None = None  # Terminate / cancel: {status, error}
    dirty: dict[str, None] = field(default_factory=dict)  # insertion-ordered set

    def put(self, record: ActionRecord) -> ActionRecord:
        self.records[record.path] = record
        self.dirty[record.path] = None
        return record

    def touch(self, record: ActionRecord) -> None:
        self.dirty[record.path] = None

    def take_dirty(self) -> list[ActionRecord]:
        records = [self.records[path] for path in self.dirty]
        self.dirty = {}
        return records

    @property
    def done(self) -> bool:
        return self.status in TERMINAL
