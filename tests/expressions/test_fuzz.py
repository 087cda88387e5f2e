"""Fuzzing: whatever string a definition holds, evaluation fails only with
ExpressionError — never another exception, never a hang."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.expressions import ExpressionError, evaluate, parse
from workflows.expressions.registry import FUNCTIONS

GRAMMAR_CHARACTERS = "@{}()[]'.,?\"-+ eE0123456789_abcxyzACTIVE\n\t"
CONTEXT: dict[str, Any] = {
    "parameters": {"p": 1, "o": {"a": [1, "x"]}},
    "variables": {"v": "text"},
    "trigger": {"outputs": {"headers": {}, "body": {"k": [1, 2]}}},
    "actions": {"A": {"outputs": {"body": {"x": None}}, "status": "Succeeded"}},
    "items": {"L": {"id": 1}},
    "now": "2024-02-29T12:00:00Z",
}
FUZZ = settings(max_examples=300, deadline=None)


def _evaluates_or_reports(text: str) -> None:
    try:
        evaluate(text, CONTEXT)
    except ExpressionError as exc:
        assert exc.message


@FUZZ
@given(st.text(max_size=200))
def test_it_only_raises_expression_errors_for_any_text(text: str) -> None:
    _evaluates_or_reports(text)


@FUZZ
@given(st.text(alphabet=GRAMMAR_CHARACTERS, max_size=80).map(lambda s: "@" + s))
def test_it_only_raises_expression_errors_for_grammar_soup(text: str) -> None:
    try:
        parse(text)
    except ExpressionError:
        return
    _evaluates_or_reports(text)


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


LITERALS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(alphabet="ab@{}'%/:,. 01", max_size=12),
    st.sampled_from(["2024-01-31T10:00:00Z", "https://h:8080/p?q=1", "aGVsbG8=", "<a>1</a>"]),
)


def _call(name: str, args: list[str]) -> str:
    return f"{name}({', '.join(args)})"


CALLS = st.recursive(
    LITERALS.map(_literal),
    lambda inner: st.builds(
        _call,
        st.sampled_from(sorted(f.name for f in FUNCTIONS.values())),
        st.lists(inner, max_size=4),
    ),
    max_leaves=8,
)


@FUZZ
@given(CALLS)
def test_it_only_raises_expression_errors_for_random_calls(expression: str) -> None:
    _evaluates_or_reports("@" + expression)
    _evaluates_or_reports("x @{" + expression + "} y")
