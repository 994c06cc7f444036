"""Project configuration of the ISMS portal: settings, URL maps, Celery app."""

from .celery import app as celery_app

__all__ = ["celery_app"]
