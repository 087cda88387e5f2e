"""config/sqlite: a process's writers queue on one lock; it is released on commit,
rollback and close, and concurrent writers from threads all get through."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from config.sqlite.base import WRITE_LOCK
from workflows.models import Workflow

pytestmark = pytest.mark.django_db(transaction=True)


def _lock_is_free() -> bool:
    """Asked from another thread: the lock is reentrant for the one holding it."""
    free: list[bool] = []

    def probe() -> None:
        free.append(WRITE_LOCK.acquire(blocking=False))
        if free[-1]:
            WRITE_LOCK.release()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return free == [True]


def test_a_transaction_holds_the_lock_until_commit() -> None:
    holder_inside = threading.Event()
    other_got_it = []
    release = threading.Event()

    def other() -> None:
        holder_inside.wait()
        other_got_it.append(WRITE_LOCK.acquire(timeout=0.2))
        if other_got_it[-1]:
            WRITE_LOCK.release()
        release.set()

    thread = threading.Thread(target=other)
    thread.start()
    with transaction.atomic():
        Workflow.objects.create(name="held")
        holder_inside.set()
        release.wait()
    thread.join()
    assert other_got_it == [False]  # another thread had to wait for the commit
    assert _lock_is_free()


def test_a_rollback_releases_the_lock() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        Workflow.objects.create(name="rolled-back")
        raise RuntimeError
    assert _lock_is_free()
    assert not Workflow.objects.filter(name="rolled-back").exists()


def test_concurrent_writers_from_threads_all_commit() -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                with transaction.atomic():
                    Workflow.objects.create(name=f"w{n}-{i}")
                Workflow.objects.filter(name=f"w{n}-{i}").update(description="autocommit write")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Workflow.objects.filter(description="autocommit write").count() == 160
    assert connection.vendor == "sqlite" and _lock_is_free()
