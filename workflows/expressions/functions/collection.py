"""Collection functions over arrays, strings and objects.

Equality inside collections (`contains`, `union`, `intersection`) is
`values.values_equal`: deep, with 1 == 1.0 and true != 1. Results are always
new lists/dicts: inputs may be the engine's stored outputs and must not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions._args import fail, need_array, need_int, need_str
from workflows.expressions.registry import function
from workflows.expressions.values import (
    MAX_JOIN_LENGTH,
    is_binary,
    is_number,
    to_string,
    type_name,
    values_equal,
)


@function("contains", "contains(collection: array|string|object, value: any)", min_args=2)
def contains(collection: Any, value: Any) -> bool:
    if isinstance(collection, str):
        return need_str("contains", value, 1) in collection
    if isinstance(collection, list):
        return any(values_equal(item, value) for item in collection)
    if isinstance(collection, Mapping) and not is_binary(collection):
        return need_str("contains", value, 1) in collection
    fail("contains", 0, "an array, a string or an object", collection)


@function("length", "length(collection: array|string)", min_args=1)
def length(collection: Any) -> int:
    if isinstance(collection, str | list):
        return len(collection)
    fail("length", None, "an array or a string", collection)


def _sort_key(value: Any) -> tuple[int, Any]:
    if is_number(value):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    raise ExpressionError(f"Cannot sort values of type '{type_name(value)}'")


@function("sort", "sort(collection: array, sortBy?: string)", min_args=1, max_args=2)
def sort(collection: Any, sort_by: Any = None) -> list[Any]:
    items = need_array("sort", collection, 0)
    if sort_by is None:
        keys = [_sort_key(item) for item in items]
    else:
        field = need_str("sort", sort_by, 1)
        keys = [_sort_key(_field(item, field)) for item in items]
    if len({kind for kind, _ in keys}) > 1:
        raise ExpressionError("Cannot sort an array that mixes numbers and strings")
    order = sorted(range(len(items)), key=lambda i: keys[i][1])
    return [items[i] for i in order]


def _field(item: Any, field: str) -> Any:
    if not isinstance(item, Mapping) or field not in item:
        raise ExpressionError(f"Every item to sort needs the property '{field}'")
    return item[field]


@function("reverse", "reverse(collection: array)", min_args=1)
def reverse(collection: Any) -> list[Any]:
    return list(reversed(need_array("reverse", collection)))


@function("empty", "empty(collection: object|array|string)", min_args=1)
def empty(collection: Any) -> bool:
    if collection is None:
        return True
    if isinstance(collection, str | list | Mapping):
        return len(collection) == 0
    fail("empty", None, "an object, an array or a string", collection)


def _same_kind(name: str, collections: tuple[Any, ...]) -> type:
    if all(isinstance(c, list) for c in collections):
        return list
    if all(isinstance(c, Mapping) and not is_binary(c) for c in collections):
        return dict
    kinds = sorted({type_name(c) for c in collections})
    raise ExpressionError(
        f"The template language function '{name}' expects parameters that are all arrays "
        f"or all objects; found values of type {', '.join(kinds)}"
    )


def _unique(items: list[Any]) -> list[Any]:
    result: list[Any] = []
    for item in items:
        if not any(values_equal(item, seen) for seen in result):
            result.append(item)
    return result


@function(
    "intersection",
    "intersection(collection_1: object|array, collection_2: object|array, ...)",
    min_args=2,
    max_args=None,
)
def intersection(*collections: Any) -> Any:
    if _same_kind("intersection", collections) is dict:
        first, rest = collections[0], collections[1:]
        # "If one or more items have the same name, the last item with that name
        # appears in the result" (function reference): keys decide, the last value wins.
        return {key: rest[-1][key] for key in first if all(key in other for other in rest)}
    first, rest = collections[0], collections[1:]
    return _unique(
        [item for item in first if all(any(values_equal(item, x) for x in other) for other in rest)]
    )


@function(
    "union",
    "union(collection_1: object|array, collection_2: object|array, ...)",
    min_args=2,
    max_args=None,
)
def union(*collections: Any) -> Any:
    if _same_kind("union", collections) is dict:
        merged: dict[str, Any] = {}
        for collection in collections:
            merged.update(collection)
        return merged
    return _unique([item for collection in collections for item in collection])


def _sequence(name: str, collection: Any) -> str | list[Any]:
    if isinstance(collection, str | list):
        return collection
    fail(name, 0 if name in ("take", "skip", "chunk") else None, "an array or a string", collection)


@function("first", "first(collection: array|string)", min_args=1)
def first(collection: Any) -> Any:
    sequence = _sequence("first", collection)
    return sequence[0] if sequence else None


@function("last", "last(collection: array|string)", min_args=1)
def last(collection: Any) -> Any:
    sequence = _sequence("last", collection)
    return sequence[-1] if sequence else None


def _count(name: str, count: Any) -> int:
    value = need_int(name, count, 1)
    if value < 0:
        raise ExpressionError(f"The count of '{name}' cannot be negative (got {value})")
    return value


@function("take", "take(collection: array|string, count: integer)", min_args=2)
def take(collection: Any, count: Any) -> Any:
    return _sequence("take", collection)[: _count("take", count)]


@function("skip", "skip(collection: array, count: integer)", min_args=2)
def skip(collection: Any, count: Any) -> Any:
    return _sequence("skip", collection)[_count("skip", count) :]


@function("join", "join(collection: array, delimiter: string)", min_args=2)
def join(collection: Any, delimiter: Any) -> str:
    items = need_array("join", collection, 0)
    text = need_str("join", delimiter, 1).join(to_string(item) for item in items)
    if len(text) > MAX_JOIN_LENGTH:
        raise ExpressionError(f"The result of 'join' exceeds {MAX_JOIN_LENGTH} characters")
    return text


@function("chunk", "chunk(collection: array|string, length: int)", min_args=2)
def chunk(collection: Any, size: Any) -> list[Any]:
    sequence = _sequence("chunk", collection)
    step = need_int("chunk", size, 1)
    if step <= 0:
        raise ExpressionError(f"The length of 'chunk' must be positive (got {step})")
    return [sequence[i : i + step] for i in range(0, len(sequence), step)]
