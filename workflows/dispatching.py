"""Run dispatches sent to the workers in batches: one Celery message per batch.

A bare Celery round trip costs more CPU than a five-action run's own work (about
0.55 ms to send and 1.2 ms for a worker to take one message on the reference
machine). Under load, "go look at runs X, Y, Z" in one `advance_runs` message
spends that once for many runs: `dispatch(run_id)` (countdown 0, outside eager
mode) queues the id here, and a thread of this process sends what gathered
`SLUICE_DISPATCH_LINGER_SECONDS` (default 0.005; 0 sends each at once, as one
`advance_run` message) after the first id, at most `MAX_BATCH` ids a message.

Nothing is lost when a message is: every run that waits for a dispatch already
has a `due_at` (a new run: 5 s after it was created; a parked one: when it
wakes), so the sweep (`ticks.tick`) sends it again if no worker took it. A Celery
worker sends what its task queued when the task ends (`flush`), and every process
sends what is left at exit.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable

from workflows.lingering import Lingering

log = logging.getLogger("sluice.engine")

MAX_BATCH = 32


def linger_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("SLUICE_DISPATCH_LINGER_SECONDS", "0.005")))
    except ValueError:
        return 0.005


class Batcher(Lingering[str]):
    """Gathers ids and hands them to `send` (a list of at most `MAX_BATCH`) on a
    thread of its own, `linger` seconds after the first of a batch arrived."""

    thread_name = "sluice-dispatch"

    def __init__(self, send: Callable[[list[str]], None], linger: float) -> None:
        super().__init__(linger)
        self.send = send

    def add(self, run_id: str) -> None:
        self._queue([run_id])

    def _take(self) -> list[str]:
        with self._lock:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
        return list(dict.fromkeys(batch))  # one look per run is enough

    def _hand_on(self, batch: list[str]) -> bool:
        try:
            self.send(batch)
        except Exception:  # not kept: the sweep sends these runs again
            log.warning(
                "could not send advance_runs for %d run(s); the sweep will",
                len(batch),
                exc_info=True,
            )
        return True


_batcher: Batcher | None = None
_batcher_lock = threading.Lock()


def batcher(send: Callable[[list[str]], None]) -> Batcher:
    """This process's batcher (made on first use; flushed at exit)."""
    global _batcher
    with _batcher_lock:
        if _batcher is None:
            _batcher = Batcher(send, linger_seconds())
            atexit.register(_batcher.flush)
        return _batcher


def flush(**_) -> None:
    """Send what this process queued (a Celery worker: at the end of each task)."""
    if _batcher is not None:
        _batcher.flush()


def _forget_after_fork() -> None:
    """A forked child (a Celery pool process) starts with a batcher of its own: the
    parent's thread did not come along, and its locks may have been held."""
    global _batcher, _batcher_lock
    if _batcher is not None:  # the parent's: its atexit hook came along, empty it
        _batcher._pending = []
        _batcher._lock, _batcher._handing = threading.Lock(), threading.Lock()
    _batcher, _batcher_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
