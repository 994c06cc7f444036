"""Hourly: create the reminders of everything due soon and send the day's e-mail digests, one task per tenant."""

from celery import shared_task

from core.fanout import tenants_fan_out
from core.tasks import TenantTask

from . import services


@shared_task(base=TenantTask, bind=True)
def reminders(self: TenantTask) -> int:
    return services.reminders_run()


@shared_task(acks_late=True)
def reminders_dispatch() -> int:
    return tenants_fan_out(reminders)
