"""Stateless run summaries written behind the response, in batches.

A `Stateless` workflow (`services.run_inline`) keeps no per-action state: its only
row is a run summary for the monitoring views (plus its action rows with the
`WithStatelessRunHistory` option). Writing that row before answering made a
request wait for a database write and queue behind every other writer (SQLite has
one), so a web process hands it to this module instead: `add()` queues the rows,
and one thread per process writes what has queued every `SLUICE_SUMMARY_DELAY`
seconds (default 0.05) in one transaction, with multi-row INSERTs.

What a user sees: a stateless run shows in the runs list up to that delay after its
caller was answered. What a crash costs: a process killed (SIGKILL, power loss)
loses the summaries of its last delay's runs — never a run's effects, which a
stateless run has already had. A normal exit (SIGTERM, Ctrl-C) writes what is
queued first (`atexit`). If the database refuses the write, the rows are kept and
retried with growing pauses; beyond `MAX_PENDING` rows the oldest are dropped and
counted in the log.

Eager mode (tests, `sluice run`) writes the summary before returning, as before.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading

from django.db import close_old_connections, connection
from django.db.models import Model

from workflows import rows
from workflows.lingering import Lingering

log = logging.getLogger("sluice.writebehind")

MAX_PENDING = 50_000  # rows kept while the database refuses writes


def delay_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("SLUICE_SUMMARY_DELAY", "0.05")))
    except ValueError:
        return 0.05


class Writer(Lingering[list[Model]]):
    """Queues groups of new model instances and writes them on a thread of its own."""

    thread_name = "sluice-writebehind"

    def __init__(self, delay: float | None = None) -> None:
        super().__init__(delay_seconds() if delay is None else delay)
        self._count = 0  # rows queued (each group holds several)

    def add(self, *groups: list[Model]) -> None:
        """Queue `groups` (each: new instances of one model, written in this order)."""
        self._queue(group for group in groups if group)

    def pending(self) -> int:
        with self._lock:
            return self._count

    def _queued(self, groups: list[list[Model]]) -> None:
        self._count += sum(len(group) for group in groups)
        self._drop_excess()

    def _take(self) -> list[list[Model]]:
        with self._lock:
            groups, self._pending, self._count = self._pending, [], 0
        return groups

    def _hand_on(self, groups: list[list[Model]]) -> bool:
        close_old_connections()
        try:
            by_model: dict[type, list[Model]] = {}
            for group in groups:  # one multi-row INSERT per model, in first-seen order
                by_model.setdefault(type(group[0]), []).extend(group)
            rows.insert_together(*by_model.values())
            return True
        except Exception:
            log.exception("could not write %d stateless run rows; retrying", len(groups))
            connection.close()  # a broken connection must not be reused
            with self._lock:
                self._pending[:0] = groups
                self._queued(groups)
            return False

    def _drop_excess(self) -> None:
        dropped = 0
        while self._count > MAX_PENDING and self._pending:
            group = self._pending.pop(0)
            self._count -= len(group)
            dropped += len(group)
        if dropped:
            log.error("dropped %d stateless run rows the database would not take", dropped)


_writer: Writer | None = None
_writer_lock = threading.Lock()


def writer() -> Writer:
    """This process's writer (made on first use; written out at exit)."""
    global _writer
    with _writer_lock:
        if _writer is None:
            _writer = Writer()
            atexit.register(_writer.flush)
        return _writer
