"""Event Grid subscription filters over a CloudEvent (spec §4.5).

`filters` = `{includedEventTypes[], subjectBeginsWith, subjectEndsWith,
isSubjectCaseSensitive, enableAdvancedFilteringOnArrays, filters[] | advancedFilters[]}`
with advanced filters `{operatorType, key, values[] | value}`.

Semantics: one filter with many values is an OR; several filters are an AND;
string comparisons ignore case; a key value of the wrong type is ignored; with
`enableAdvancedFilteringOnArrays` every element of an array value is tested (any
hit matches a positive operator; any hit fails a negative one). A missing key
fails every operator except NumberNotIn, NumberNotInRange, StringNotIn and
IsNullOrUndefined, which match.
"""

from __future__ import annotations

from typing import Any

from broker.services.errors import bad_request

_MISSING = object()
NEGATIVE = {
    "NumberNotIn",
    "NumberNotInRange",
    "StringNotIn",
    "StringNotBeginsWith",
    "StringNotEndsWith",
    "StringNotContains",
}
MATCH_WHEN_MISSING = {"NumberNotIn", "NumberNotInRange", "StringNotIn"}
ALIASES = {"eventid": "id", "eventtype": "type", "eventtypeversion": "dataversion"}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _in_range(v: float, r: Any) -> bool:
    return r[0] <= v <= r[1]


def _string_test(op: str):
    tests = {
        "In": lambda v, x: v == x,
        "BeginsWith": lambda v, x: v.startswith(x),
        "EndsWith": lambda v, x: v.endswith(x),
        "Contains": lambda v, x: x in v,
    }
    return tests[op.removeprefix("StringNot").removeprefix("String")]


NUMBER_TESTS = {
    "NumberIn": lambda v, x: v == x,
    "NumberNotIn": lambda v, x: v == x,
    "NumberLessThan": lambda v, x: v < x,
    "NumberGreaterThan": lambda v, x: v > x,
    "NumberLessThanOrEquals": lambda v, x: v <= x,
    "NumberGreaterThanOrEquals": lambda v, x: v >= x,
    "NumberInRange": _in_range,
    "NumberNotInRange": _in_range,
}
OPERATORS = {
    *NUMBER_TESTS,
    "BoolEquals",
    "StringIn",
    "StringNotIn",
    "StringBeginsWith",
    "StringNotBeginsWith",
    "StringEndsWith",
    "StringNotEndsWith",
    "StringContains",
    "StringNotContains",
    "IsNullOrUndefined",
    "IsNotNull",
}
SINGLE_VALUE = {
    "NumberLessThan",
    "NumberGreaterThan",
    "NumberLessThanOrEquals",
    "NumberGreaterThanOrEquals",
    "BoolEquals",
}


def lookup(event: dict, key: str) -> Any:
    """The value of `key` in a CloudEvent (`data.a.b` walks into `data`)."""
    head, _, rest = key.partition(".")
    lowered = {k.lower(): v for k, v in event.items()}
    name = ALIASES.get(head.lower(), head.lower())
    value = lowered.get(name, _MISSING)
    for part in rest.split(".") if rest else []:
        if not isinstance(value, dict):
            return _MISSING
        value = value.get(
            part, next((v for k, v in value.items() if k.lower() == part.lower()), _MISSING)
        )
    return value


def _values(f: dict) -> list:
    if "values" in f:
        return f["values"]
    return [f["value"]] if "value" in f else []


def _element_hits(op: str, element: Any, values: list) -> bool | None:
    """True/False if `element` hits one of `values`; None if its type does not apply."""
    if op in NUMBER_TESTS:
        if not _is_number(element):
            return None
        return any(NUMBER_TESTS[op](element, x) for x in values)
    if op == "BoolEquals":
        return element is values[0] if isinstance(element, bool) else None
    if not isinstance(element, str):
        return None
    test = _string_test(op)
    return any(test(element.lower(), str(x).lower()) for x in values)


def advanced_matches(f: dict, event: dict, on_arrays: bool) -> bool:
    op = f["operatorType"]
    value = lookup(event, f["key"])
    if op == "IsNullOrUndefined":
        return value is _MISSING or value is None
    if op == "IsNotNull":
        return value is not _MISSING and value is not None
    if value is _MISSING or value is None:
        return op in MATCH_WHEN_MISSING
    elements = value if on_arrays and isinstance(value, list) else [value]
    hits = [_element_hits(op, e, _values(f)) for e in elements]
    if op in NEGATIVE:
        return not any(h is True for h in hits)
    return any(h is True for h in hits)


def _subject_matches(filters: dict, subject: str) -> bool:
    sensitive = bool(filters.get("isSubjectCaseSensitive"))
    begins = filters.get("subjectBeginsWith") or ""
    ends = filters.get("subjectEndsWith") or ""
    if not sensitive:
        subject, begins, ends = subject.lower(), begins.lower(), ends.lower()
    return subject.startswith(begins) and subject.endswith(ends)


def matches(filters: dict, event: dict) -> bool:
    if not filters:
        return True
    types = filters.get("includedEventTypes")
    if types and str(event.get("type", "")).lower() not in {t.lower() for t in types}:
        return False
    if not _subject_matches(filters, str(event.get("subject") or "")):
        return False
    on_arrays = bool(filters.get("enableAdvancedFilteringOnArrays"))
    advanced = filters.get("filters") or filters.get("advancedFilters") or []
    return all(advanced_matches(f, event, on_arrays) for f in advanced)


def _check_advanced(f: Any) -> None:
    if not isinstance(f, dict) or f.get("operatorType") not in OPERATORS:
        raise bad_request(
            f"Unknown filter operatorType in {f!r}; known: {sorted(OPERATORS)}.", "InvalidFilter"
        )
    if not isinstance(f.get("key"), str) or not f["key"]:
        raise bad_request(f"Filter {f['operatorType']} needs a non-empty 'key'.", "InvalidFilter")
    op = f["operatorType"]
    if op in {"IsNullOrUndefined", "IsNotNull"}:
        return
    values = _values(f)
    if not isinstance(values, list) or not values:
        raise bad_request(
            f"Filter {op} on '{f['key']}' needs 'values' (or 'value').", "InvalidFilter"
        )
    if op in SINGLE_VALUE and len(values) != 1:
        raise bad_request(f"Filter {op} takes a single 'value'.", "InvalidFilter")
    if op in NUMBER_TESTS and "Range" in op:
        if not all(isinstance(r, list) and len(r) == 2 and all(map(_is_number, r)) for r in values):
            raise bad_request(f"Filter {op} needs 'values' like [[low, high], …].", "InvalidFilter")
    elif op in NUMBER_TESTS and not all(map(_is_number, values)):
        raise bad_request(f"Filter {op} needs numeric values.", "InvalidFilter")
    elif op == "BoolEquals" and not isinstance(values[0], bool):
        raise bad_request("Filter BoolEquals needs a boolean 'value'.", "InvalidFilter")


def validate_filters(filters: Any) -> None:
    if not isinstance(filters, dict):
        raise bad_request("filters must be a JSON object.", "InvalidFilter")
    types = filters.get("includedEventTypes")
    if types is not None and not (
        isinstance(types, list) and all(isinstance(t, str) for t in types)
    ):
        raise bad_request("includedEventTypes must be a list of strings.", "InvalidFilter")
    advanced = filters.get("filters") or filters.get("advancedFilters") or []
    if not isinstance(advanced, list):
        raise bad_request("filters.filters must be a list.", "InvalidFilter")
    for f in advanced:
        _check_advanced(f)
