"""Compliance: every JSON case file in `cases/` and the corpus of worked examples.

`tests/corpus/wdl-function-examples.json` holds 93 examples; every one runs except
the 3 marked `deterministic: false` that have no context to pin them down
(`guid('P')`, `formDataValue(…)`, `triggerFormDataValue(…)`): they need a random
value or a real run. `test_it_skips_only_the_unpinned_corpus_examples` keeps that
number honest.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from tests.expressions.caseload import (
    all_cases,
    called_functions,
    corpus_entries,
    is_skipped_corpus_entry,
    same,
)
from workflows.expressions import ExpressionError, evaluate
from workflows.expressions.registry import FUNCTIONS

CASES = all_cases()
MIN_CASES_PER_FUNCTION = 3


def _run(case: dict[str, Any]) -> Any:
    return evaluate(case["expression"], case.get("context"))


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[case_id for case_id, _ in CASES])
def test_it_evaluates_the_case(case_id: str, case: dict[str, Any]) -> None:
    assert "invalid" not in case, case.get("invalid")
    if "error" in case:
        with pytest.raises(ExpressionError) as raised:
            _run(case)
        assert case["error"] in str(raised.value)
        assert raised.value.position is not None, "errors must name a position"
    else:
        actual = _run(case)
        assert same(actual, case["expected"]), f"{case['expression']!r} gave {actual!r}"


def test_it_skips_only_the_unpinned_corpus_examples() -> None:
    entries = corpus_entries()
    assert len(entries) == 93
    assert sum(is_skipped_corpus_entry(entry) for entry in entries) == 3


def _family(name: str) -> str:
    return FUNCTIONS[name].impl.__module__.rsplit(".", 1)[-1]


def test_it_has_three_cases_for_every_registered_function() -> None:
    counts: dict[str, int] = defaultdict(int)
    for _, case in CASES:
        for name in called_functions(case.get("expression", "")):
            counts[name] += 1
    thin = sorted(
        f"{FUNCTIONS[name].name} ({counts[name]})"
        for name in FUNCTIONS
        if counts[name] < MIN_CASES_PER_FUNCTION
    )
    assert not thin, f"functions with fewer than {MIN_CASES_PER_FUNCTION} cases: {thin}"


def test_it_has_an_error_case_for_every_function_family() -> None:
    families = {_family(name) for name in FUNCTIONS}
    covered = {
        _family(name)
        for _, case in CASES
        if "error" in case
        for name in called_functions(case.get("expression", ""))
        if name in FUNCTIONS
    }
    assert families - covered == set()
