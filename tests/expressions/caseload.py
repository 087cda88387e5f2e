"""Loading the JSON compliance cases (ours, the date/xml engineer's, and the corpus).

A case is `{"expression": <JSON string value as in a definition>, "expected": …}`
or `{"expression": …, "error": <substring of the message>}`, with optional
`context` (the `evaluate()` context dict) and `note`.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).resolve().parent / "cases"
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "wdl-function-examples.json"
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.json"))


def file_cases() -> list[tuple[str, dict[str, Any]]]:
    """Every case of every file; a file that is not valid JSON becomes one failing
    case naming the file and the problem (instead of breaking test collection)."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for path in case_files():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            cases.append((f"{path.stem}[invalid]", {"invalid": f"{path.name}: {exc}"}))
            continue
        cases.extend((f"{path.stem}[{index}]", case) for index, case in enumerate(loaded))
    return cases


def corpus_entries() -> list[dict[str, Any]]:
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def is_skipped_corpus_entry(entry: dict[str, Any]) -> bool:
    """Random or run-dependent examples that come without a context to pin them."""
    return entry.get("deterministic") is False and "context" not in entry


def corpus_case(entry: dict[str, Any]) -> dict[str, Any]:
    """A corpus entry as a case: bare expressions get their '@', `utcNow` becomes `now`."""
    expression = entry["expression"]
    if entry["kind"].startswith("expression"):
        expression = "@" + expression
    context = dict(entry.get("context") or {})
    if "utcNow" in context:
        context["now"] = context.pop("utcNow")
    return {"expression": expression, "expected": entry["expected"], "context": context}


def corpus_cases() -> list[tuple[str, dict[str, Any]]]:
    try:
        entries = corpus_entries()
    except ValueError as exc:
        return [("corpus[invalid]", {"invalid": f"{CORPUS.name}: {exc}"})]
    return [
        (f"corpus[{index}]", corpus_case(entry))
        for index, entry in enumerate(entries)
        if not is_skipped_corpus_entry(entry)
    ]


def all_cases() -> list[tuple[str, dict[str, Any]]]:
    return file_cases() + corpus_cases()


def called_functions(expression: str) -> set[str]:
    """Lower-cased names of the functions an expression calls (a textual scan, so
    that cases which fail to parse on purpose still count)."""
    return {name.lower() for name in _CALL.findall(expression)}


def same(actual: Any, expected: Any) -> bool:
    """JSON equality with a tolerance for floats; booleans never equal numbers."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(expected, dict) and isinstance(actual, dict):
        return actual.keys() == expected.keys() and all(
            same(actual[k], expected[k]) for k in actual
        )
    if isinstance(expected, list) and isinstance(actual, list):
        return len(actual) == len(expected) and all(map(same, actual, expected))
    if isinstance(expected, str):  # str subclasses (the XML type) compare by text
        return isinstance(actual, str) and str(actual) == expected
    return type(actual) is type(expected) and actual == expected
