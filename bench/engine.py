"""Benchmark: the run engine.

Run:  .venv/bin/python bench/engine.py [--runs 1000] [--items 10000] [--repeat 3] [--skip-postgres]

Prints, on SQLite (in-process, eager) and on PostgreSQL + Redis with two worker
processes (`celery worker -c 1` each):

* stateful runs/s of a 5-action workflow (Compose chain with expressions),
* stateless runs/s of the same workflow (`run_inline` in the bench process, its
  summary row written before the next run),
* engine overhead per action: time per action inside a stateful/stateless run
  divided by calling the same action code directly (evaluate inputs + Compose),
* seconds for a Foreach over 10,000 items with concurrency 20,
* the bare Celery round trip (one no-op task per run) as the baseline ratio for
  the distributed numbers: measured `--repeat` times, interleaved with the
  stateful runs (this shared machine has slow spells of tens of percent), and
  reported as medians, with the ratio of each bare/stateful pair.

Each section runs in its own process because Django's database settings are
fixed per process. The PostgreSQL section needs PostgreSQL (127.0.0.1:5432, user
postgres, trust) and Redis (127.0.0.1:6379); it creates and drops its own database.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# bench/ itself must not shadow packages (bench/amqp.py vs the `amqp` library).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

TRIGGERS = {"manual": {"type": "Request", "kind": "Http"}}


def five_actions() -> dict[str, Any]:
    actions: dict[str, Any] = {"A": {"type": "Compose", "inputs": "@add(triggerBody(), 1)"}}
    previous = "A"
    for name in "BCDE":
        actions[name] = {
            "type": "Compose",
            "inputs": f"@add(outputs('{previous}'), 1)",
            "runAfter": {previous: ["Succeeded"]},
        }
        previous = name
    return actions


def foreach(items: int) -> dict[str, Any]:
    return {
        "Loop": {
            "type": "Foreach",
            "foreach": f"@range(0, {items})",
            "runtimeConfiguration": {"concurrency": {"repetitions": 20}},
            "actions": {"Square": {"type": "Compose", "inputs": "@mul(item(), item())"}},
        }
    }


# ------------------------------------------------------------------ in a section
def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SLUICE_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import logging

    for name in ("sluice", "celery", "kombu"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def make_workflow(name: str, actions: dict[str, Any], kind: str = "Stateful") -> Any:
    from workflows.models import Workflow, WorkflowVersion, definition_hash

    definition = {"triggers": TRIGGERS, "actions": actions}
    workflow = Workflow.objects.create(name=f"{name}-{uuid.uuid4().hex[:6]}")
    version = WorkflowVersion.objects.create(
        workflow=workflow,
        number=1,
        definition=definition,
        kind=kind,
        hash=definition_hash(definition, kind),
    )
    workflow.current_version = version
    workflow.save()
    return workflow


def direct_seconds_per_action(count: int = 5000) -> float:
    """The same action code without the engine: evaluate the inputs, run Compose."""
    from workflows.actions.data import compose
    from workflows.expressions import evaluate

    context = {"actions": {"A": {"outputs": 1}}, "trigger": {"outputs": {"body": 1}}}
    started = time.perf_counter()
    for _ in range(count):
        compose(evaluate("@add(outputs('A'), 1)", context), None)  # type: ignore[arg-type]
    return (time.perf_counter() - started) / count


def wait_all(run_ids: list[str], timeout: float) -> float:
    from workflows.models import Run
    from workflows.statuses import TERMINAL

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if not Run.objects.filter(pk__in=run_ids).exclude(status__in=TERMINAL).exists():
            return time.perf_counter() - started
        time.sleep(0.05)
    raise SystemExit(f"runs did not finish within {timeout} s")


def section_sqlite(runs: int, items: int) -> dict[str, Any]:
    setup_django()
    from workflows import services

    workflow = make_workflow("bench", five_actions())
    services.drive(services.create_run(workflow, "manual", {"body": 0}).id)  # warm up
    started = time.perf_counter()
    for n in range(runs):
        run = services.create_run(workflow, "manual", {"body": n})
        services.drive(run.id)
    stateful = time.perf_counter() - started
    stateless = stateless_seconds(runs)
    loop = make_workflow("bench-loop", foreach(items))
    started = time.perf_counter()
    result = services.drive(services.create_run(loop, "manual", {"body": 0}).id)
    loop_seconds = time.perf_counter() - started
    assert result.status == "Succeeded", result.error
    return {
        "stateful_runs_per_s": runs / stateful,
        "stateless_runs_per_s": runs / stateless,
        "stateful_s_per_action": stateful / runs / 5,
        "stateless_s_per_action": stateless / runs / 5,
        "direct_s_per_action": direct_seconds_per_action(),
        "foreach_seconds": loop_seconds,
        "foreach_items": items,
    }


def stateless_seconds(runs: int) -> float:
    """`runs` Stateless runs in this process (as a trigger request runs them), each
    one's summary row written before the next starts."""
    from workflows import services

    workflow = make_workflow("bench-sl", five_actions(), kind="Stateless")
    services.run_inline(workflow, "manual", {"body": 0})  # warm up
    started = time.perf_counter()
    for n in range(runs):
        services.run_inline(workflow, "manual", {"body": n})
    return time.perf_counter() - started


def bare_celery_rate(runs: int) -> float:
    """No-op tasks/s: `runs` `touch` tasks sent, then awaited on a Redis counter."""
    import redis
    from django.conf import settings

    from workflows.tasks import touch

    counter = f"bench:{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    started = time.perf_counter()
    for _ in range(runs):
        touch.delay(counter)
    while int(client.get(counter) or 0) < runs:
        time.sleep(0.01)
    return runs / (time.perf_counter() - started)


def section_postgres(runs: int, items: int, repeat: int) -> dict[str, Any]:
    setup_django()
    from workflows import services

    workflow = make_workflow("bench", five_actions())
    wait_all([services.create_run(workflow, "manual", {"body": 0}).id], 60)  # warm up
    bare_rates, stateful_rates = [], []
    for _ in range(repeat):  # interleaved: a slow spell of the machine hits both
        bare_rates.append(bare_celery_rate(runs))
        started = time.perf_counter()
        ids = [services.create_run(workflow, "manual", {"body": n}).id for n in range(runs)]
        wait_all(ids, 600)
        stateful_rates.append(runs / (time.perf_counter() - started))
    stateless = stateless_seconds(runs)
    loop = make_workflow("bench-loop", foreach(items))
    started = time.perf_counter()
    run = services.create_run(loop, "manual", {"body": 0})
    wait_all([run.id], 600)
    loop_seconds = time.perf_counter() - started
    stateful = statistics.median(stateful_rates)
    return {
        "celery_tasks_per_s": statistics.median(bare_rates),
        "stateful_runs_per_s": stateful,
        "stateless_runs_per_s": runs / stateless,
        "stateless_s_per_action": stateless / runs / 5,
        "ratios": [s / b for s, b in zip(stateful_rates, bare_rates, strict=True)],
        "stateful_s_per_action": 1 / stateful / 5,
        "direct_s_per_action": direct_seconds_per_action(),
        "foreach_seconds": loop_seconds,
        "foreach_items": items,
    }


# ------------------------------------------------------------------ orchestration
def run_section(name: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--section",
        name,
        "--runs",
        str(args.runs),
        "--items",
        str(args.items),
        "--repeat",
        str(args.repeat),
    ]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"section {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def sqlite_env() -> dict[str, str]:
    data = tempfile.mkdtemp(prefix="sluice-bench-")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return {**env, "SLUICE_DATA_DIR": data, "SLUICE_CELERY_EAGER": "1", "PYTHONPATH": str(ROOT)}


def postgres(args: argparse.Namespace) -> dict[str, Any]:
    import psycopg

    name = f"sluice_bench_{uuid.uuid4().hex[:8]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{uuid.uuid4().int % 14 + 1}",
        "SLUICE_DATA_DIR": tempfile.mkdtemp(prefix="sluice-bench-"),
        "SLUICE_CELERY_EAGER": "0",
        "SLUICE_LOG_LEVEL": "WARNING",
        "SLUICE_CELERY_QUEUE": f"sluice-bench-{uuid.uuid4().hex[:10]}",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--skip-checks", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-c",
                "1",
                "-l",
                "ERROR",
                "-n",
                f"bench{i}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(2)
    ]
    try:
        time.sleep(3)
        return run_section("postgres", env, args)
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).delete(env["SLUICE_CELERY_QUEUE"])


def report(label: str, figures: dict[str, Any]) -> None:
    print(f"\n== {label}")
    if "celery_tasks_per_s" in figures:
        print(
            f"bare Celery round trip       {figures['celery_tasks_per_s']:10.1f} tasks/s (one no-op task per run)"
        )
    print(f"stateful runs (5 actions)    {figures['stateful_runs_per_s']:10.1f} runs/s")
    if "ratios" in figures:
        ratios = figures["ratios"]
        print(
            f"  ratio to bare Celery       {statistics.median(ratios):10.3f} median of "
            f"{len(ratios)} interleaved pairs ({', '.join(f'{r:.3f}' for r in ratios)})"
        )
    if "stateless_runs_per_s" in figures:
        print(f"stateless runs (5 actions)   {figures['stateless_runs_per_s']:10.1f} runs/s")
    direct = figures["direct_s_per_action"]
    print(f"direct action call           {direct * 1e6:10.1f} µs/action")
    print(
        f"stateful per action          {figures['stateful_s_per_action'] * 1e6:10.1f} µs "
        f"(overhead ×{figures['stateful_s_per_action'] / direct:.1f})"
    )
    if "stateless_s_per_action" in figures:
        print(
            f"stateless per action         {figures['stateless_s_per_action'] * 1e6:10.1f} µs "
            f"(overhead ×{figures['stateless_s_per_action'] / direct:.1f})"
        )
    label = f"Foreach {figures['foreach_items']:,} items, c=20"
    print(f"{label:<28} {figures['foreach_seconds']:10.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1000, help="runs (and no-op tasks) a measure")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="PostgreSQL section: measure bare Celery and stateful runs this many times, "
        "interleaved, and report the medians (the ratio of each pair is printed too)",
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--section", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.section == "sqlite":
        print(json.dumps(section_sqlite(args.runs, args.items)))
        return
    if args.section == "postgres":
        print(json.dumps(section_postgres(args.runs, args.items, args.repeat)))
        return
    print(
        f"runs={args.runs} items={args.items} cpus={os.cpu_count()} load={os.getloadavg()[0]:.1f}"
    )
    report("SQLite, in-process (eager)", run_section("sqlite", sqlite_env(), args))
    if not args.skip_postgres:
        report("PostgreSQL + Redis, two worker processes", postgres(args))


if __name__ == "__main__":
    main()
