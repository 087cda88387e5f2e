"""The static shape of a definition: which actions live in which container and
in which order they may run.

A `Plan` is built once per definition and shared by every run of it. Each
container body (the root, a Scope, an If branch, a Switch case, a loop body)
is a `Body` whose nodes are sorted with `graphlib.TopologicalSorter`, so one
pass over a body in that order settles skip chains and readiness at once.
Action names are unique across the whole workflow (as in WDL), which lets
expressions such as `body('Inner')` find an action anywhere.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Any

from workflows.engine.durations import DurationError, parse_duration

SUCCEEDED = "Succeeded"
FAILED = "Failed"
SKIPPED = "Skipped"
TIMED_OUT = "TimedOut"
CANCELLED = "Cancelled"
ABORTED = "Aborted"
RUNNING = "Running"
WAITING = "Waiting"

RUN_AFTER_WORDS = {
    "succeeded": SUCCEEDED,
    "failed": FAILED,
    "skipped": SKIPPED,
    "timedout": TIMED_OUT,
    "cancelled": CANCELLED,
    "aborted": ABORTED,
}
CONTAINERS = frozenset({"scope", "if", "switch", "foreach", "until"})
LOOPS = frozenset({"foreach", "until"})


class DefinitionError(ValueError):
    """The definition cannot be run as written (pointer says where)."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(f"{pointer}: {message}" if pointer else message)
        self.message = message
        self.pointer = pointer


@dataclass(eq=False)
class ActionNode:
    """One action of a plan. A plan is shared by every run of its definition and
    never changes, so what is read from the spec at every step is read once
    (the cached properties)."""

    name: str
    type: str
    spec: dict[str, Any]
    pointer: str
    run_after: dict[str, frozenset[str]] = field(default_factory=dict)
    bodies: dict[str, Body] = field(default_factory=dict)
    parent: ActionNode | None = None

    @cached_property
    def kind(self) -> str:
        return self.type.lower()

    @cached_property
    def is_container(self) -> bool:
        return self.kind in CONTAINERS

    @cached_property
    def is_loop(self) -> bool:
        return self.kind in LOOPS

    @cached_property
    def timeout(self) -> timedelta | None:
        """`limit.timeout` (an ISO 8601 duration; one that does not parse is no
        limit); an Until's bounds the loop instead (`containers`)."""
        text = (self.spec.get("limit") or {}).get("timeout")
        if not text or self.kind == "until":
            return None
        try:
            return parse_duration(text)
        except DurationError:
            return None

    @cached_property
    def secure_data(self) -> frozenset[str]:
        """`runtimeConfiguration.secureData.properties`, lower-cased ("inputs", "outputs")."""
        runtime = self.spec.get("runtimeConfiguration") or {}
        return frozenset(
            str(p).lower() for p in (runtime.get("secureData") or {}).get("properties") or []
        )

    def ancestors(self) -> list[ActionNode]:
        """Containers from the outermost down to the direct parent."""
        chain: list[ActionNode] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def all_bodies(self) -> list[Body]:
        return list(self.bodies.values())


@dataclass(eq=False)
class Body:
    nodes: list[ActionNode]

    @cached_property
    def by_name(self) -> dict[str, ActionNode]:
        return {node.name: node for node in self.nodes}

    @cached_property
    def ends(self) -> list[ActionNode]:
        """Last actions of each branch: nobody in the body runs after them."""
        referenced = {pred for node in self.nodes for pred in node.run_after}
        return [node for node in self.nodes if node.name not in referenced]


@dataclass(eq=False)
class Plan:
    root: Body
    nodes: dict[str, ActionNode]
    static_results: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def scope_children(self) -> dict[str, list[str]]:
        """Container name → its first-level action names (for `result()`); made
        once per plan (plans are shared and never change)."""
        return {
            node.name: [child.name for body in node.all_bodies() for child in body.nodes]
            for node in self.nodes.values()
            if node.is_container
        }


def _run_after(spec: dict[str, Any], pointer: str) -> dict[str, frozenset[str]]:
    raw = spec.get("runAfter") or {}
    if not isinstance(raw, dict):
        raise DefinitionError("runAfter must be an object", f"{pointer}/runAfter")
    result: dict[str, frozenset[str]] = {}
    for pred, statuses in raw.items():
        if not isinstance(statuses, list):
            raise DefinitionError("runAfter statuses must be a list", f"{pointer}/runAfter/{pred}")
        words = set()
        for word in statuses:
            canonical = RUN_AFTER_WORDS.get(str(word).lower())
            if canonical is None:
                raise DefinitionError(
                    f"unknown status '{word}' (Succeeded, Failed, Skipped, TimedOut)",
                    f"{pointer}/runAfter/{pred}",
                )
            words.add(canonical)
        result[pred] = frozenset(words or {SUCCEEDED})
    return result


def _body_specs(node: ActionNode) -> dict[str, tuple[dict[str, Any], str]]:
    spec, ptr = node.spec, node.pointer
    if node.kind == "if":
        else_actions = (spec.get("else") or {}).get("actions") or {}
        return {
            "actions": (spec.get("actions") or {}, f"{ptr}/actions"),
            "else": (else_actions, f"{ptr}/else/actions"),
        }
    if node.kind == "switch":
        cases = spec.get("cases") or {}
        bodies = {
            f"case:{name}": ((case or {}).get("actions") or {}, f"{ptr}/cases/{name}/actions")
            for name, case in cases.items()
        }
        bodies["default"] = (
            (spec.get("default") or {}).get("actions") or {},
            f"{ptr}/default/actions",
        )
        return bodies
    return {"actions": (spec.get("actions") or {}, f"{ptr}/actions")}


def _build_body(
    actions: Any, pointer: str, parent: ActionNode | None, index: dict[str, ActionNode]
) -> Body:
    if not isinstance(actions, dict):
        raise DefinitionError("actions must be an object", pointer)
    nodes: dict[str, ActionNode] = {}
    for name, spec in actions.items():
        node = _build_node(name, spec, f"{pointer}/{name}", parent, index)
        nodes[name] = node
    return Body(_topological(nodes, pointer))


def _build_node(
    name: str, spec: Any, pointer: str, parent: ActionNode | None, index: dict[str, ActionNode]
) -> ActionNode:
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
        raise DefinitionError("an action must be an object with a string 'type'", pointer)
    if name in index:
        raise DefinitionError(f"action name '{name}' is used twice; names must be unique", pointer)
    node = ActionNode(name, spec["type"], spec, pointer, _run_after(spec, pointer), parent=parent)
    index[name] = node
    if node.is_container:
        for key, (actions, ptr) in _body_specs(node).items():
            node.bodies[key] = _build_body(actions, ptr, node, index)
    return node


def _topological(nodes: dict[str, ActionNode], pointer: str) -> list[ActionNode]:
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for name, node in nodes.items():
        for pred in node.run_after:
            if pred not in nodes:
                raise DefinitionError(
                    f"runAfter refers to '{pred}', which is not an action of the same container",
                    f"{node.pointer}/runAfter",
                )
        sorter.add(name, *node.run_after)
    try:
        order = list(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = " → ".join(exc.args[1])
        raise DefinitionError(f"runAfter forms a cycle: {cycle}", pointer) from None
    return [nodes[name] for name in order]


def build_plan(definition: dict[str, Any]) -> Plan:
    """A definition (bare or `{definition, kind}`) → `Plan`; raises `DefinitionError`."""
    if not isinstance(definition, dict):
        raise DefinitionError("a definition must be a JSON object")
    if "definition" in definition and isinstance(definition["definition"], dict):
        definition = definition["definition"]
    index: dict[str, ActionNode] = {}
    root = _build_body(definition.get("actions") or {}, "/actions", None, index)
    static = definition.get("staticResults")
    return Plan(root, index, static if isinstance(static, dict) else {})
