"""Loaded with `-p tests.bootstrap` before pytest-django imports the settings:
each test session gets its own data directory and runs Celery tasks eagerly
unless a test starts real workers."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SLUICE_DATA_DIR", tempfile.mkdtemp(prefix="sluice-test-"))
os.environ.setdefault("SLUICE_CELERY_EAGER", "1")
os.environ.setdefault("SLUICE_HTTP_ALLOWED_HOSTS", "127.0.0.1,localhost")
