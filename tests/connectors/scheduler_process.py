"""A scheduler process for the two-process test: `python -m tests.connectors.scheduler_process
START_EPOCH STEPS` ticks the simulated clock T0, T0+1s, … T0+(STEPS-1)s, starting at
the wall-clock instant START_EPOCH so that both processes contend."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from connectors import ticks

    start, steps = float(sys.argv[1]), int(sys.argv[2])
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    time.sleep(max(0.0, start - time.time()))
    for step in range(steps):
        ticks.tick(t0 + timedelta(seconds=step))
    print(json.dumps(dict(ticks.STATS)))


if __name__ == "__main__":
    main()
