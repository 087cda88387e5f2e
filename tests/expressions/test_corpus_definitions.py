"""Every expression in the 38 real definitions of `tests/corpus/logicapps/` parses.

The definitions come from Microsoft's designer fixtures and templates; a parser
stricter than Logic Apps would reject workflows people actually run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workflows.expressions import is_template, parse

DEFINITIONS = sorted((Path(__file__).resolve().parents[1] / "corpus" / "logicapps").glob("*.json"))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_it_has_the_corpus() -> None:
    assert len(DEFINITIONS) == 38


@pytest.mark.parametrize("path", DEFINITIONS, ids=[path.stem for path in DEFINITIONS])
def test_it_parses_every_expression_of_a_real_definition(path: Path) -> None:
    definition = json.loads(path.read_text(encoding="utf-8"))
    templates = [text for text in _strings(definition) if is_template(text)]
    for text in templates:
        parse(text)
