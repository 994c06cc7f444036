"""Hourly: create the reminders of everything due soon and send the day's e-mail digests, one task per tenant."""

import random

from celery import shared_task
from django_tenants.utils import get_public_schema_name

from core.tasks import TenantTask

from . import services


@shared_task(base=TenantTask, bind=True, acks_late=True)
def reminders(self: TenantTask) -> int:
    return services.reminders_run()


@shared_task(acks_late=True)
def reminders_dispatch() -> int:
    from tenants.models import Tenant

    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        reminders.apply_async(
            headers={"_schema_name": tenant.schema_name},
            countdown=random.uniform(0, 60),  # noqa: S311 -- load spreading, not security
        )
    return len(tenants)
