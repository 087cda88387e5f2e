"""Broker invariants under real concurrency on real PostgreSQL (127.0.0.1:5432).

Four consumer *processes* drain 5,000 messages (some poison, some whose consumer
"crashes" holding the lock) while the test checks, from their delivery logs:
none lost, never held by two consumers at once, each completed at most once or
dead-lettered; plus Event Hubs order per partition and duplicate detection under
concurrent senders. A throwaway database is created and dropped. The 50,000
version is `bench/broker.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import defaultdict
from itertools import pairwise

import psycopg
import pytest

from tests.broker.conftest import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TOTAL = 5000
CONSUMERS = 4


@pytest.fixture(scope="module")
def pg_env(tmp_path_factory):
    name = f"sluice_broker_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        raise AssertionError(f"PostgreSQL is not reachable on 127.0.0.1:5432: {exc}") from exc
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
        "SLUICE_DATA_DIR": str(tmp_path_factory.mktemp("pg-data")),
        "SLUICE_LOG_LEVEL": "WARNING",
    }
    run(env, "manage.py", "migrate", "--noinput")
    yield env
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(env, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def django_code(env, code: str) -> str:
    return run(env, "-c", "import django; django.setup()\n" + code)


def parallel(env, commands: list[list[str]]) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.broker.pg_worker", *c],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in commands
    ]
    for p in procs:
        _, err = p.communicate(timeout=900)
        assert p.returncode == 0, err


def body_of(i: int) -> str:
    if i % 50 == 0:
        return "poison"
    if i % 33 == 0:
        return "crash"
    return "ok"


def test_it_never_loses_or_double_holds_messages(pg_env, tmp_path):
    django_code(
        pg_env,
        "from django.utils import timezone\n"
        "from broker.services import entities, servicebus\n"
        "q = entities.create_queue(entities.get_namespace(), 'inv', lock_duration_seconds=1, max_delivery_count=3)\n"
        f"bodies = {[body_of(i) for i in range(TOTAL)]!r}\n"
        "for i in range(0, len(bodies), 100):\n"
        "    batch = [servicebus.Outgoing(body=b.encode(), message_id=f'm-{i + j}') for j, b in enumerate(bodies[i:i + 100])]\n"
        "    servicebus.send(q, batch, timezone.now())\n",
    )
    logs = [tmp_path / f"consumer-{n}.jsonl" for n in range(CONSUMERS)]
    parallel(pg_env, [["consume", "inv", str(path)] for path in logs])
    deliveries = defaultdict(list)
    for path in logs:
        for line in path.read_text().splitlines():
            record = json.loads(line)
            deliveries[record["id"]].append(record)
    dead = json.loads(
        django_code(
            pg_env,
            "import json\nfrom broker.models import Message\nprint(json.dumps(list(Message.objects.filter(state='deadlettered').values_list('message_id', 'dead_letter_reason'))))\n",
        )
    )
    left = django_code(
        pg_env,
        "from broker.models import Message\nprint(Message.objects.filter(state='active').count())\n",
    ).strip()

    assert left == "0"
    assert set(deliveries) == {f"m-{i}" for i in range(TOTAL)}
    dead_ids = {d[0] for d in dead}
    assert dead_ids == {f"m-{i}" for i in range(TOTAL) if body_of(i) == "poison"}
    assert {d[1] for d in dead} == {"MaxDeliveryCountExceeded"}
    for message_id, records in deliveries.items():
        records.sort(key=lambda r: r["now"])
        completed = [r for r in records if r.get("action") == "complete" and r["ok"]]
        assert len(completed) == (0 if message_id in dead_ids else 1), records
        if completed:
            assert records[-1] is completed[0], records
        for before, after in pairwise(records):
            released = (
                before["at"]
                if before.get("ok") and before["action"] == "abandon"
                else before["until"]
            )
            assert after["now"] >= released, (message_id, before, after)
            assert after["count"] == before["count"] + 1
    assert len({r["pid"] for rs in deliveries.values() for r in rs}) == CONSUMERS


def test_it_keeps_event_hub_order_per_partition_under_concurrent_producers(pg_env):
    django_code(
        pg_env,
        "from broker.services import entities\nentities.create_hub(entities.get_namespace(), 'order', partitions=4)\n",
    )
    parallel(pg_env, [["produce", "order", f"w{n}", "250"] for n in range(4)])
    out = django_code(
        pg_env,
        "import json\nfrom broker.models import HubEvent\n"
        "rows = HubEvent.objects.filter(partition__hub__name='order').order_by('partition__index', 'sequence_number')\n"
        "print(json.dumps([[r.partition.index, r.sequence_number, r.offset, json.loads(bytes(r.body))] for r in rows]))\n",
    )
    rows = json.loads(out)
    assert len(rows) == 1000
    by_partition = defaultdict(list)
    for partition, seq, offset, body in rows:
        by_partition[partition].append((seq, offset, body))
    from broker.services.eventhubs import partition_index

    for partition, events in by_partition.items():
        assert [e[0] for e in events] == list(range(len(events)))
        assert [e[1] for e in events] == sorted(e[1] for e in events)
        last: dict = {}
        for _, _, body in events:
            assert partition_index(body["key"], 4) == partition
            stream = (body["worker"], body["key"])
            assert body["counter"] > last.get(stream, -1)
            last[stream] = body["counter"]


def test_it_detects_duplicates_across_concurrent_senders(pg_env):
    django_code(
        pg_env,
        "from broker.services import entities\nentities.create_queue(entities.get_namespace(), 'dups', requires_duplicate_detection=True)\n",
    )
    parallel(pg_env, [["send-dups", "dups", "0", "500"] for _ in range(4)])
    out = django_code(
        pg_env,
        "from broker.models import Message\nqs = Message.objects.filter(channel__name='dups')\nprint(qs.count(), qs.values('message_id').distinct().count())\n",
    )
    assert out.split() == ["500", "500"]
