"""`sluice scheduler`: the clock of the system.

Every second it calls `tick(now)` of each installed app that has a `ticks` module
(`workflows.ticks` re-dispatches due and orphaned runs, `connectors.ticks` fires
recurrence and polling triggers, `broker.ticks` retries push deliveries and
expires locks). Ticks claim their work with compare-and-set updates, so two
scheduler processes may run at once without firing anything twice. A tick that
raises is logged and the loop goes on: one bad trigger never stops the clock.
"""

from __future__ import annotations

import importlib
import logging
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import close_old_connections

log = logging.getLogger("sluice.scheduler")


def discover_ticks() -> list[tuple[str, Callable[[datetime], None]]]:
    found = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.ticks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.ticks":
                raise
            continue
        if callable(getattr(module, "tick", None)):
            found.append((config.name, module.tick))
    return found


def run_ticks(ticks: list[tuple[str, Callable[[datetime], None]]], now: datetime) -> None:
    for name, tick in ticks:
        try:
            tick(now)
        except Exception:
            log.exception("tick of %s failed", name)
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = (
        "Run the scheduler: fires recurrence/polling triggers and resumes due runs, every second."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between ticks")
        parser.add_argument("--once", action="store_true", help="tick once and exit")

    def handle(self, *args, **options):
        ticks = discover_ticks()
        self.stdout.write(f"scheduler: ticking {', '.join(n for n, _ in ticks) or 'nothing'}")
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
        while not stopping:
            started = time.monotonic()
            run_ticks(ticks, datetime.now(UTC))
            if options["once"]:
                break
            time.sleep(max(0.0, options["interval"] - (time.monotonic() - started)))
        self.stdout.write("scheduler: stopped")
