"""Django's SQLite backend with fair, in-process queuing of writers.

SQLite lets one writer in at a time. When another connection holds the write
lock, SQLite's busy handler makes the newcomer *sleep* and retry, with sleeps
growing to 100 ms: under a burst of concurrent writes from the threads of one
process (web requests, runs driven in the web process) a few unlucky writers
sleep far longer than the lock is held (p99 > 1 s for 10 ms of work in
`bench/request.py`).

So each process queues its own writers on a lock before they ask SQLite:
a transaction (`BEGIN IMMEDIATE`, the project's transaction mode) holds it until
commit or rollback, and a write statement outside a transaction holds it for that
statement. The busy handler then only arbitrates between processes (web, worker,
scheduler). Reads never take it (WAL readers do not block).
"""

from __future__ import annotations

import threading

from django.db.backends.sqlite3 import base

WRITE_LOCK = threading.RLock()
READS = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK TO")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def execute(self, query, params=None):
        if self.connection.in_transaction or query.lstrip()[:11].upper().startswith(READS):
            return super().execute(query, params)
        with WRITE_LOCK:  # a write in autocommit mode: its own transaction
            return super().execute(query, params)

    def executemany(self, query, param_list):
        if self.connection.in_transaction:
            return super().executemany(query, param_list)
        with WRITE_LOCK:
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    holds_write_lock = False
    cursors = 0  # cursors made so far (workflows/frontdoor.py: did a request use us?)

    def _cursor(self, name=None):
        self.cursors += 1
        return super()._cursor(name)

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)

    def _start_transaction_under_autocommit(self):
        WRITE_LOCK.acquire()
        self.holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self):
        if self.holds_write_lock:
            self.holds_write_lock = False
            WRITE_LOCK.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_lock()
