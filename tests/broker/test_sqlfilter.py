"""Service Bus SQL filter language: grammar, three-valued logic, actions (§6.6)."""

from __future__ import annotations

import pytest

from broker.services import sqlfilter
from broker.services.errors import BrokerError

VIEW = {
    "sys": {
        "message_id": "m-1",
        "subject": "order.created",
        "correlation_id": None,
        "to": None,
        "size": 10,
    },
    "user": {
        "color": "red",
        "quantity": 12,
        "price": 2.5,
        "vip": True,
        "name": "O'Brien",
        "odd key": 1,
    },
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1=1", True),
        ("1=0", False),
        ("color = 'red'", True),
        ("COLOR = 'red'", True),
        ("color <> 'red'", False),
        ("color != 'blue'", True),
        ("quantity > 10 AND price < 3.0", True),
        ("quantity + 3 = 15", True),
        ("quantity * 2 - 4 = 20", True),
        ("quantity / 5 = 2", True),
        ("quantity % 5 = 2", True),
        ("-quantity < 0", True),
        ("price >= 2.5E0", True),
        ("vip = TRUE", True),
        ("name = 'O''Brien'", True),
        ("[odd key] = 1", True),
        ('"odd key" = 1', True),
        ("sys.Label LIKE 'order.%'", True),
        ("sys.Label LIKE 'order_created'", True),
        ("sys.Label NOT LIKE 'order%'", False),
        ("sys.Label LIKE 'order!_%' ESCAPE '!'", False),
        ("sys.Label LIKE 'order!.%' ESCAPE '!'", True),
        ("color IN ('blue', 'red')", True),
        ("color NOT IN ('blue', 'red')", False),
        ("missing IS NULL", True),
        ("color IS NOT NULL", True),
        ("sys.CorrelationId IS NULL", True),
        ("EXISTS(color)", True),
        ("EXISTS(missing)", False),
        ("property('color') = 'red'", True),
        ("p('quantity') = 12", True),
        ("sys.MessageId = 'm-1'", True),
        ("NOT (color = 'blue')", True),
        ("color = 'blue' OR quantity = 12", True),
    ],
)
def test_it_evaluates(expr, expected):
    assert sqlfilter.matches(expr, VIEW) is expected


@pytest.mark.parametrize(
    ("expr", "tri"),
    [
        ("missing = 1", None),
        ("missing = 1 AND 1=0", False),
        ("missing = 1 AND 1=1", None),
        ("missing = 1 OR 1=1", True),
        ("missing = 1 OR 1=0", None),
        ("NOT (missing = 1)", None),
        ("missing IN (1, 2)", None),
        ("color = 1", None),
    ],
)
def test_it_uses_three_valued_logic(expr, tri):
    assert sqlfilter.evaluate(sqlfilter.parse(expr), VIEW) is tri
    assert sqlfilter.matches(expr, VIEW) is (tri is True)


def test_it_does_not_match_on_a_missing_system_property():
    assert sqlfilter.matches("sys.Nope = 1 OR 1=1", VIEW) is False


@pytest.mark.parametrize(
    "bad", ["", "color =", "color = 'x", "(1=1", "foo(1)", "1=1 1=1", "color IN ()"]
)
def test_it_refuses_syntax_errors(bad):
    with pytest.raises(BrokerError):
        sqlfilter.parse(bad)


def test_it_runs_actions():
    out = sqlfilter.apply_action(
        "SET quantity = quantity / 2; SET sys.Label = 'routed'; REMOVE color", VIEW
    )
    assert out["user"]["quantity"] == 6
    assert out["sys"]["subject"] == "routed"
    assert "color" not in out["user"]
    assert VIEW["user"]["color"] == "red"
