"""Worker processes for the PostgreSQL invariants test (`python -m tests.broker.pg_worker …`).

    consume QUEUE LOG          receive/settle until the queue is drained; log every delivery
    send-dups QUEUE START N    send N messages with MessageIds START..START+N-1
    produce HUB WORKER N       send N events with partition keys, recording (worker, counter)

Every delivery is logged as one JSON line: the `now` the receive used, the lock
expiry, what was done and when, and whether the settlement succeeded.
"""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.utils import timezone  # noqa: E402

from broker.services import entities, eventhubs, servicebus, store  # noqa: E402


def consume(queue_name: str, log_path: str) -> None:
    queue = entities.get_queue(entities.get_namespace(), queue_name)
    idle = 0
    with open(log_path, "w") as log:
        while idle < 30:
            now = timezone.now()
            got = store.receive(queue, now, 10)
            if not got:
                idle += 1
                import time

                time.sleep(0.1)
                continue
            idle = 0
            for m in got:
                log.write(json.dumps(settle(queue, m, now)) + "\n")


def settle(queue, m, received_now) -> dict:
    body = bytes(m.body).decode()
    record = {
        "id": m.message_id,
        "seq": m.id,
        "now": received_now.timestamp(),
        "until": m.locked_until.timestamp(),
        "count": m.delivery_count,
        "pid": os.getpid(),
    }
    if body == "crash" and m.delivery_count == 1:
        record["action"] = "none"  # the consumer "dies": the lock expires
        return record
    settled_at = timezone.now()
    if body == "poison":
        ok = store.abandon(queue, m.lock_token, settled_at)
        record["action"] = "abandon"
    else:
        ok = store.complete(queue, m.lock_token, settled_at)
        record["action"] = "complete"
    record.update(ok=bool(ok), at=settled_at.timestamp())
    return record


def send_dups(queue_name: str, start: int, n: int) -> None:
    queue = entities.get_queue(entities.get_namespace(), queue_name)
    for i in range(start, start + n, 50):
        batch = [
            servicebus.Outgoing(body=b"dup", message_id=f"dup-{j}")
            for j in range(i, min(i + 50, start + n))
        ]
        servicebus.send(queue, batch, timezone.now())


def produce(hub_name: str, worker: str, n: int) -> None:
    hub = entities.get_hub(entities.get_namespace(), hub_name)
    for counter in range(n):
        key = f"key-{counter % 7}"
        body = json.dumps({"worker": worker, "counter": counter, "key": key}).encode()
        eventhubs.send(hub, [eventhubs.Incoming(body)], timezone.now(), partition_key=key)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "consume":
        consume(*args)
    elif command == "send-dups":
        send_dups(args[0], int(args[1]), int(args[2]))
    elif command == "produce":
        produce(args[0], args[1], int(args[2]))
    else:
        raise SystemExit(f"unknown command {command}")
