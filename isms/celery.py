"""The tenant-aware Celery app: every task message carries the schema it must run in."""

import os

from celery.signals import worker_init
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isms.settings")

app = CeleryApp("isms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_unsafe_start(**kwargs: object) -> None:
    """A worker sends e-mail too: the same start-up refusal as the web process (``manage.py check`` is skipped)."""
    from django.core.exceptions import ImproperlyConfigured

    from core.checks import refuse_unsafe_start

    try:
        refuse_unsafe_start()
    except ImproperlyConfigured as error:
        # Celery logs and swallows a signal handler's exceptions: only SystemExit stops the worker.
        raise SystemExit(f"ImproperlyConfigured: {error}") from None
