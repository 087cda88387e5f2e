"""A fake clock for the durable driver: timers (Wait, retries, Until timeouts) pass
instantly while everything else — database, leases, compare-and-set — is real."""

from __future__ import annotations

import pytest

from tests.engine.harness import FakeClock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr("workflows.tasks.utcnow", fake)
    monkeypatch.setattr("workflows.services.utcnow", fake)
    return fake
