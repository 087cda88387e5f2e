"""Test-wide fixtures (the environment is prepared by `tests/bootstrap.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS
