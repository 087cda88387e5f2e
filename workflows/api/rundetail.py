"""The run page: a run with its action runs as a tree, kept small.

Inputs and outputs larger than `INLINE_LIMIT` bytes (as JSON) are left out and
served at `/api/v1/runs/{id}/actions/{path}/inputs|outputs` (and
`/api/v1/runs/{id}/trigger/inputs|outputs`); every record carries the link and the
content size either way. Secured inputs/outputs are replaced by `SECURED`, here
and at the links.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any
from urllib.parse import quote

from django.db import connection
from django.http import Http404

from accounts.connections import scrub
from workflows import rawsql
from workflows.models import ActionRun, Run, Workflow, WorkflowVersion
from workflows.rawsql import Column, column, fetch, select_list, table

INLINE_LIMIT = 64 * 1024
CONTENT_PARTS = ("inputs", "outputs")
SECURED = "Content not shown due to security configuration."
SEALED_KEY = "$secure"  # the engine stores secured contents as {"$secure": <Fernet token>}


def _sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SEALED_KEY}


def content_size(value: Any) -> int:
    return len(json.dumps(value, default=str).encode())


def run_links(run: Run) -> dict[str, str]:
    base = f"/api/v1/runs/{run.id}"
    return {
        "self": base,
        "cancel": f"{base}/cancel",
        "resubmit": f"{base}/resubmit",
        "trigger_inputs": f"{base}/trigger/inputs",
        "trigger_outputs": f"{base}/trigger/outputs",
    }


def action_link(run_id: str, path: str, part: str) -> str:
    return f"/api/v1/runs/{run_id}/actions/{quote(path, safe='/[]')}/{part}"


def _content(
    node: dict, part: str, value: Any, secured: bool, link: str, size: int | None = None
) -> None:
    """`size` is the stored JSON's length when the database measured it (then a
    large `value` was never loaded); otherwise it is measured here."""
    if secured or _sealed(value):
        node[part] = SECURED
        node[f"{part}_link"] = {"uri": link, "content_size": 0}
        return
    if size is None:
        size = content_size(value) if value is not None else 0
    node[part] = value if size <= INLINE_LIMIT else None
    node[f"{part}_link"] = {"uri": link, "content_size": size}


def _ms(start, end) -> int | None:
    return int((end - start).total_seconds() * 1000) if start and end else None


def action_node(a: dict[str, Any]) -> dict[str, Any]:
    """A tree node from an action-run row (a `.values()` dict)."""
    node: dict[str, Any] = {
        "name": a["name"],
        "path": a["path"],
        "type": a["type"],
        "status": a["status"],
        "code": a["code"],
        "iteration": a["iteration"],
        "start_time": a["started_at"],
        "end_time": a["ended_at"],
        "duration_ms": _ms(a["started_at"], a["ended_at"]),
        "attempts": a["attempts"],
        "retry_history": a["retry_history"],
        "error": a["error"],
        "tracked_properties": a["tracked_properties"],
    }
    _content(
        node,
        "inputs",
        a["inputs"],
        a["secure_inputs"],
        action_link(a["run_id"], a["path"], "inputs"),
        a.get("inputs_size"),
    )
    _content(
        node,
        "outputs",
        a["outputs"],
        a["secure_outputs"],
        action_link(a["run_id"], a["path"], "outputs"),
        a.get("outputs_size"),
    )
    node["children"] = []
    return node


def _placeholder(path: str) -> dict[str, Any]:
    """A level with no row of its own: a loop iteration `Loop[3]` (or anything else)."""
    node: dict[str, Any] = {"name": path.rsplit("/", 1)[-1], "path": path, "type": "Repetition"}
    _, _, index = path[:-1].rpartition("[") if path.endswith("]") else ("", "", "")
    node["iteration"] = int(index) if index.isdigit() else None
    node["children"] = []
    return node


def _container_of(path: str) -> str:
    """`Loop[3]` belongs to `Loop`; `Scope/Inner` to `Scope`."""
    if path.endswith("]") and "[" in path:
        return path[: path.rindex("[")]
    return path.rsplit("/", 1)[0] if "/" in path else ""


def action_tree(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    nodes = {a["path"]: action_node(a) for a in actions}
    roots: list[dict[str, Any]] = []
    for a in actions:
        _attach(nodes, roots, nodes[a["path"]], a["parent_path"])
    return roots


def _attach(nodes: dict, roots: list, node: dict, parent_path: str) -> None:
    if not parent_path:
        roots.append(node)
        return
    parent = nodes.get(parent_path)
    if parent is None:
        parent = nodes[parent_path] = _placeholder(parent_path)
        _attach(nodes, roots, parent, _container_of(parent_path))
    parent["children"].append(node)


def _trigger_secure(run: Run) -> tuple[bool, bool]:
    definition = run.version.definition if run.version_id else {}
    trigger = (definition.get("triggers") or {}).get(run.trigger_name) or {}
    props = ((trigger.get("runtimeConfiguration") or {}).get("secureData") or {}).get(
        "properties"
    ) or []
    return "inputs" in props, "outputs" in props


def trigger_record(run: Run) -> dict[str, Any]:
    record = dict(run.trigger or {})
    secure_in, secure_out = _trigger_secure(run)
    base = f"/api/v1/runs/{run.id}/trigger"
    record["name"] = record.get("name") or run.trigger_name
    _content(record, "inputs", record.get("inputs"), secure_in, f"{base}/inputs")
    _content(record, "outputs", record.get("outputs"), secure_out, f"{base}/outputs")
    return record


def trigger_content(run: Run, part: str) -> Any:
    secure_in, secure_out = _trigger_secure(run)
    value = (run.trigger or {}).get(part)
    if (secure_in and part == "inputs") or (secure_out and part == "outputs") or _sealed(value):
        return SECURED
    return scrub(value)


def action_content(action: ActionRun, part: str) -> Any:
    secured = action.secure_inputs if part == "inputs" else action.secure_outputs
    value = getattr(action, part)
    return SECURED if secured or _sealed(value) else scrub(value)


def action_rows(run: Run) -> list[dict[str, Any]]:
    """Action-run rows with the stored size of their inputs/outputs measured by the
    database, and only the contents small enough to show inline loaded: a run whose
    actions hold megabytes costs one index scan, not decoding the megabytes."""
    return fetch(_action_sql(connection.vendor), (run.id,), _ACTION_COLUMNS, _SIZES)


@cache
def _action_sql(vendor: str) -> str:
    def size(part: str) -> str:
        return f"LENGTH(CAST({column(ActionRun, part, 'a')} AS TEXT))"

    meta = select_list(_ACTION_COLUMNS[: -len(CONTENT_PARTS)])
    small = ", ".join(
        f"CASE WHEN {size(part)} <= {INLINE_LIMIT} THEN {column(ActionRun, part, 'a')} END"
        for part in CONTENT_PARTS
    )
    sizes = ", ".join(f"COALESCE({size(part)}, 0)" for part in CONTENT_PARTS)
    return (
        f"SELECT {meta}, {small}, {sizes} FROM {table(ActionRun)} a "
        f"WHERE {column(ActionRun, 'run', 'a')} = %s "
        f"ORDER BY {column(ActionRun, 'started_at', 'a')}, {column(ActionRun, 'id', 'a')}"
    )


def load_run(run_id: str) -> Run:
    """The run (without the engine's `state`) with its workflow's name and its
    version's number and definition, in one hand-written SELECT; `Http404` if none."""
    rows = fetch(_run_sql(connection.vendor), (run_id,), _run_columns())
    if not rows:
        raise Http404("No Run matches the given query.")  # get_object_or_404's words
    row = rows[0]
    run = rawsql.instance(Run, row, "r")
    run.workflow = rawsql.instance(Workflow, row, "w")
    run.version = rawsql.instance(WorkflowVersion, row, "v")
    return run


@cache
def _run_columns() -> tuple[Column, ...]:
    return (
        *rawsql.own_columns(Run, "r", skip=("state",)),
        Column("w.id", Workflow, "id", "w"),
        Column("w.name", Workflow, "name", "w"),
        Column("v.id", WorkflowVersion, "id", "v"),
        Column("v.number", WorkflowVersion, "number", "v"),
        Column("v.definition", WorkflowVersion, "definition", "v"),
    )


@cache
def _run_sql(vendor: str) -> str:
    return rawsql.run_select(_run_columns())


def run_detail(run: Run) -> dict[str, Any]:
    actions = action_rows(run)
    return {
        "run": run,
        "trigger": trigger_record(run),
        "actions": action_tree(actions),
        "links": run_links(run),
    }


_ACTION_FIELDS = (
    "id",
    "run_id",
    "path",
    "name",
    "parent_path",
    "iteration",
    "type",
    "status",
    "code",
    "started_at",
    "ended_at",
    "error",
    "attempts",
    "retry_history",
    "tracked_properties",
    "secure_inputs",
    "secure_outputs",
    *CONTENT_PARTS,  # last: the SQL selects them only when small
)
_ACTION_COLUMNS = tuple(
    Column(name, ActionRun, "run" if name == "run_id" else name, "a") for name in _ACTION_FIELDS
)
_SIZES = tuple(f"{part}_size" for part in CONTENT_PARTS)
