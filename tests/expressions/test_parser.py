"""The parser: AST shapes, positions and parse-time checks."""

from __future__ import annotations

import pytest

from workflows.expressions import ExpressionError
from workflows.expressions.nodes import Access, Call, Literal, walk
from workflows.expressions.parser import parse_expression


def test_it_builds_calls_with_literal_arguments() -> None:
    node = parse_expression("add(1, 2.5)")
    assert node == Call("add", (Literal(1, 4), Literal(2.5, 7)), 0)


def test_it_builds_access_chains_with_null_safety() -> None:
    node = parse_expression("triggerBody()?['a'].b")
    assert isinstance(node, Access)
    assert node.key == Literal("b", 20) and not node.null_safe
    inner = node.target
    assert isinstance(inner, Access) and inner.null_safe and inner.key == Literal("a", 15)


def test_it_reads_keywords_case_insensitively() -> None:
    assert parse_expression("TRUE") == Literal(True, 0)
    assert parse_expression("Null") == Literal(None, 0)


def test_it_keeps_the_function_name_as_written() -> None:
    assert parse_expression("toUPPER('a')").name == "toUPPER"  # type: ignore[union-attr]


def test_it_walks_every_node() -> None:
    node = parse_expression("concat(body('A').x, 'y')")
    names = [n.name for n in walk(node) if isinstance(n, Call)]
    assert names == ["concat", "body"]


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "The expression is empty", 0),
        ("unknown(1)", "'unknown' is not defined", 0),
        ("add(1)", "expects 2 argument(s) but got 1", 0),
        ("x", "is not a function call", 0),
        ("add(1,)", "Expected a value or a function call", 6),
        ("'a'.b", "Expected the end of the expression", 3),
        ("f()?", "'f' is not defined", 0),
        ("body('a')?", "Expected '.' or '[' after '?'", 10),
        ("body('a')[0", "Expected ']'", 11),
    ],
)
def test_it_rejects_bad_syntax(text: str, message: str, position: int) -> None:
    with pytest.raises(ExpressionError) as raised:
        parse_expression(text)
    assert message in raised.value.message
    assert raised.value.position == position


def test_it_names_the_signature_on_wrong_arity() -> None:
    with pytest.raises(ExpressionError) as raised:
        parse_expression("substring()")
    assert (
        raised.value.signature == "substring(text: string, startIndex: integer, length?: integer)"
    )
