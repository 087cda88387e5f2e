"""The lexer: tokens, values and positions."""

from __future__ import annotations

import pytest

from workflows.expressions import ExpressionError
from workflows.expressions.lexer import Kind, tokenize


def _kinds(text: str) -> list[Kind]:
    return [token.kind for token in tokenize(text)]


def test_it_tokenizes_calls_and_accessors() -> None:
    assert _kinds("f(1)?['a'].b") == [
        Kind.IDENT,
        Kind.LPAREN,
        Kind.INT,
        Kind.RPAREN,
        Kind.QUESTION,
        Kind.LBRACKET,
        Kind.STRING,
        Kind.RBRACKET,
        Kind.DOT,
        Kind.IDENT,
        Kind.EOF,
    ]


def test_it_unescapes_doubled_quotes() -> None:
    assert tokenize("'it''s'")[0].value == "it's"


@pytest.mark.parametrize(
    ("text", "value"),
    [("42", 42), ("-7", -7), ("+3", 3), ("1.5", 1.5), (".5", 0.5), ("2e3", 2000.0), ("1E-2", 0.01)],
)
def test_it_reads_numbers(text: str, value: float) -> None:
    token = tokenize(text)[0]
    assert token.value == value
    assert type(token.value) is type(value)


def test_it_reads_a_dot_after_a_value_as_member_access() -> None:
    assert _kinds("f().5") == [Kind.IDENT, Kind.LPAREN, Kind.RPAREN, Kind.DOT, Kind.INT, Kind.EOF]


def test_it_offsets_positions_into_the_original_string() -> None:
    tokens = tokenize(" add(1)", offset=3)
    assert [token.position for token in tokens] == [4, 7, 8, 9, 10]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("'open", "not terminated"),
        ('"x"', "Double quotes"),
        ("1abc", "Unexpected character after a number"),
        ("#", "Unexpected character '#'"),
        ("1e", "incomplete exponent"),
        ("1e999", "too large"),
    ],
)
def test_it_rejects_bad_input(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        tokenize(text)
