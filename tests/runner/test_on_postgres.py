"""The engine's run, trigger and callback tests again, on real PostgreSQL.

The hot paths write differently there: a run and its trigger history go in one
statement (`rows.insert_together`), and a run's last action records go in the same
statement as its end's compare-and-set (`tasks.insert_finished_if`). The default
suite runs on SQLite, so this test runs these suites in a child pytest with
`DATABASE_URL` set (pytest-django creates and drops `test_<name>`). Needs
PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres); `scripts/ensure-services.sh`
starts it in CI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SUITES = [
    "tests/runner",
    "tests/api/test_callback.py",
    "tests/api/test_inline_turn.py",
]

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_engine_suites_pass_on_postgresql(tmp_path) -> None:
    name = f"sluice_pg_{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
        "SLUICE_DATA_DIR": str(tmp_path / "data"),
    }
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-m",
                "not slow",
                *SUITES,
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "test_{name}" WITH (FORCE)')
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    print(f"on PostgreSQL: {summary}")
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 90, summary
    assert not re.search(r"\d+ (failed|error|skipped)", summary), summary
