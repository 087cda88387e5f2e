"""A JSON diff by pointer: what changed between two definitions.

Each change is `{"op": "add"|"remove"|"replace", "pointer": "/actions/x/inputs",
"from": old, "to": new}` (RFC 6901 pointers). Objects are compared key by key;
arrays element by element (a shorter/longer array yields add/remove at the end).
"""

from __future__ import annotations

from typing import Any

from workflows.definition import escape_pointer


def diff(old: Any, new: Any, pointer: str = "") -> list[dict[str, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        return _diff_objects(old, new, pointer)
    if isinstance(old, list) and isinstance(new, list):
        return _diff_arrays(old, new, pointer)
    if old == new and type(old) is type(new):
        return []
    return [{"op": "replace", "pointer": pointer, "from": old, "to": new}]


def _diff_objects(old: dict, new: dict, pointer: str) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    for key in sorted(set(old) | set(new)):
        sub = f"{pointer}/{escape_pointer(key)}"
        if key not in new:
            changes.append({"op": "remove", "pointer": sub, "from": old[key]})
        elif key not in old:
            changes.append({"op": "add", "pointer": sub, "to": new[key]})
        else:
            changes.extend(diff(old[key], new[key], sub))
    return changes


def _diff_arrays(old: list, new: list, pointer: str) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    for i in range(max(len(old), len(new))):
        sub = f"{pointer}/{i}"
        if i >= len(new):
            changes.append({"op": "remove", "pointer": sub, "from": old[i]})
        elif i >= len(old):
            changes.append({"op": "add", "pointer": sub, "to": new[i]})
        else:
            changes.extend(diff(old[i], new[i], sub))
    return changes
