"""`sluice retention [--days N] [--batch N]`: delete ended runs older than N days."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workflows.ops import retention_tick


class Command(BaseCommand):
    help = "Delete ended runs (with their action runs and trigger history) older than N days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Default: SLUICE_RETENTION_DAYS (90)."
        )
        parser.add_argument("--batch", type=int, default=1000, help="Runs deleted per transaction.")

    def handle(self, *args, days, batch, **options):
        days = getattr(settings, "SLUICE_RETENTION_DAYS", 90) if days is None else days
        if days < 0 or batch < 1:
            raise CommandError("--days must be >= 0 and --batch >= 1")
        deleted = retention_tick(days=days, batch=batch)
        self.stdout.write(
            f"deleted {deleted} run{'s' if deleted != 1 else ''} older than {days} days"
        )
