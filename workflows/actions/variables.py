"""Variable actions, type-checked as Logic Apps does: a variable keeps the type it
was initialized with; Increment/Decrement need a number; AppendToArray an array;
AppendToString a string."""

from __future__ import annotations

from typing import Any

from workflows.actions.base import ActionEnv, ActionFailed, builtin
from workflows.engine import Outcome

TYPES = {
    "string": "String",
    "integer": "Integer",
    "int": "Integer",
    "float": "Float",
    "boolean": "Boolean",
    "bool": "Boolean",
    "array": "Array",
    "object": "Object",
}
DEFAULTS: dict[str, Any] = {
    "String": "",
    "Integer": 0,
    "Float": 0.0,
    "Boolean": False,
    "Array": [],
    "Object": {},
}


def _fits(kind: str, value: Any) -> bool:
    if value is None:
        return True
    checks = {
        "String": lambda v: isinstance(v, str),
        "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "Boolean": lambda v: isinstance(v, bool),
        "Array": lambda v: isinstance(v, list),
        "Object": lambda v: isinstance(v, dict),
    }
    return checks[kind](value)


def _type_name(value: Any) -> str:
    return {
        bool: "Boolean",
        int: "Integer",
        float: "Float",
        str: "String",
        list: "Array",
        dict: "Object",
    }.get(type(value), "Null" if value is None else type(value).__name__)


def _check(name: str, kind: str, value: Any) -> None:
    if not _fits(kind, value):
        raise ActionFailed(
            "InvalidVariableValue",
            f"The variable '{name}' of type '{kind}' cannot be initialized or updated with a value of type '{_type_name(value)}'.",
        )


def _existing(env: ActionEnv, inputs: Any) -> tuple[str, str]:
    if not isinstance(inputs, dict) or not isinstance(inputs.get("name"), str):
        raise ActionFailed(
            "InvalidVariableInputs", "The inputs must be an object with a string 'name'."
        )
    name = inputs["name"]
    if name not in env.variable_types:
        raise ActionFailed("InvalidVariable", f"The variable '{name}' has not been initialized.")
    return name, env.variable_types[name]


@builtin("InitializeVariable")
def initialize_variable(inputs: Any, env: ActionEnv) -> Outcome:
    declared = (inputs or {}).get("variables") if isinstance(inputs, dict) else None
    if not isinstance(declared, list) or not declared:
        raise ActionFailed(
            "InvalidVariableInputs", "InitializeVariable needs 'variables': [{name, type, value}]."
        )
    for variable in declared:
        name, kind = variable.get("name"), TYPES.get(str(variable.get("type", "")).lower())
        if not isinstance(name, str) or kind is None:
            raise ActionFailed(
                "InvalidVariableInputs",
                f"Variable '{name}' needs a name and a type (string, integer, float, boolean, array, object).",
            )
        if name in env.variable_types:
            raise ActionFailed(
                "VariableAlreadyInitialized", f"The variable '{name}' is already initialized."
            )
        value = variable.get("value", DEFAULTS[kind])
        if kind == "Float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        _check(name, kind, value)
        env.variable_types[name] = kind
        env.variables[name] = value
    return Outcome(inputs=inputs, outputs=None)


@builtin("SetVariable")
def set_variable(inputs: Any, env: ActionEnv) -> Outcome:
    name, kind = _existing(env, inputs)
    value = inputs.get("value")
    _check(name, kind, value)
    env.variables[name] = value
    return Outcome(inputs=inputs, outputs={"body": {"name": name, "value": value}})


def _step(inputs: Any, env: ActionEnv, sign: int) -> Outcome:
    name, kind = _existing(env, inputs)
    if kind not in {"Integer", "Float"}:
        raise ActionFailed(
            "InvalidVariableType", f"The variable '{name}' of type '{kind}' is not a number."
        )
    amount = inputs.get("value", 1)
    if (
        not _fits("Float", amount)
        or amount is None
        or (kind == "Integer" and isinstance(amount, float))
    ):
        raise ActionFailed(
            "InvalidVariableValue",
            f"The value to add to variable '{name}' of type '{kind}' must be a number of that type, not '{_type_name(amount)}'.",
        )
    env.variables[name] = (env.variables.get(name) or 0) + sign * amount
    return Outcome(inputs=inputs, outputs={"body": {"name": name, "value": env.variables[name]}})


@builtin("IncrementVariable")
def increment_variable(inputs: Any, env: ActionEnv) -> Outcome:
    return _step(inputs, env, 1)


@builtin("DecrementVariable")
def decrement_variable(inputs: Any, env: ActionEnv) -> Outcome:
    return _step(inputs, env, -1)


@builtin("AppendToArrayVariable")
def append_to_array(inputs: Any, env: ActionEnv) -> Outcome:
    name, kind = _existing(env, inputs)
    if kind != "Array":
        raise ActionFailed(
            "InvalidVariableType", f"The variable '{name}' of type '{kind}' is not an array."
        )
    env.variables[name] = [*(env.variables.get(name) or []), inputs.get("value")]
    return Outcome(inputs=inputs, outputs={"body": {"name": name, "value": env.variables[name]}})


@builtin("AppendToStringVariable")
def append_to_string(inputs: Any, env: ActionEnv) -> Outcome:
    name, kind = _existing(env, inputs)
    if kind != "String":
        raise ActionFailed(
            "InvalidVariableType", f"The variable '{name}' of type '{kind}' is not a string."
        )
    value = inputs.get("value")
    if isinstance(value, dict | list):
        raise ActionFailed(
            "InvalidVariableValue",
            f"Cannot append a value of type '{_type_name(value)}' to string variable '{name}'.",
        )
    text = "" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
    env.variables[name] = (env.variables.get(name) or "") + text
    return Outcome(inputs=inputs, outputs={"body": {"name": name, "value": env.variables[name]}})
