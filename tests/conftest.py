"""Test-wide fixtures (the environment is prepared by `tests/bootstrap.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """A test's rolled-back workflows and app settings must not be remembered by the
    next test (a process would see their deletion's signals; a rollback sends none)."""
    yield
    from accounts.connections import invalidate_secret_cache
    from workflows.callback import forget_workflows

    forget_workflows()
    invalidate_secret_cache()
