"""What an expression can see: the run state, passed in as a plain dict.

The engine builds one dict per evaluation (keys below) and `evaluate()` wraps it
in `EvalContext`, the object that `context=True` functions receive. Nothing here
reads the database or the clock except `now` when the caller did not fix it.

    parameters   name -> value
    variables    name -> value
    trigger      {name, inputs, outputs{headers, body…}, status, startTime, endTime, code}
    actions      Mapping name -> {name, inputs, outputs, status, …}; may be lazy:
                 only `.get`/`in` are used, never iteration of the whole mapping
    items        Mapping loop name -> current item, innermost loop LAST
    iteration_indexes  Until loop name -> 0-based index
    scopes       Mapping scope name -> its first-level action names (for result()); an
                 entry may instead be a ready result object (loops: per-iteration outputs)
    workflow     dict returned by workflow()
    callback_url string returned by listCallbackUrl(), or a callable that makes it
    appsettings  Mapping for appsetting(name)
    now          ISO-8601 UTC string or aware datetime; fixes utcNow()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from workflows.expressions.errors import ExpressionError

_EMPTY: Mapping[str, Any] = {}


def _parse_now(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(_trim_fraction(value.strip()))
        except ValueError:
            raise ExpressionError(f"The context 'now' value '{value}' is not an ISO-8601 time")
    else:
        raise ExpressionError("The context 'now' value must be an ISO-8601 string or a datetime")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _trim_fraction(text: str) -> str:
    """Python accepts at most 6 fractional digits; .NET writes 7 (`…00.0000000Z`)."""
    if "." not in text:
        return text
    head, _, tail = text.partition(".")
    digits = len(tail) - len(tail.lstrip("0123456789"))
    return f"{head}.{tail[: min(digits, 6)]}{tail[digits:]}" if digits else text


class EvalContext:
    """The evaluation context handed to `context=True` functions."""

    __slots__ = ("_now", "data")

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self.data: Mapping[str, Any] = data if data is not None else _EMPTY
        self._now: dt.datetime | None = None

    @property
    def now(self) -> dt.datetime:
        """The fixed 'current' time (aware, UTC); read once per context."""
        if self._now is None:
            fixed = self.data.get("now")
            self._now = dt.datetime.now(dt.UTC) if fixed is None else _parse_now(fixed)
        return self._now

    def section(self, key: str) -> Mapping[str, Any]:
        value = self.data.get(key)
        return value if type(value) is dict or isinstance(value, Mapping) else _EMPTY

    def parameter(self, name: str) -> Any:
        return self._named("parameters", "parameter", name)

    def variable(self, name: str) -> Any:
        return self._named("variables", "variable", name)

    def appsetting(self, name: str) -> Any:
        return self._named("appsettings", "app setting", name)

    def _named(self, key: str, what: str, name: str) -> Any:
        section = self.section(key)
        if name in section:
            return section[name]
        raise ExpressionError(
            f"The template language expression cannot be evaluated because the {what} "
            f"'{name}' doesn't exist"
        )

    def action(self, name: str) -> Mapping[str, Any]:
        record = self.section("actions").get(name)  # one lookup: the Mapping may be lazy
        if not isinstance(record, Mapping):
            raise ExpressionError(
                f"The template language expression cannot be evaluated because the action "
                f"'{name}' doesn't exist or has not run yet"
            )
        return record

    def trigger(self) -> Mapping[str, Any]:
        trigger = self.data.get("trigger")
        if not isinstance(trigger, Mapping):
            raise ExpressionError(
                "The template language expression cannot be evaluated because no trigger "
                "outputs are available in this context"
            )
        return trigger

    def loop_item(self, loop: str | None) -> Any:
        items = self.section("items")
        if loop is None:
            if not items:
                raise ExpressionError("The function 'item()' can only be used inside a Foreach")
            return items[list(items.keys())[-1]]
        if loop not in items:
            raise ExpressionError(
                f"The template language expression cannot be evaluated because the loop "
                f"'{loop}' is not a Foreach that encloses this action"
            )
        return items[loop]

    def iteration_index(self, loop: str) -> int:
        indexes = self.section("iteration_indexes")
        if loop not in indexes:
            raise ExpressionError(
                f"The template language expression cannot be evaluated because the loop "
                f"'{loop}' is not an Until loop that encloses this action"
            )
        return int(indexes[loop])

    def scope_actions(self, scope: str) -> list[Any]:
        scopes = self.section("scopes")
        if scope not in scopes:
            raise ExpressionError(
                f"The template language expression cannot be evaluated because the scope "
                f"'{scope}' doesn't exist"
            )
        return list(scopes[scope])


def as_context(context: Mapping[str, Any] | EvalContext | None) -> EvalContext:
    if type(context) is dict:
        return EvalContext(context)
    if isinstance(context, EvalContext):
        return context
    if context is not None and not isinstance(context, Mapping):
        raise ExpressionError("The evaluation context must be a dict (or Mapping)")
    return EvalContext(context)
