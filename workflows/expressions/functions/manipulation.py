"""JSON manipulation functions: coalesce and property edits.

Every edit returns a new object; the input (often a stored action output) is
never changed. `addProperty` fails when the property exists, `setProperty` adds
it when missing, `removeProperty` of a missing property returns the object as is.
"""

from __future__ import annotations

from typing import Any

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions._args import need_object, need_str
from workflows.expressions.registry import function


@function("coalesce", "coalesce(object_1: any, ...)", min_args=1, max_args=None)
def coalesce(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


@function("addProperty", "addProperty(object: object, property: string, value: any)", min_args=3)
def add_property(target: Any, name: Any, value: Any) -> dict[str, Any]:
    source = need_object("addProperty", target, 0)
    key = need_str("addProperty", name, 1)
    if key in source:
        raise ExpressionError(
            f"The property '{key}' already exists in the object; use setProperty to change it"
        )
    return {**source, key: value}


@function("setProperty", "setProperty(object: object, property: string, value: any)", min_args=3)
def set_property(target: Any, name: Any, value: Any) -> dict[str, Any]:
    source = need_object("setProperty", target, 0)
    return {**source, need_str("setProperty", name, 1): value}


@function("removeProperty", "removeProperty(object: object, property: string)", min_args=2)
def remove_property(target: Any, name: Any) -> dict[str, Any]:
    source = need_object("removeProperty", target, 0)
    key = need_str("removeProperty", name, 1)
    return {k: v for k, v in source.items() if k != key}


@function("mergeObjects", "mergeObjects(object1: object, object2: object)", min_args=2)
def merge_objects(first: Any, second: Any) -> dict[str, Any]:
    return {**need_object("mergeObjects", first, 0), **need_object("mergeObjects", second, 1)}
