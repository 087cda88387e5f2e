from django.conf import settings


def test_it_keeps_test_data_out_of_the_working_tree():
    assert "sluice-test-" in str(settings.DATA_DIR)


def test_it_uses_sqlite_with_wal_by_default():
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "config.sqlite"  # Django's, with writers queued per process
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_celery_workers_reuse_their_database_connection():
    """Without CELERY_DB_REUSE_MAX, Celery's Django fixup closes the connection
    before and after every task (a new PostgreSQL connection per run turn)."""
    from celery.fixups.django import DjangoWorkerFixup

    from config.celery import app

    assert DjangoWorkerFixup(app).db_reuse_max >= 100
