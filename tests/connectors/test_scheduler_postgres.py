"""Two scheduler processes against real PostgreSQL never fire an occurrence twice.

50 workflows fire every second for 20 simulated seconds: 1,000 due occurrences,
each claimed by exactly one of the two processes (compare-and-set on
`next_fire_at`). Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres);
`scripts/ensure-services.sh` starts it in CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS, STEPS = 50, 20

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def database(tmp_path):
    name = f"sluice_sched_{uuid.uuid4().hex[:10]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
        "SLUICE_DATA_DIR": str(tmp_path / "data"),
        "SLUICE_CELERY_EAGER": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SLUICE_LOG_LEVEL": "WARNING",
    }
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def python(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


SETUP = f"""
import django; django.setup()
from tests.connectors.conftest import make_workflow
for i in range({WORKFLOWS}):
    make_workflow(f"every-second-{{i}}", {{"Tick": {{"type": "Recurrence", "recurrence": {{
        "frequency": "Second", "interval": 1, "startTime": "2026-01-01T12:00:00Z"}}}}}})
"""

COUNT = """
import django, json; django.setup()
from workflows.models import Run, TriggerHistory
fired = TriggerHistory.objects.filter(fired=True)
print(json.dumps({"fired": fired.count(),
  "distinct": fired.values("workflow_id", "scheduled_for").distinct().count(),
  "runs": Run.objects.count(), "other": TriggerHistory.objects.filter(fired=False).count()}))
"""


def test_it_never_fires_an_occurrence_twice_with_two_schedulers(database):
    migrate = python(database, "manage.py", "migrate", "--skip-checks", "-v0")
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    setup = python(database, "-c", SETUP)
    assert setup.returncode == 0, setup.stderr[-3000:]
    start = str(time.time() + 3)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.connectors.scheduler_process", start, str(STEPS)],
            cwd=ROOT,
            env=database,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    claims = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        claims.append(json.loads(out.strip().splitlines()[-1]).get("recurrence_claims", 0))
    print(f"claims per scheduler process: {claims}")
    assert sum(claims) == WORKFLOWS * STEPS  # every occurrence claimed exactly once
    counted = python(database, "-c", COUNT)
    assert counted.returncode == 0, counted.stderr[-3000:]
    result = json.loads(counted.stdout.strip().splitlines()[-1])
    assert result == {
        "fired": WORKFLOWS * STEPS,
        "distinct": WORKFLOWS * STEPS,
        "runs": WORKFLOWS * STEPS,
        "other": 0,
    }
