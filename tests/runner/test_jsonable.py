"""`workflows.actions.jsonable`: what an action's inputs and outputs become
before they are stored as JSON (plain trees pass through unchanged)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from workflows.actions import jsonable


class Label(str):
    pass


class Point(BaseModel):
    x: int
    when: datetime


def test_plain_trees_come_back_equal():
    value = {"a": [1, 2.5, True, None, "s", {"b": []}], "c": {}}
    assert jsonable(value) == value


def test_what_json_cannot_hold_is_converted_at_any_depth():
    moment = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    value = {
        "bytes": b"\x00\xff",
        "nested": [{"when": moment}, (1, b"a")],
        3: "int key",
        "model": Point(x=1, when=moment),
        "other": {1, 2} and frozenset({7}),
    }
    assert jsonable(value) == {
        "bytes": {"$content-type": "application/octet-stream", "$content": "AP8="},
        "nested": [
            {"when": "2026-11-29T10:00:00+00:00"},
            [1, {"$content-type": "application/octet-stream", "$content": "YQ=="}],
        ],
        "3": "int key",
        "model": {"x": 1, "when": "2026-11-29T10:00:00Z"},
        "other": "frozenset({7})",
    }


def test_subclasses_of_plain_types_are_kept():
    label = Label("x")
    assert jsonable(label) is label
    assert jsonable({"k": label})["k"] is label
    assert jsonable(bytearray(b"a")) == {
        "$content-type": "application/octet-stream",
        "$content": "YQ==",
    }
