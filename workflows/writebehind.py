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
import time

from django.db import close_old_connections, connection
from django.db.models import Model

from workflows import rows

log = logging.getLogger("sluice.writebehind")

MAX_PENDING = 50_000  # rows kept while the database refuses writes


def delay_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("SLUICE_SUMMARY_DELAY", "0.05")))
    except ValueError:
        return 0.05


class Writer:
    """Queues groups of new model instances and writes them on a thread of its own."""

    def __init__(self, delay: float | None = None) -> None:
        self.delay = delay_seconds() if delay is None else delay
        self._pending: list[list[Model]] = []
        self._count = 0
        self._lock = threading.Lock()  # guards _pending
        self._writing = threading.Lock()  # held while a batch is written
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0

    def add(self, *groups: list[Model]) -> None:
        """Queue `groups` (each: new instances of one model, written in this order)."""
        with self._lock:
            self._pending.extend(group for group in groups if group)
            self._count += sum(len(group) for group in groups)
            self._drop_excess()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="sluice-writebehind", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def pending(self) -> int:
        with self._lock:
            return self._count

    def flush(self) -> None:
        """Write everything queued now, in this thread (at exit; in tests)."""
        with self._writing:
            self._write(self._take())

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            time.sleep(self.delay)  # let a batch gather
            with self._writing:
                ok = self._write(self._take())
            if not ok:
                time.sleep(min(5.0, 0.1 * 2 ** min(self.failures, 6)))
                self._wake.set()

    def _take(self) -> list[list[Model]]:
        with self._lock:
            taken, self._pending, self._count = self._pending, [], 0
        return taken

    def _write(self, groups: list[list[Model]]) -> bool:
        if not groups:
            return True
        close_old_connections()
        try:
            by_model: dict[type, list[Model]] = {}
            for group in groups:  # one multi-row INSERT per model, in first-seen order
                by_model.setdefault(type(group[0]), []).extend(group)
            rows.insert_together(*by_model.values())
            self.failures = 0
            return True
        except Exception:
            self.failures += 1
            log.exception("could not write %d stateless run rows; retrying", len(groups))
            connection.close()  # a broken connection must not be reused
            with self._lock:
                self._pending[:0] = groups
                self._count += sum(len(group) for group in groups)
                self._drop_excess()
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
