"""`EvalContext`: what the engine hands to expressions, read lazily and by name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from workflows.expressions import EvalContext, ExpressionError, evaluate


def test_it_uses_the_fixed_now() -> None:
    ctx = EvalContext({"now": "2018-04-15T13:00:00.1234567Z"})
    assert ctx.now == dt.datetime(2018, 4, 15, 13, 0, 0, 123456, tzinfo=dt.UTC)


def test_it_converts_an_aware_now_to_utc() -> None:
    aware = dt.datetime(2020, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert EvalContext({"now": aware}).now == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def test_it_defaults_now_to_the_current_time_once_per_context() -> None:
    ctx = EvalContext({})
    assert ctx.now is ctx.now
    assert abs(ctx.now - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_it_shares_one_now_across_evaluations_of_one_context() -> None:
    ctx = EvalContext({})
    assert evaluate("@utcNow()", ctx) == evaluate("@utcNow()", ctx)


def test_it_rejects_a_bad_now() -> None:
    with pytest.raises(ExpressionError, match="not an ISO-8601 time"):
        evaluate("@utcNow()", {"now": "yesterday"})


def test_it_rejects_a_context_that_is_not_a_mapping() -> None:
    with pytest.raises(ExpressionError, match="must be a dict"):
        evaluate("@add(1, 1)", [1, 2])  # type: ignore[arg-type]


class LazyActions(Mapping[str, Any]):
    """An actions mapping that loads records on demand and refuses to be listed."""

    def __init__(self) -> None:
        self.loaded: list[str] = []

    def __getitem__(self, name: str) -> Any:
        if name != "Get":
            raise KeyError(name)
        self.loaded.append(name)
        return {"outputs": {"body": {"id": 1}}}

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("the whole actions mapping must never be iterated")

    def __len__(self) -> int:
        raise AssertionError("the whole actions mapping must never be sized")


def test_it_reads_a_lazy_actions_mapping_once_per_name() -> None:
    actions = LazyActions()
    assert evaluate("@body('Get').id", {"actions": actions}) == 1
    assert actions.loaded == ["Get"]


def test_it_names_a_missing_action() -> None:
    with pytest.raises(ExpressionError, match="'Other' doesn't exist"):
        evaluate("@body('Other')", {"actions": LazyActions()})


def test_it_returns_the_innermost_loop_item() -> None:
    items = {"Outer": {"level": 1}, "Inner": {"level": 2}}
    assert evaluate("@item().level", {"items": items}) == 2
    assert evaluate("@items('Outer').level", {"items": items}) == 1
