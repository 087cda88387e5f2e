"""Sluice's Django project: settings from the environment, URL root, Celery app, CLI."""

from .celery import app as celery_app

__all__ = ["celery_app"]
