"""Walking a WDL definition: the containers and the nested blocks they hold.

Shared by validation, the engine and the API so that "where do nested actions
live" is written once: `actions` (Scope, Foreach, Until, If's true branch),
`else.actions` (If), `cases.<name>.actions` and `default.actions` (Switch).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

CONTAINER_TYPES = frozenset({"If", "Switch", "Foreach", "Until", "Scope"})
LOOP_TYPES = frozenset({"Foreach", "Until"})


def escape_pointer(token: str) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def child_blocks(action: Any) -> Iterator[tuple[str, dict]]:
    """(pointer suffix, actions dict) for every block of nested actions in `action`."""
    if not isinstance(action, dict):
        return
    if isinstance(action.get("actions"), dict):
        yield "/actions", action["actions"]
    otherwise = action.get("else")
    if (
        action.get("type") == "If"
        and isinstance(otherwise, dict)
        and isinstance(otherwise.get("actions"), dict)
    ):
        yield "/else/actions", otherwise["actions"]
    if action.get("type") == "Switch":
        for case_name, case in (action.get("cases") or {}).items():
            if isinstance(case, dict) and isinstance(case.get("actions"), dict):
                yield f"/cases/{escape_pointer(case_name)}/actions", case["actions"]
        default = action.get("default")
        if isinstance(default, dict) and isinstance(default.get("actions"), dict):
            yield "/default/actions", default["actions"]


@dataclass(frozen=True)
class ActionEntry:
    name: str
    action: Any
    pointer: str
    parent: str | None  # the container action's name, None at top level
    depth: int  # 1 at top level
    loops: int  # how many Foreach/Until containers enclose it


def iter_actions(
    actions: dict,
    pointer: str = "/actions",
    parent: str | None = None,
    depth: int = 1,
    loops: int = 0,
) -> Iterator[ActionEntry]:
    """Every action at every nesting level, parents before children."""
    if not isinstance(actions, dict):
        return
    for name, action in actions.items():
        action_pointer = f"{pointer}/{escape_pointer(name)}"
        yield ActionEntry(name, action, action_pointer, parent, depth, loops)
        inner_loops = loops + (
            1 if isinstance(action, dict) and action.get("type") in LOOP_TYPES else 0
        )
        for suffix, block in child_blocks(action):
            yield from iter_actions(block, action_pointer + suffix, name, depth + 1, inner_loops)
