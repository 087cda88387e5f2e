"""A queue that a thread of its own hands on in batches: any thread adds items, and
`delay` seconds after the first item of a batch the thread hands on what gathered
(`flush` does it at once, in the calling thread). A batch refused is kept by the
subclass and tried again after a growing pause.

Used by `writebehind.Writer` (stateless run summaries) and `dispatching.Batcher`
(run dispatches)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lingering(Generic[T]):
    thread_name = "sluice-lingering"

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._pending: list[T] = []
        self._lock = threading.Lock()  # guards _pending (and a subclass's tallies)
        self._handing = threading.Lock()  # one batch handed on at a time
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0  # batches refused in a row

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> bool:
        """Hand on everything queued now, in this thread; False when a batch was
        refused (the subclass kept it)."""
        with self._handing:
            while batch := self._take():
                if not self._hand_on(batch):
                    self.failures += 1
                    return False
                self.failures = 0
        return True

    def _queue(self, items: Iterable[T]) -> None:
        with self._lock:
            added = list(items)
            self._pending.extend(added)
            self._queued(added)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name=self.thread_name, daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _queued(self, items: list[T]) -> None:
        """Called under the lock once `items` joined the queue."""

    def _take(self) -> list[T]:
        """The next batch (everything, unless a subclass says otherwise)."""
        with self._lock:
            batch, self._pending = self._pending, []
        return batch

    def _hand_on(self, batch: list[T]) -> bool:
        raise NotImplementedError

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            time.sleep(self.delay)  # let a batch gather
            if not self.flush():
                time.sleep(min(5.0, 0.1 * 2 ** min(self.failures, 6)))
                self._wake.set()
