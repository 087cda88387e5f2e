"""The Celery app.

The transport only carries "go look at run X now"; the database is the source of
truth. With `REDIS_URL` set Celery uses Redis; otherwise kombu's filesystem
transport in the data directory, so the embedded default needs no server.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sluice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fixup closes every database connection before and after each
# task unless this is set: a new PostgreSQL connection (and server process) per
# run turn, about a third of a turn's time. Reuse it; the fixup still closes it
# every 2 × N tasks, and `advance_run` drops a connection that saw errors.
app.conf["CELERY_DB_REUSE_MAX"] = int(os.environ.get("SLUICE_DB_REUSE_MAX", "500"))
