"""Loading fixture definitions and checking a finished run against their `expect`.

A fixture is `{description, definition, trigger?: {body, headers}, parameters?,
expect: {status, error?, variables?, response?, outputs?, actions: {path: status |
{status, code?, outputs?}}, tally?: {"Loop[*]/X": {status: count}}, absent?: [path]}}`.
The same checker serves the in-memory engine and the durable driver.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


@dataclass
class Finished:
    status: str
    error: Any
    variables: dict[str, Any]
    response: Any
    outputs: Any
    actions: dict[str, dict[str, Any]]  # path → {status, code, outputs}


def _pattern(glob: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(glob).replace(r"\*", r"[^/]*") + "$")


def check(fixture: dict[str, Any], run: Finished) -> None:
    expect = fixture["expect"]
    assert run.status == expect["status"], (
        run.status,
        run.error,
        {p: a["status"] for p, a in run.actions.items()},
    )
    for key in ("error", "response", "outputs"):
        if key in expect:
            assert getattr(run, key) == expect[key], (key, getattr(run, key))
    for name, value in (expect.get("variables") or {}).items():
        assert run.variables.get(name) == value, (name, run.variables.get(name))
    for path, wanted in expect["actions"].items():
        assert path in run.actions, f"no action run {path}; have {sorted(run.actions)[:40]}"
        actual = run.actions[path]
        wanted = {"status": wanted} if isinstance(wanted, str) else wanted
        for key, value in wanted.items():
            assert actual.get(key) == value, (path, key, actual.get(key), actual)
    for glob, counts in (expect.get("tally") or {}).items():
        pattern = _pattern(glob)
        tally = Counter(a["status"] for p, a in run.actions.items() if pattern.match(p))
        assert dict(tally) == counts, (glob, dict(tally))
    for path in expect.get("absent") or []:
        assert path not in run.actions, f"{path} should never have started"
