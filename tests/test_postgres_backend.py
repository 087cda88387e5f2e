"""config.postgres: Django's health check (`SELECT 1` before a kept connection's
first use in a request or task) is skipped while the connection was used within
`SLUICE_DB_HEALTH_CHECK_SECONDS`, and still replaces an idle connection the
server dropped. Against the real PostgreSQL on 127.0.0.1:5432."""

from __future__ import annotations

import psycopg
import pytest
from django.db.utils import ConnectionHandler

from config.postgres import base

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def db(monkeypatch, django_db_blocker):
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "config.postgres",
                "NAME": "postgres",
                "USER": "postgres",
                "HOST": "127.0.0.1",
                "PORT": "5432",
                "CONN_MAX_AGE": 60,
                "CONN_HEALTH_CHECKS": True,
            }
        }
    )
    connection = handler["default"]
    checks: list[bool] = []
    usable = connection.is_usable

    def counted() -> bool:
        checks.append(True)
        return usable()

    monkeypatch.setattr(connection, "is_usable", counted)
    connection.checks = checks
    with django_db_blocker.unblock():  # a connection of its own, not the test database's
        yield connection
        connection.close()


def _query(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _kill(pid: int) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_used_a_moment_ago_is_not_checked_again(db) -> None:
    first = _query(db)
    for _ in range(3):  # a request or task ends and the next begins
        db.close_if_unusable_or_obsolete()
        assert _query(db) == first
    assert db.checks == []


def test_an_idle_connection_is_checked_and_replaced_when_the_server_dropped_it(
    db, monkeypatch
) -> None:
    monkeypatch.setenv("SLUICE_DB_HEALTH_CHECK_SECONDS", "0.2")
    first = _query(db)
    _kill(first)
    db.used_at -= 1  # idle for longer than the setting
    db.close_if_unusable_or_obsolete()
    assert _query(db) != first  # replaced before use: the query did not fail
    assert db.checks == [True]


def test_zero_checks_every_time_as_django_does(db, monkeypatch) -> None:
    monkeypatch.setenv("SLUICE_DB_HEALTH_CHECK_SECONDS", "0")
    _query(db)
    db.close_if_unusable_or_obsolete()
    _query(db)
    db.close_if_unusable_or_obsolete()
    _query(db)
    assert db.checks == [True, True]


def test_a_connection_dropped_while_busy_fails_one_use_then_is_replaced(db) -> None:
    first = _query(db)
    _kill(first)
    db.close_if_unusable_or_obsolete()
    with pytest.raises(Exception) as failed:  # used a moment ago: not checked
        _query(db)
    assert "terminat" in str(failed.value).lower() or "closed" in str(failed.value).lower()
    db.close_if_unusable_or_obsolete()  # the end of that request or task: errors seen
    assert _query(db) != first


def test_the_setting_reads_safely() -> None:
    assert base.busy_seconds() == 1.0


def _prepared_statements(connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_engine_s_hot_statements_are_prepared_once_per_connection(db, monkeypatch) -> None:
    from workflows import rows

    monkeypatch.setattr(rows, "connection", db)
    sql = "SELECT %s::int + 1, 'sluice-prepared'"
    for value in (1, 2, 3):
        with rows.prepared(sql, [value]) as cursor:
            assert cursor.fetchall() == [(value + 1, "sluice-prepared")]
    assert sum("sluice-prepared" in s for s in _prepared_statements(db)) == 1
    with db.cursor() as cursor:  # Django's own queries stay unprepared
        for _ in range(10):
            cursor.execute("SELECT 'sluice-orm' WHERE %s", [True])
    assert not any("sluice-orm" in s for s in _prepared_statements(db))


def test_with_django_s_own_backend_nothing_is_prepared(db, monkeypatch) -> None:
    from workflows import rows

    monkeypatch.setattr(rows, "connection", db)
    _query(db)
    db.connection.prepare_threshold = None  # as django.db.backends.postgresql connects
    with rows.prepared("SELECT %s::int, 'sluice-plain'", [7]) as cursor:
        assert cursor.fetchall() == [(7, "sluice-plain")]
    assert not any("sluice-plain" in s for s in _prepared_statements(db))
