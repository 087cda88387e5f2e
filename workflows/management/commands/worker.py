"""`sluice worker`: a Celery worker for Sluice's run engine (the `advance_run` task).

Uses Redis when `REDIS_URL` is set, else the filesystem transport in the data
directory. Options pass through to Celery (`--concurrency`, `--pool`, `--loglevel`).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start a Celery worker that advances workflow runs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--concurrency", "-c", type=int, default=None, help="worker processes/threads"
        )
        parser.add_argument("--pool", "-P", default=None, help="prefork (default), threads, solo")
        parser.add_argument("--loglevel", "-l", default="INFO")
        parser.add_argument("--hostname", "-n", default=None)

    def handle(self, *args, **options):
        from config.celery import app

        argv = ["worker", "--loglevel", options["loglevel"]]
        if options["concurrency"]:
            argv += ["--concurrency", str(options["concurrency"])]
        if options["pool"]:
            argv += ["--pool", options["pool"]]
        if options["hostname"]:
            argv += ["--hostname", options["hostname"]]
        app.worker_main(argv)
