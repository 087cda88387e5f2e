"""Event Grid advanced filters, one case per operator and missing-key rule (§4.5)."""

from __future__ import annotations

import pytest

from broker.services.egfilters import matches, validate_filters
from broker.services.errors import BrokerError

EVENT = {
    "id": "e1",
    "source": "/contoso",
    "type": "Contoso.Order.Created",
    "specversion": "1.0",
    "subject": "Orders/2024/7",
    "myext": "Blue",
    "data": {
        "amount": 15,
        "region": "EU-West",
        "vip": True,
        "tags": ["a", "b"],
        "nested": {"n": 3},
        "none": None,
    },
}


def adv(op: str, key: str, values=None, **extra) -> dict:
    f = {"operatorType": op, "key": key, **extra}
    if values is not None:
        f["values" if op != "BoolEquals" else "value"] = values
    return {"filters": [f]}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (adv("NumberIn", "data.amount", [1, 15]), True),
        (adv("NumberIn", "data.amount", [1, 2]), False),
        (adv("NumberNotIn", "data.amount", [1, 2]), True),
        (adv("NumberNotIn", "data.amount", [15]), False),
        (adv("NumberLessThan", "data.amount", [20]), True),
        (adv("NumberLessThan", "data.amount", [15]), False),
        (adv("NumberGreaterThan", "data.amount", [10]), True),
        (adv("NumberLessThanOrEquals", "data.amount", [15]), True),
        (adv("NumberGreaterThanOrEquals", "data.amount", [16]), False),
        (adv("NumberInRange", "data.amount", [[0, 5], [10, 15]]), True),
        (adv("NumberInRange", "data.amount", [[0, 5]]), False),
        (adv("NumberNotInRange", "data.amount", [[0, 5]]), True),
        (adv("NumberNotInRange", "data.amount", [[15, 20]]), False),
        (adv("BoolEquals", "data.vip", True), True),
        (adv("BoolEquals", "data.vip", False), False),
        (adv("StringIn", "data.region", ["eu-west", "us"]), True),
        (adv("StringNotIn", "data.region", ["eu-west"]), False),
        (adv("StringBeginsWith", "subject", ["orders/"]), True),
        (adv("StringNotBeginsWith", "subject", ["orders/"]), False),
        (adv("StringEndsWith", "data.region", ["WEST"]), True),
        (adv("StringNotEndsWith", "data.region", ["east"]), True),
        (adv("StringContains", "data.region", ["u-w"]), True),
        (adv("StringNotContains", "data.region", ["u-w"]), False),
        (adv("IsNullOrUndefined", "data.none"), True),
        (adv("IsNullOrUndefined", "data.amount"), False),
        (adv("IsNotNull", "data.amount"), True),
        (adv("IsNotNull", "data.none"), False),
        (adv("StringIn", "myext", ["blue"]), True),
        (adv("StringIn", "eventtype", ["contoso.order.created"]), True),
        (adv("NumberIn", "data.nested.n", [3]), True),
        (adv("NumberIn", "data.region", [1]), False),
    ],
)
def test_it_applies_each_operator(flt, expected):
    validate_filters(flt)
    assert matches(flt, EVENT) is expected


@pytest.mark.parametrize(
    ("op", "values", "expected"),
    [
        ("NumberGreaterThan", [1], False),
        ("NumberGreaterThanOrEquals", [1], False),
        ("NumberLessThan", [1], False),
        ("NumberLessThanOrEquals", [1], False),
        ("NumberIn", [1], False),
        ("NumberNotIn", [1], True),
        ("NumberInRange", [[0, 1]], False),
        ("BoolEquals", True, False),
        ("StringContains", ["x"], False),
        ("StringNotContains", ["x"], False),
        ("StringBeginsWith", ["x"], False),
        ("StringNotBeginsWith", ["x"], False),
        ("StringEndsWith", ["x"], False),
        ("StringNotEndsWith", ["x"], False),
        ("StringIn", ["x"], False),
        ("StringNotIn", ["x"], True),
        ("IsNullOrUndefined", None, True),
        ("IsNotNull", None, False),
    ],
)
def test_it_follows_the_missing_key_table(op, values, expected):
    assert matches(adv(op, "data.missing", values), EVENT) is expected


def test_it_tests_array_elements_only_when_enabled():
    flt = adv("StringIn", "data.tags", ["b"])
    assert matches(flt, EVENT) is False
    flt["enableAdvancedFilteringOnArrays"] = True
    assert matches(flt, EVENT) is True
    negative = {**adv("StringNotIn", "data.tags", ["b"]), "enableAdvancedFilteringOnArrays": True}
    assert matches(negative, EVENT) is False


def test_it_ands_filters_and_ors_values():
    both = {
        "filters": adv("NumberIn", "data.amount", [15])["filters"]
        + adv("StringIn", "data.region", ["nope", "eu-west"])["filters"]
    }
    assert matches(both, EVENT) is True
    both["filters"][1]["values"] = ["nope"]
    assert matches(both, EVENT) is False


def test_it_filters_on_types_and_subject():
    assert matches({"includedEventTypes": ["contoso.order.created"]}, EVENT)
    assert not matches({"includedEventTypes": ["Other"]}, EVENT)
    assert matches({"subjectBeginsWith": "orders/", "subjectEndsWith": "/7"}, EVENT)
    assert not matches({"subjectBeginsWith": "orders/", "isSubjectCaseSensitive": True}, EVENT)


@pytest.mark.parametrize(
    "bad",
    [
        {"filters": [{"operatorType": "NumberMaybe", "key": "data.a", "values": [1]}]},
        {"filters": [{"operatorType": "NumberIn", "key": "", "values": [1]}]},
        {"filters": [{"operatorType": "NumberIn", "key": "data.a", "values": ["x"]}]},
        {"filters": [{"operatorType": "NumberInRange", "key": "data.a", "values": [1, 2]}]},
        {"filters": [{"operatorType": "BoolEquals", "key": "data.a", "value": "yes"}]},
        {"includedEventTypes": "one"},
        [],
    ],
)
def test_it_refuses_malformed_filters(bad):
    with pytest.raises(BrokerError) as info:
        validate_filters(bad)
    assert info.value.status == 400
