"""Run identifiers in the Logic Apps shape.

Logic Apps run names such as `08585265143234327272054208430CU00` start with
(DateTime.MaxValue.Ticks - now.Ticks), so they sort newest first as plain strings;
we keep that property (a cheap "newest first" index) and add random digits.

The digits only keep ids apart: an id grants nothing (the API wants a token, a
poll URL its signature), so they come from `random` — seeded from the OS at
start and again in each forked child — not from `secrets`, whose system call
per id gave the GIL away in the middle of every stateless request.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

_MAX_TICKS = 3155378975999999999  # DateTime.MaxValue.Ticks
_EPOCH_TICKS = 621355968000000000  # ticks at 1970-01-01


def run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    ticks = _EPOCH_TICKS + int(now.timestamp() * 10_000_000)
    return f"{_MAX_TICKS - ticks:020d}{random.randrange(1_000_000_000):09d}CU00"
