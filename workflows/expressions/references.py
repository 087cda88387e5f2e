"""Which actions does a value refer to? A small walk over the parsed templates.

The validator uses this to check `runAfter` against what expressions read, and
the designer's rename rewrites exactly these references. Only literal names
count: `body(variables('x'))` names no action statically.
"""

from __future__ import annotations

from typing import Any

from workflows.expressions.nodes import Call, Literal, walk
from workflows.expressions.template import is_template, parse

# Functions whose first argument is an action name.
ACTION_FUNCTIONS = frozenset(
    {
        "body",
        "outputs",
        "actions",
        "result",
        "actionbody",
        "actionoutputs",
        "formdatavalue",
        "formdatamultivalues",
        "multipartbody",
    }
)


def find_references(value: Any) -> set[str]:
    """Action names referenced by body()/outputs()/actions()/result()/… in `value`."""
    found: set[str] = set()
    _collect(value, found)
    return found


def _collect(value: Any, found: set[str]) -> None:
    if isinstance(value, str):
        if is_template(value):
            for node in parse(value).nodes:
                _collect_node(node, found)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


def _collect_node(root: Any, found: set[str]) -> None:
    for node in walk(root):
        if isinstance(node, Call) and node.name.lower() in ACTION_FUNCTIONS and node.args:
            first = node.args[0]
            if isinstance(first, Literal) and isinstance(first.value, str):
                found.add(first.value)
