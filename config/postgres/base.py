"""Django's PostgreSQL backend with health checks that skip a busy connection.

With `CONN_HEALTH_CHECKS`, Django checks a kept connection (`SELECT 1`) before
its first use in every request and every Celery task: a connection the server
dropped (restart, `pg_terminate_backend`) is replaced instead of failing the
request. Under load that is one more round trip per request or task, for a
connection that answered a moment ago.

Here the check is skipped while the connection made a cursor within the last
`SLUICE_DB_HEALTH_CHECK_SECONDS` (default 1; 0 = always check, as Django does).
A connection idle for longer is still checked before use. A statement that fails
on a connection dropped while busy marks it (`errors_occurred`), and Django's end
of request or task then checks and closes it, so at most the work that was using
it at that moment fails: a web request answers 500 and a run's turn is retried
(its lease expires and the sweep hands it on).

It also lets the engine's hot statements be prepared (`workflows.rows.prepared`):
Django connects with psycopg's prepared statements off; here they are on, but
only for a statement run with `prepare=True`.
"""

from __future__ import annotations

import os
import time

from django.db.backends.postgresql import base

PREPARE_ONLY_WHEN_ASKED = 2**31 - 1  # executions before psycopg prepares by itself


def busy_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("SLUICE_DB_HEALTH_CHECK_SECONDS", "1")))
    except ValueError:
        return 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    used_at = float("-inf")  # monotonic time this connection last made a cursor
    cursors = 0  # cursors made so far (workflows/frontdoor.py: did a request use us?)

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and time.monotonic() - self.used_at < busy_seconds()
        ):
            self.health_check_done = True  # it answered a moment ago
        super().close_if_health_check_failed()

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if connection.prepare_threshold is None:  # Django's default: none prepared
            # prepared only where asked (`workflows.rows.prepared`): Django's own
            # queries bind on the client and are never prepared
            connection.prepare_threshold = PREPARE_ONLY_WHEN_ASKED
        return connection

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self.used_at = time.monotonic()
        self.cursors += 1
        return cursor

    def _close(self):
        self.used_at = float("-inf")
        return super()._close()
