"""Definition validation: every problem with a JSON pointer and a plain sentence.

Runs on every save (API, `sluice apply`) and in `sluice validate`. It never raises
for bad input: whatever the document, the result is a list of `Problem`s (empty
when the definition is valid). The checks follow Logic Apps' own save-time
validation: known trigger and action types with the shape each needs, unique
names across all nesting levels, `runAfter` only to siblings in the same
container, no cycles (the cycle is named), valid statuses (case-insensitive),
parseable expressions, and the limits of reference §1.1 and §7.

Which types are "known" is the engine's built-ins plus every registered connector
kind, so installing a connector package widens what validates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from workflows.definition import (
    CONTAINER_TYPES,
    child_blocks,
    escape_pointer,
    iter_actions,
)

STATUSES = {"succeeded", "failed", "skipped", "timedout"}
VARIABLE_TYPES = {"array", "boolean", "float", "integer", "object", "string"}
PARAMETER_TYPES = {
    "int",
    "float",
    "string",
    "securestring",
    "bool",
    "array",
    "object",
    "secureobject",
}
KINDS = {"stateful", "stateless"}

LIMITS = {
    "actions": 500,
    "triggers": 10,
    "parameters": 50,
    "outputs": 10,
    "depth": 8,
    "switch_cases": 25,
    "variables": 250,
    "expression": 8192,
    "name": 80,
    "tracked_properties": 16000,
}

# Built-in types the engine executes itself, with the `inputs` keys each requires.
BUILTIN_ACTIONS: dict[str, tuple[str, ...]] = {
    "Compose": (),
    "If": (),
    "Switch": (),
    "Foreach": (),
    "Until": (),
    "Scope": (),
    "Terminate": ("runStatus",),
    "Wait": (),
    "InitializeVariable": ("variables",),
    "SetVariable": ("name",),
    "IncrementVariable": ("name",),
    "DecrementVariable": ("name",),
    "AppendToArrayVariable": ("name", "value"),
    "AppendToStringVariable": ("name", "value"),
    "ParseJson": ("content", "schema"),
    "Query": ("from", "where"),
    "Select": ("from", "select"),
    "Join": ("from", "joinWith"),
    "Table": ("from", "format"),
    "Response": (),
    "Workflow": ("host",),
}
BUILTIN_TRIGGERS = {"Request", "Recurrence"}
NOT_IN_LOOPS = {"Terminate", "Response"}


@dataclass(frozen=True)
class Problem:
    pointer: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message}

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


class DefinitionError(ValueError):
    """Raised by callers that want an exception; carries the problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def split_document(doc: Any) -> tuple[Any, str]:
    """Accept a bare WDL definition or the Standard `{"definition", "kind"}` wrapper."""
    if isinstance(doc, dict) and "definition" in doc and "actions" not in doc:
        kind = doc.get("kind", "Stateful")
        return doc["definition"], kind if isinstance(kind, str) else "Stateful"
    return doc, "Stateful"


def validate_document(doc: Any) -> list[Problem]:
    """Validate a document as stored in a file: wrapper or bare definition."""
    definition, kind = split_document(doc)
    problems = []
    prefix = "/definition" if definition is not doc else ""
    if definition is not doc and str(kind).lower() not in KINDS:
        problems.append(Problem("/kind", f"kind must be Stateful or Stateless, not {kind!r}"))
    problems += [Problem(prefix + p.pointer, p.message) for p in validate_definition(definition)]
    return problems


def validate_definition(definition: Any) -> list[Problem]:
    if not isinstance(definition, dict):
        return [Problem("", "a workflow definition must be a JSON object")]
    try:
        return list(_check_definition(definition))
    except Exception as exc:  # a validator bug must not become a traceback for the user
        return [Problem("", f"the definition could not be validated: {exc}")]


def _check_definition(definition: dict) -> Iterator[Problem]:
    for key in ("triggers", "actions", "parameters", "outputs"):
        if key in definition and not isinstance(definition[key], dict):
            yield Problem(f"/{key}", f"'{key}' must be an object")
            return
    yield from _check_counts(definition)
    yield from _check_parameters(definition.get("parameters") or {})
    yield from _check_triggers(definition.get("triggers") or {})
    yield from _check_actions(definition)
    yield from _check_expressions(definition)


def _check_counts(definition: dict) -> Iterator[Problem]:
    counts = {
        "triggers": len(definition.get("triggers") or {}),
        "parameters": len(definition.get("parameters") or {}),
        "outputs": len(definition.get("outputs") or {}),
        "actions": sum(1 for _ in iter_actions(definition.get("actions") or {})),
    }
    for key, count in counts.items():
        if count > LIMITS[key]:
            yield Problem(f"/{key}", f"at most {LIMITS[key]} {key} are allowed, found {count}")


def _check_parameters(parameters: dict) -> Iterator[Problem]:
    for name, spec in parameters.items():
        pointer = f"/parameters/{escape_pointer(name)}"
        if not isinstance(spec, dict):
            yield Problem(pointer, "a parameter must be an object with a 'type'")
            continue
        ptype = spec.get("type")
        if not isinstance(ptype, str) or ptype.lower() not in PARAMETER_TYPES:
            allowed = ", ".join(sorted(PARAMETER_TYPES))
            yield Problem(
                f"{pointer}/type", f"parameter type must be one of {allowed}, not {ptype!r}"
            )


def _check_triggers(triggers: dict) -> Iterator[Problem]:
    for name, trigger in triggers.items():
        pointer = f"/triggers/{escape_pointer(name)}"
        yield from _check_name(name, pointer)
        if not isinstance(trigger, dict):
            yield Problem(pointer, "a trigger must be an object")
            continue
        ttype = trigger.get("type")
        if not isinstance(ttype, str):
            yield Problem(f"{pointer}/type", "a trigger needs a 'type'")
        elif not _trigger_supported(ttype, trigger):
            yield Problem(f"{pointer}/type", _unsupported("trigger", ttype, trigger, pointer))
        elif ttype == "Recurrence":
            yield from _check_recurrence(trigger.get("recurrence"), f"{pointer}/recurrence")
        for index, condition in enumerate(trigger.get("conditions") or []):
            if not isinstance(condition, dict) or not isinstance(condition.get("expression"), str):
                yield Problem(
                    f"{pointer}/conditions/{index}", "a condition needs an 'expression' string"
                )


def _check_recurrence(recurrence: Any, pointer: str) -> Iterator[Problem]:
    if not isinstance(recurrence, dict):
        yield Problem(pointer, "a Recurrence trigger needs a 'recurrence' object")
        return
    frequencies = {"second", "minute", "hour", "day", "week", "month"}
    frequency = recurrence.get("frequency")
    known = isinstance(frequency, str) and frequency.lower() in frequencies
    if not known and "cron" not in recurrence:
        yield Problem(
            f"{pointer}/frequency", "frequency must be Second, Minute, Hour, Day, Week or Month"
        )
    interval = recurrence.get("interval", 1)
    if not (isinstance(interval, int) and interval >= 1) and not _is_expression(interval):
        yield Problem(f"{pointer}/interval", "interval must be a positive integer")


def _check_actions(definition: dict) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    variables = 0
    for entry in iter_actions(definition.get("actions") or {}):
        name, action, pointer = entry.name, entry.action, entry.pointer
        yield from _check_name(name, pointer)
        if name in seen:
            yield Problem(
                pointer, f"the name '{name}' is already used at {seen[name]}; names must be unique"
            )
        seen.setdefault(name, pointer)
        if not isinstance(action, dict):
            yield Problem(pointer, "an action must be an object")
            continue
        if entry.depth > LIMITS["depth"]:
            yield Problem(pointer, f"actions may be nested at most {LIMITS['depth']} levels deep")
        yield from _check_action(action, pointer, entry.loops)
        if action.get("type") == "InitializeVariable":
            variables += len(((action.get("inputs") or {}).get("variables")) or [])
    if variables > LIMITS["variables"]:
        yield Problem(
            "/actions", f"at most {LIMITS['variables']} variables are allowed, found {variables}"
        )
    yield from _check_run_after(definition.get("actions") or {}, "/actions")


def _check_name(name: str, pointer: str) -> Iterator[Problem]:
    if len(name) > LIMITS["name"]:
        yield Problem(pointer, f"names may be at most {LIMITS['name']} characters long")
    if not name.strip():
        yield Problem(pointer, "a name must not be empty")


def _check_action(action: dict, pointer: str, loops: int) -> Iterator[Problem]:
    atype = action.get("type")
    if not isinstance(atype, str):
        yield Problem(f"{pointer}/type", "an action needs a 'type'")
        return
    if not _action_supported(atype, action):
        yield Problem(f"{pointer}/type", _unsupported("action", atype, action, pointer))
        return
    inputs = action.get("inputs")
    for key in BUILTIN_ACTIONS.get(atype, ()):
        if not isinstance(inputs, dict) or key not in inputs:
            yield Problem(f"{pointer}/inputs", f"a {atype} action needs inputs.{key}")
    if atype in NOT_IN_LOOPS and loops:
        yield Problem(pointer, f"a {atype} action cannot be inside a Foreach or Until loop")
    checker = _TYPE_CHECKS.get(atype)
    if checker:
        yield from checker(action, pointer)
    if "runAfter" in action and not isinstance(action["runAfter"], dict):
        yield Problem(f"{pointer}/runAfter", "runAfter must be an object of action name → statuses")


def _check_if(action: dict, pointer: str) -> Iterator[Problem]:
    if "expression" not in action:
        yield Problem(pointer, "an If action needs an 'expression'")
    yield from _check_block(action.get("else"), f"{pointer}/else", optional=True)


def _check_switch(action: dict, pointer: str) -> Iterator[Problem]:
    if "expression" not in action:
        yield Problem(pointer, "a Switch action needs an 'expression'")
    cases = action.get("cases") or {}
    if not isinstance(cases, dict):
        yield Problem(f"{pointer}/cases", "cases must be an object")
        return
    if len(cases) > LIMITS["switch_cases"]:
        yield Problem(
            f"{pointer}/cases", f"a Switch may have at most {LIMITS['switch_cases']} cases"
        )
    values: dict[str, str] = {}
    for case_name, case in cases.items():
        case_pointer = f"{pointer}/cases/{escape_pointer(case_name)}"
        if not isinstance(case, dict) or "case" not in case:
            yield Problem(case_pointer, "a case needs a 'case' value")
            continue
        key = repr(case["case"])
        if key in values:
            yield Problem(
                f"{case_pointer}/case",
                f"the case value {case['case']!r} is also used by '{values[key]}'",
            )
        values[key] = case_name
    yield from _check_block(action.get("default"), f"{pointer}/default", optional=True)


def _check_foreach(action: dict, pointer: str) -> Iterator[Problem]:
    if not isinstance(action.get("foreach"), str | list):
        yield Problem(pointer, "a Foreach action needs 'foreach' (an expression giving an array)")
    concurrency = ((action.get("runtimeConfiguration") or {}).get("concurrency")) or {}
    repetitions = concurrency.get("repetitions")
    if repetitions is not None and not (isinstance(repetitions, int) and 1 <= repetitions <= 50):
        yield Problem(
            f"{pointer}/runtimeConfiguration/concurrency/repetitions", "repetitions must be 1 to 50"
        )
    if repetitions is not None and "sequential" in str(action.get("operationOptions", "")).lower():
        yield Problem(
            pointer, "set either operationOptions Sequential or concurrency.repetitions, not both"
        )


def _check_until(action: dict, pointer: str) -> Iterator[Problem]:
    if "expression" not in action:
        yield Problem(pointer, "an Until action needs an 'expression'")
    limit = action.get("limit")
    if not isinstance(limit, dict) or not ({"count", "timeout"} & set(limit)):
        yield Problem(f"{pointer}/limit", "Either limit count or timeout must be specified.")
    elif isinstance(limit.get("count"), int) and not 1 <= limit["count"] <= 5000:
        yield Problem(f"{pointer}/limit/count", "limit.count must be 1 to 5000")


def _check_terminate(action: dict, pointer: str) -> Iterator[Problem]:
    status = str((action.get("inputs") or {}).get("runStatus", "")).lower()
    if status not in {"succeeded", "failed", "cancelled"}:
        yield Problem(
            f"{pointer}/inputs/runStatus", "runStatus must be Succeeded, Failed or Cancelled"
        )


def _check_wait(action: dict, pointer: str) -> Iterator[Problem]:
    inputs = action.get("inputs") or {}
    if not isinstance(inputs, dict) or not ({"interval", "until"} & set(inputs)):
        yield Problem(
            f"{pointer}/inputs",
            "a Wait action needs inputs.interval {count, unit} or inputs.until {timestamp}",
        )
        return
    interval = inputs.get("interval")
    units = {"second", "minute", "hour", "day", "week", "month"}
    if isinstance(interval, dict):
        unit = interval.get("unit")
        if isinstance(unit, str) and not _is_expression(unit) and unit.lower() not in units:
            yield Problem(
                f"{pointer}/inputs/interval/unit",
                "unit must be Second, Minute, Hour, Day, Week or Month",
            )


def _check_initialize_variable(action: dict, pointer: str) -> Iterator[Problem]:
    variables = (action.get("inputs") or {}).get("variables")
    if not isinstance(variables, list):
        return
    for index, variable in enumerate(variables):
        var_pointer = f"{pointer}/inputs/variables/{index}"
        if not isinstance(variable, dict) or not isinstance(variable.get("name"), str):
            yield Problem(var_pointer, "a variable needs a 'name'")
            continue
        vtype = variable.get("type")
        if not isinstance(vtype, str) or vtype.lower() not in VARIABLE_TYPES:
            allowed = ", ".join(sorted(VARIABLE_TYPES))
            yield Problem(
                f"{var_pointer}/type", f"variable type must be one of {allowed}, not {vtype!r}"
            )


def _check_table(action: dict, pointer: str) -> Iterator[Problem]:
    fmt = (action.get("inputs") or {}).get("format")
    if isinstance(fmt, str) and fmt.upper() not in {"CSV", "HTML"}:
        yield Problem(f"{pointer}/inputs/format", "format must be CSV or HTML")


def _check_block(block: Any, pointer: str, optional: bool) -> Iterator[Problem]:
    if block is None and optional:
        return
    if not isinstance(block, dict) or not isinstance(block.get("actions", {}), dict):
        yield Problem(pointer, "must be an object with 'actions'")


_TYPE_CHECKS = {
    "If": _check_if,
    "Switch": _check_switch,
    "Foreach": _check_foreach,
    "Until": _check_until,
    "Terminate": _check_terminate,
    "Wait": _check_wait,
    "InitializeVariable": _check_initialize_variable,
    "Table": _check_table,
}


def _check_run_after(actions: dict, pointer: str) -> Iterator[Problem]:
    """runAfter may only name siblings; statuses must be valid; no cycles."""
    graph: dict[str, list[str]] = {}
    for name, action in actions.items():
        if not isinstance(action, dict):
            continue
        run_after = action.get("runAfter") or {}
        graph[name] = []
        if not isinstance(run_after, dict):
            continue
        for predecessor, statuses in run_after.items():
            ra_pointer = f"{pointer}/{escape_pointer(name)}/runAfter/{escape_pointer(predecessor)}"
            if predecessor not in actions:
                yield Problem(
                    ra_pointer,
                    f"runAfter names '{predecessor}', which is not an action in the same container",
                )
            else:
                graph[name].append(predecessor)
            yield from _check_statuses(statuses, ra_pointer)
        for block_pointer, block in child_blocks(action):
            yield from _check_run_after(block, f"{pointer}/{escape_pointer(name)}{block_pointer}")
    cycle = _find_cycle(graph)
    if cycle:
        yield Problem(pointer, "runAfter forms a cycle: " + " → ".join(cycle))


def _check_statuses(statuses: Any, pointer: str) -> Iterator[Problem]:
    if not isinstance(statuses, list):
        yield Problem(pointer, "runAfter statuses must be a list")
        return
    for index, status in enumerate(statuses):
        if not isinstance(status, str) or status.lower() not in STATUSES:
            yield Problem(
                f"{pointer}/{index}",
                f"status must be Succeeded, Failed, Skipped or TimedOut, not {status!r}",
            )


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    from graphlib import CycleError, TopologicalSorter

    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        nodes = list(exc.args[1])
        return list(reversed(nodes))
    return None


def _check_expressions(definition: dict) -> Iterator[Problem]:
    from workflows.expressions import ExpressionError, is_template, parse

    for pointer, text in _iter_strings(definition, ""):
        if len(text) > LIMITS["expression"] and is_template(text):
            yield Problem(
                pointer, f"an expression may be at most {LIMITS['expression']} characters long"
            )
            continue
        try:
            if is_template(text):
                parse(text)
        except ExpressionError as exc:
            yield Problem(pointer, f"the expression is invalid: {exc}")


def find_warnings(definition: Any) -> list[Problem]:
    """Problems that do not block a save: expressions that read actions which do not
    exist (they fail at run time only if the expression is reached — designer mocks
    and half-built workflows have them)."""
    from workflows.expressions import ExpressionError, find_references, is_template

    if not isinstance(definition, dict):
        return []
    names = {entry.name for entry in iter_actions(definition.get("actions") or {})}
    warnings = []
    for pointer, text in _iter_strings(definition, ""):
        try:
            missing = sorted(find_references(text) - names) if is_template(text) else []
        except ExpressionError:
            continue  # reported as an error by validate_definition
        if missing:
            listed = ", ".join(f"'{name}'" for name in missing)
            warnings.append(
                Problem(pointer, f"the action(s) {listed} referenced here are not defined")
            )
    return warnings


def _iter_strings(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in {"schema", "metadata", "$schema", "description"}:
                continue
            yield from _iter_strings(item, f"{pointer}/{escape_pointer(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _iter_strings(item, f"{pointer}/{index}")


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("@")


def _unsupported(what: str, type_name: str, node: dict, pointer: str) -> str:
    if type_name == "ServiceProvider":
        config = (node.get("inputs") or {}).get("serviceProviderConfiguration") or {}
        provider = str(config.get("serviceProviderId", "")).rsplit("/", 1)[-1]
        operation = config.get("operationId", "")
        return f"unsupported service provider operation '{provider}/{operation}' at {pointer}"
    return f"unsupported {what} type '{type_name}' at {pointer}"


def _trigger_supported(ttype: str, trigger: dict) -> bool:
    from connectors import registry

    return ttype in BUILTIN_TRIGGERS or registry.get_trigger(registry.kind_of(trigger)) is not None


def _action_supported(atype: str, action: dict) -> bool:
    from connectors import registry

    if atype in BUILTIN_ACTIONS or atype in CONTAINER_TYPES:
        return True
    return registry.get(registry.kind_of(action)) is not None
