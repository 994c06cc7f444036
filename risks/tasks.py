"""Spreadsheet imports run by a worker, within a time limit, never in a web request."""

from celery import shared_task
from django.conf import settings

from core.tasks import TenantTask

from . import imports

# The soft limit lets the task record why it stopped; the hard one ends a task that does not.
_LIMITS = {"soft_time_limit": settings.IMPORT_TASK_TIME_LIMIT, "time_limit": settings.IMPORT_TASK_TIME_LIMIT + 30}


@shared_task(base=TenantTask, bind=True, **_LIMITS)
def risk_import_parse(self: TenantTask, batch_id: str) -> None:
    imports.risk_import_parse(batch_id=batch_id)


@shared_task(base=TenantTask, bind=True, **_LIMITS)
def risk_import_run(self: TenantTask, batch_id: str) -> None:
    imports.risk_import_run(batch_id=batch_id)
