"""Benchmark: the runs API on PostgreSQL with a million runs.

    .venv/bin/python bench/api.py [--runs 1000000] [--workflows 20] [--samples 300]

Creates a throwaway database on 127.0.0.1:5432 (user postgres, trust), migrates
it, bulk-inserts runs with `generate_series` (plus action runs for a slice of
them), then times, in process and through the whole Django/DRF stack (token
authentication, role check, filters, cursor pagination, serialisation):

* a page of runs filtered by workflow + status (`GET /api/v1/runs?workflow=…&status=…`)
* a run detail with its action tree (`GET /api/v1/runs/{id}`)

next to the raw SQL that fetches the same rows, and prints p50/p95 and the ratio.
Goal: p95 < 50 ms and within 3× of the raw SQL. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# `python bench/api.py` puts bench/ first on sys.path, where sibling scripts
# (bench/amqp.py) would shadow real packages: use the project root instead.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
STATUSES = ["Succeeded", "Failed", "Succeeded", "Succeeded", "Cancelled", "Running", "Succeeded"]


def create_database() -> str:
    name = f"sluice_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(name: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ.setdefault("SLUICE_DATA_DIR", f"/tmp/{name}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["SLUICE_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _column_default(field) -> str:
    """An SQL expression for a column the benchmark does not care about."""
    from django.db import models

    if field.null:
        return "NULL"
    if isinstance(field, models.JSONField):
        return "'[]'::jsonb" if field.default is list else "'{}'::jsonb"
    if isinstance(field, models.BooleanField):
        return "false"
    if isinstance(field, models.IntegerField | models.PositiveIntegerField):
        return "0"
    return "''"


def insert_sql(model, explicit: dict[str, str], source: str) -> str:
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in explicit:
            continue  # serial: the database numbers it
        columns.append(f'"{field.column}"')
        values.append(explicit.get(field.column, _column_default(field)))
    return f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) SELECT {", ".join(values)} FROM {source}'


def seed(runs: int, workflows: int, with_actions: int) -> list:
    from django.db import connection

    from accounts.models import Role
    from tests.api.helpers import NO_RESPONSE, make_user
    from workflows.models import ActionRun, Run
    from workflows.versions import save_definition

    user = make_user("bench", Role.VIEWER)
    flows = [
        save_definition(f"wf-{i:02d}", {"definition": NO_RESPONSE})[0] for i in range(workflows)
    ]
    ids = ",".join(str(w.id) for w in flows)
    versions = ",".join(str(w.current_version_id) for w in flows)
    statuses = ",".join(f"'{s}'" for s in STATUSES)
    ts = "(now() - i * interval '1 second')"
    ticks = f"(3155378975999999999 - (621355968000000000 + (extract(epoch from {ts}) * 10000000)::bigint))"
    run_columns = {
        "id": f"lpad({ticks}::text, 20, '0') || lpad(i::text, 9, '0') || 'CU00'",
        "workflow_id": f"(ARRAY[{ids}])[1 + i % {workflows}]",
        "version_id": f"(ARRAY[{versions}])[1 + i % {workflows}]",
        "status": f"(ARRAY[{statuses}])[1 + (i / {workflows}) % {len(STATUSES)}]",
        "trigger_name": "'manual'",
        "trigger": """jsonb_build_object('name', 'manual', 'outputs', jsonb_build_object('headers', '{"Content-Type": "application/json"}'::jsonb, 'body', jsonb_build_object('order', i)))""",
        "client_tracking_id": "'ct-' || i",
        "correlation_id": "'corr-' || i",
        "created_at": ts,
        "started_at": ts,
        "ended_at": f"{ts} + interval '2 seconds'",
        "kind": "'Stateful'",
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(insert_sql(Run, run_columns, f"generate_series(1, {runs}) AS i"))
        action_columns = {
            "run_id": "r.id",
            "path": "'Step_' || n",
            "name": "'Step_' || n",
            "parent_path": "''",
            "type": "'Compose'",
            "status": "'Succeeded'",
            "started_at": "r.created_at",
            "ended_at": "r.created_at + interval '1 second'",
            "inputs": "jsonb_build_object('value', n)",
            "outputs": "jsonb_build_object('value', n, 'text', repeat('x', 200))",
            "attempts": "1",
        }
        source = f"(SELECT id, created_at FROM workflows_run ORDER BY id LIMIT {with_actions}) r, generate_series(1, 8) AS n"
        cursor.execute(insert_sql(ActionRun, action_columns, source))
        cursor.execute("ANALYZE")
    print(
        f"seeded {runs:,} runs and {with_actions * 8:,} action runs in {time.perf_counter() - started:.1f} s"
    )
    return [user, flows]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn, samples: int) -> list[float]:
    for _ in range(10):
        fn()
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def bench(samples: int, user, flows, with_actions: int) -> None:
    from django.db import connection
    from django.test import Client

    from accounts import tokens

    _, token = tokens.issue(user, "bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    rng = random.Random(7)
    pairs = [
        (rng.choice(flows), rng.choice(["Succeeded", "Failed", "Cancelled"])) for _ in range(64)
    ]

    def api_page():
        wf, status = rng.choice(pairs)
        response = client.get("/api/v1/runs", {"workflow": wf.name, "status": status})
        assert response.status_code == 200, response.content[:200]

    first = client.get("/api/v1/runs", {"workflow": flows[0].name, "status": "Succeeded"})
    assert len(first.json()["results"]) == 50  # checked once, outside the timed loop

    def sql_page():
        wf, status = rng.choice(pairs)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.id, r.status, r.trigger_name, r.client_tracking_id, r.correlation_id, "
                "r.resubmitted_from_id, r.created_at, r.started_at, r.ended_at, r.error, w.name, v.number "
                "FROM workflows_run r JOIN workflows_workflow w ON w.id = r.workflow_id "
                "JOIN workflows_workflowversion v ON v.id = r.version_id "
                "WHERE r.workflow_id = %s AND r.status = %s ORDER BY r.id LIMIT 51",
                [wf.id, status],
            )
            assert len(cursor.fetchall()) == 51

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM workflows_run ORDER BY id LIMIT {with_actions}")
        run_ids = [row[0] for row in cursor.fetchall()]

    def api_detail():
        response = client.get(f"/api/v1/runs/{rng.choice(run_ids)}")
        assert response.status_code == 200

    assert len(client.get(f"/api/v1/runs/{run_ids[0]}").json()["actions"]) == 8

    def sql_detail():
        run_id = rng.choice(run_ids)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM workflows_run r JOIN workflows_workflow w ON w.id = r.workflow_id JOIN workflows_workflowversion v ON v.id = r.version_id WHERE r.id = %s",
                [run_id],
            )
            assert cursor.fetchone()
            cursor.execute(
                "SELECT * FROM workflows_actionrun WHERE run_id = %s ORDER BY started_at, id",
                [run_id],
            )
            assert len(cursor.fetchall()) == 8

    print(
        f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work skews both columns)"
    )
    print(f"{'':34}{'p50 ms':>9}{'p95 ms':>9}   ratio p50/p95 vs raw SQL")
    for label, api, sql in (
        ("runs page (workflow+status)", api_page, sql_page),
        ("run detail (8 actions)", api_detail, sql_detail),
    ):
        api_ms, sql_ms = timed(api, samples), timed(sql, samples)
        a50, a95, s50, s95 = (
            percentile(api_ms, 0.5),
            percentile(api_ms, 0.95),
            percentile(sql_ms, 0.5),
            percentile(sql_ms, 0.95),
        )
        print(f"{'API  ' + label:34}{a50:9.2f}{a95:9.2f}   {a50 / s50:5.1f}x / {a95 / s95:5.1f}x")
        print(f"{'SQL  ' + label:34}{s50:9.2f}{s95:9.2f}")
        within = a50 / s50 <= 3 and a95 / s95 <= 3
        print(
            f"{'':34}goal p95 < 50 ms: {'met' if a95 < 50 else 'NOT met'}; within 3x at p50 and p95: {'met' if within else 'NOT met'}"
        )
        print(f"{'':34}mean API {statistics.mean(api_ms):.2f} ms over {samples} requests")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--workflows", type=int, default=20)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument(
        "--with-actions", type=int, default=20_000, help="runs that get 8 action runs each"
    )
    args = parser.parse_args()
    name = create_database()
    try:
        setup_django(name)
        user, flows = seed(args.runs, args.workflows, args.with_actions)
        bench(args.samples, user, flows, args.with_actions)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(name)


if __name__ == "__main__":
    main()
