"""The tenant-aware Celery app: every task message carries the schema it must run in."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isms.settings")

app = CeleryApp("isms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
